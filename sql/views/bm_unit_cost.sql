-- Unit cost: actual net operating expenditure per full-year citizen, per municipality,
-- year and intervention. One row per municipality, year and intervention that has
-- actual expenditure on the intervention's functions or a count of full-year citizens.
with

municipalities as (
    select
        m.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group
    from municipality as m
),

interventions as (
    select
        i.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area
    from intervention as i
),

intervention_functions as (
    select
        f.function_code as function_code,
        f.intervention_code as intervention_code
    from account_function as f
    where f.intervention_code is not null
),

actual_expenditure as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        f.intervention_code as intervention_code,
        e.amount_dkk as amount_dkk
    from expenditure as e
    inner join intervention_functions as f
        on f.function_code = e.function_code
    where e.kind = 'actual'
),

citizens as (
    select
        c.municipality_code as municipality_code,
        c.year as year,
        c.intervention_code as intervention_code,
        cast(c.full_year_citizens as numeric(14, 4)) as full_year_citizens
    from full_year_citizens as c
),

price_factors as (
    select
        f.year as year,
        f.price_base_year as price_base_year,
        f.factor as factor
    from int_price_factor as f
),

expenditure_per_year as (
    select
        a.municipality_code as municipality_code,
        a.year as year,
        a.intervention_code as intervention_code,
        cast(sum(a.amount_dkk) as numeric(18, 2)) as expenditure_dkk
    from actual_expenditure as a
    group by a.municipality_code, a.year, a.intervention_code
),

unit_keys as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        e.intervention_code as intervention_code
    from expenditure_per_year as e
    union
    select
        c.municipality_code as municipality_code,
        c.year as year,
        c.intervention_code as intervention_code
    from citizens as c
),

-- NULL, never an error, when there are no full-year citizens (0 or missing).
unit_cost as (
    select
        k.municipality_code as municipality_code,
        k.year as year,
        k.intervention_code as intervention_code,
        e.expenditure_dkk as expenditure_dkk,
        c.full_year_citizens as full_year_citizens,
        cast(e.expenditure_dkk as double precision)
            / nullif(cast(c.full_year_citizens as double precision), 0) as unit_cost_dkk
    from unit_keys as k
    left join expenditure_per_year as e
        on e.municipality_code = k.municipality_code
        and e.year = k.year
        and e.intervention_code = k.intervention_code
    left join citizens as c
        on c.municipality_code = k.municipality_code
        and c.year = k.year
        and c.intervention_code = k.intervention_code
),

-- Ratio of sums over the municipalities that have both figures that year.
national as (
    select
        u.year as year,
        u.intervention_code as intervention_code,
        cast(sum(u.expenditure_dkk) as double precision)
            / nullif(cast(sum(u.full_year_citizens) as double precision), 0) as national_unit_cost_dkk
    from unit_cost as u
    where u.expenditure_dkk is not null
        and u.full_year_citizens is not null
    group by u.year, u.intervention_code
),

-- The base year is the same for every year, also one missing from the price index.
price_base as (
    select
        max(f.price_base_year) as price_base_year
    from price_factors as f
),

fixed_prices as (
    select
        u.municipality_code as municipality_code,
        u.year as year,
        u.intervention_code as intervention_code,
        u.expenditure_dkk as expenditure_dkk,
        u.full_year_citizens as full_year_citizens,
        u.unit_cost_dkk as unit_cost_dkk,
        pb.price_base_year as price_base_year,
        f.factor as fixed_price_factor
    from unit_cost as u
    left join price_factors as f
        on f.year = u.year
    cross join price_base as pb
),

compared as (
    select
        f.municipality_code as municipality_code,
        f.year as year,
        f.intervention_code as intervention_code,
        f.expenditure_dkk as expenditure_dkk,
        cast(f.expenditure_dkk as double precision) * f.fixed_price_factor as expenditure_fixed_dkk,
        f.full_year_citizens as full_year_citizens,
        f.unit_cost_dkk as unit_cost_dkk,
        f.unit_cost_dkk * f.fixed_price_factor as unit_cost_fixed_dkk,
        f.price_base_year as price_base_year,
        n.national_unit_cost_dkk as national_unit_cost_dkk,
        n.national_unit_cost_dkk * f.fixed_price_factor as national_unit_cost_fixed_dkk,
        100 * f.unit_cost_dkk / nullif(cast(n.national_unit_cost_dkk as double precision), 0) as index_vs_national,
        case
            when f.unit_cost_dkk is not null
                then rank() over (
                    partition by f.year, f.intervention_code
                    order by f.unit_cost_dkk asc nulls last
                )
        end as rank_in_year
    from fixed_prices as f
    left join national as n
        on n.year = f.year
        and n.intervention_code = f.intervention_code
),

final as (
    select
        c.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group,
        c.year as year,
        c.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area,
        c.expenditure_dkk as expenditure_dkk,
        c.expenditure_fixed_dkk as expenditure_fixed_dkk,
        c.full_year_citizens as full_year_citizens,
        c.unit_cost_dkk as unit_cost_dkk,
        c.unit_cost_fixed_dkk as unit_cost_fixed_dkk,
        c.price_base_year as price_base_year,
        c.national_unit_cost_dkk as national_unit_cost_dkk,
        c.national_unit_cost_fixed_dkk as national_unit_cost_fixed_dkk,
        c.index_vs_national as index_vs_national,
        c.rank_in_year as rank_in_year
    from compared as c
    left join municipalities as m
        on m.municipality_code = c.municipality_code
    left join interventions as i
        on i.intervention_code = c.intervention_code
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
