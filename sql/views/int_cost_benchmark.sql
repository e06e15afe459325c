-- Cost per unit compared with the country, per municipality and year, for two breakdowns:
-- an area's expenditure per person of its age band (int_area_cost), and an intervention's
-- expenditure per full-year citizen. In current and fixed prices, with the national
-- figure (a ratio of sums), an index against it and a rank among the municipalities.
with

municipalities as (
    select
        m.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group
    from municipality as m
),

price_factors as (
    select
        f.year as year,
        f.price_base_year as price_base_year,
        f.index_value as index_value,
        f.base_index_value as base_index_value,
        f.factor as factor
    from int_price_factor as f
),

area_costs as (
    select
        a.municipality_code as municipality_code,
        a.year as year,
        a.area as area,
        a.expenditure_dkk as expenditure_dkk,
        a.population as population
    from int_area_cost as a
),

intervention_functions as (
    select
        f.function_code as function_code,
        f.intervention_code as intervention_code
    from account_function as f
    where f.intervention_code is not null
),

citizens as (
    select
        c.municipality_code as municipality_code,
        c.year as year,
        c.intervention_code as intervention_code,
        cast(c.full_year_citizens as numeric(14, 4)) as full_year_citizens
    from full_year_citizens as c
),

intervention_expenditure as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        f.intervention_code as intervention_code,
        cast(sum(e.amount_dkk) as numeric(18, 2)) as expenditure_dkk
    from expenditure as e
    inner join intervention_functions as f
        on f.function_code = e.function_code
    where e.kind = 'actual'
    group by e.municipality_code, e.year, f.intervention_code
),

-- The units are exact numbers: persons, or full-year citizens with four decimals. An
-- intervention has a row when it has expenditure or a count of full-year citizens.
units as (
    select
        'area' as breakdown,
        a.area as breakdown_code,
        a.municipality_code as municipality_code,
        a.year as year,
        a.expenditure_dkk as expenditure_dkk,
        cast(a.population as numeric(18, 4)) as units
    from area_costs as a
    union all
    select
        'intervention' as breakdown,
        coalesce(e.intervention_code, c.intervention_code) as breakdown_code,
        coalesce(e.municipality_code, c.municipality_code) as municipality_code,
        coalesce(e.year, c.year) as year,
        e.expenditure_dkk as expenditure_dkk,
        cast(c.full_year_citizens as numeric(18, 4)) as units
    from intervention_expenditure as e
    full outer join citizens as c
        on c.municipality_code = e.municipality_code
        and c.year = e.year
        and c.intervention_code = e.intervention_code
),

-- NULL, never an error, when there are no units (0 or missing).
cost as (
    select
        u.breakdown as breakdown,
        u.breakdown_code as breakdown_code,
        u.municipality_code as municipality_code,
        u.year as year,
        u.expenditure_dkk as expenditure_dkk,
        u.units as units,
        cast(u.expenditure_dkk as double precision)
            / nullif(cast(u.units as double precision), 0) as cost_per_unit_dkk
    from units as u
),

-- Ratio of sums over the municipalities that have both figures that year.
national as (
    select
        c.breakdown as breakdown,
        c.breakdown_code as breakdown_code,
        c.year as year,
        cast(sum(c.expenditure_dkk) as double precision)
            / nullif(cast(sum(c.units) as double precision), 0) as national_cost_per_unit_dkk
    from cost as c
    where c.expenditure_dkk is not null
        and c.units is not null
    group by c.breakdown, c.breakdown_code, c.year
),

-- The base year is the same for every year, also one missing from the price index.
price_base as (
    select
        max(f.price_base_year) as price_base_year
    from price_factors as f
),

-- Fixed prices are amount × index(base year) / index(year) (int_price_factor). The area
-- rows multiply by the base index and then divide by the year's, the intervention rows
-- multiply by the factor: the order in which the cost-per-child, cost-per-adult and
-- unit-cost views computed them before they shared this view. The two orders can differ
-- in the last binary digit of a double, so keeping them keeps every figure bit-identical.
final as (
    select
        c.breakdown as breakdown,
        c.breakdown_code as breakdown_code,
        c.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group,
        c.year as year,
        c.expenditure_dkk as expenditure_dkk,
        case
            when c.breakdown = 'area'
                then cast(c.expenditure_dkk as double precision) * cast(f.base_index_value as double precision)
                    / nullif(cast(f.index_value as double precision), 0)
            else cast(c.expenditure_dkk as double precision) * f.factor
        end as expenditure_fixed_dkk,
        c.units as units,
        c.cost_per_unit_dkk as cost_per_unit_dkk,
        case
            when c.breakdown = 'area'
                then c.cost_per_unit_dkk * cast(f.base_index_value as double precision)
                    / nullif(cast(f.index_value as double precision), 0)
            else c.cost_per_unit_dkk * f.factor
        end as cost_per_unit_fixed_dkk,
        pb.price_base_year as price_base_year,
        n.national_cost_per_unit_dkk as national_cost_per_unit_dkk,
        n.national_cost_per_unit_dkk * f.factor as national_cost_per_unit_fixed_dkk,
        100 * c.cost_per_unit_dkk
            / nullif(cast(n.national_cost_per_unit_dkk as double precision), 0) as index_vs_national,
        case
            when c.cost_per_unit_dkk is not null
                then rank() over (
                    partition by c.breakdown, c.breakdown_code, c.year
                    order by c.cost_per_unit_dkk asc nulls last
                )
        end as rank_in_year
    from cost as c
    left join price_factors as f
        on f.year = c.year
    cross join price_base as pb
    left join national as n
        on n.breakdown = c.breakdown
        and n.breakdown_code = c.breakdown_code
        and n.year = c.year
    left join municipalities as m
        on m.municipality_code = c.municipality_code
)

select
    breakdown,
    breakdown_code,
    municipality_code,
    municipality_name,
    region_name,
    dst_municipality_group,
    year,
    expenditure_dkk,
    expenditure_fixed_dkk,
    units,
    cost_per_unit_dkk,
    cost_per_unit_fixed_dkk,
    price_base_year,
    national_cost_per_unit_dkk,
    national_cost_per_unit_fixed_dkk,
    index_vs_national,
    rank_in_year
from final
