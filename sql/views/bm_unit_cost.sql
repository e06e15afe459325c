-- Unit cost: actual net operating expenditure per full-year citizen, per municipality,
-- year and intervention: the intervention rows of int_cost_benchmark. One row per
-- municipality, year and intervention that has actual expenditure on the intervention's
-- functions or a count of full-year citizens.
with

interventions as (
    select
        i.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area
    from intervention as i
),

unit_costs as (
    select
        b.municipality_code as municipality_code,
        b.municipality_name as municipality_name,
        b.region_name as region_name,
        b.dst_municipality_group as dst_municipality_group,
        b.year as year,
        b.breakdown_code as intervention_code,
        b.expenditure_dkk as expenditure_dkk,
        b.expenditure_fixed_dkk as expenditure_fixed_dkk,
        cast(b.units as numeric(14, 4)) as full_year_citizens,
        b.cost_per_unit_dkk as unit_cost_dkk,
        b.cost_per_unit_fixed_dkk as unit_cost_fixed_dkk,
        b.price_base_year as price_base_year,
        b.national_cost_per_unit_dkk as national_unit_cost_dkk,
        b.national_cost_per_unit_fixed_dkk as national_unit_cost_fixed_dkk,
        b.index_vs_national as index_vs_national,
        b.rank_in_year as rank_in_year
    from int_cost_benchmark as b
    where b.breakdown = 'intervention'
),

final as (
    select
        u.municipality_code as municipality_code,
        u.municipality_name as municipality_name,
        u.region_name as region_name,
        u.dst_municipality_group as dst_municipality_group,
        u.year as year,
        u.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area,
        u.expenditure_dkk as expenditure_dkk,
        u.expenditure_fixed_dkk as expenditure_fixed_dkk,
        u.full_year_citizens as full_year_citizens,
        u.unit_cost_dkk as unit_cost_dkk,
        u.unit_cost_fixed_dkk as unit_cost_fixed_dkk,
        u.price_base_year as price_base_year,
        u.national_unit_cost_dkk as national_unit_cost_dkk,
        u.national_unit_cost_fixed_dkk as national_unit_cost_fixed_dkk,
        u.index_vs_national as index_vs_national,
        u.rank_in_year as rank_in_year
    from unit_costs as u
    left join interventions as i
        on i.intervention_code = u.intervention_code
)

select
    municipality_code,
    municipality_name,
    region_name,
    dst_municipality_group,
    year,
    intervention_code,
    intervention_name,
    area,
    expenditure_dkk,
    expenditure_fixed_dkk,
    full_year_citizens,
    unit_cost_dkk,
    unit_cost_fixed_dkk,
    price_base_year,
    national_unit_cost_dkk,
    national_unit_cost_fixed_dkk,
    index_vs_national,
    rank_in_year
from final
