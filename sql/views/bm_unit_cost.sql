-- Unit cost: actual net operating expenditure per full-year citizen, per municipality,
-- year and intervention: the intervention rows of int_cost_benchmark, with the
-- intervention's name and area. One row per municipality, year and intervention that
-- has actual expenditure on the intervention's functions or a count of full-year citizens.
select
    c.municipality_code as municipality_code,
    c.municipality_name as municipality_name,
    c.region_name as region_name,
    c.dst_municipality_group as dst_municipality_group,
    c.year as year,
    c.breakdown_code as intervention_code,
    i.intervention_name as intervention_name,
    i.area as area,
    c.expenditure_dkk as expenditure_dkk,
    c.expenditure_fixed_dkk as expenditure_fixed_dkk,
    cast(c.units as numeric(14, 4)) as full_year_citizens,
    c.cost_per_unit_dkk as unit_cost_dkk,
    c.cost_per_unit_fixed_dkk as unit_cost_fixed_dkk,
    c.price_base_year as price_base_year,
    c.national_cost_per_unit_dkk as national_unit_cost_dkk,
    c.national_cost_per_unit_fixed_dkk as national_unit_cost_fixed_dkk,
    c.index_vs_national as index_vs_national,
    c.rank_in_year as rank_in_year
from int_cost_benchmark as c
left join intervention as i
    on i.intervention_code = c.breakdown_code
where c.breakdown = 'intervention'
