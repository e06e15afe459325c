-- Net operating expenditure on adults with special needs
-- (area 'adults', main account 5.38) per 18-64-year-old, per municipality and year.
-- One row per municipality and year with actual expenditure in the area.
with

municipalities as (
    select
        m.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group
    from municipality as m
),

area_functions as (
    select
        f.function_code as function_code
    from account_function as f
    where f.area = 'adults'
),

actual_expenditure as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        e.amount_dkk as amount_dkk
    from expenditure as e
    inner join area_functions as f
        on f.function_code = e.function_code
    where e.kind = 'actual'
),

-- Persons aged 18-64 (both included) on 1 January of the year.
population_18_64 as (
    select
        p.municipality_code as municipality_code,
        p.year as year,
        cast(sum(p.persons) as bigint) as persons
    from population as p
    where p.age between 18 and 64
    group by p.municipality_code, p.year
),

price_indices as (
    select
        i.year as year,
        i.index_value as index_value
    from price_index as i
),

-- The base year of fixed prices is the latest year in the price index.
base_index as (
    select
        i.year as base_year,
        i.index_value as base_index_value
    from price_indices as i
    where i.year = (select max(latest.year) from price_indices as latest)
),

expenditure_per_year as (
    select
        a.municipality_code as municipality_code,
        a.year as year,
        cast(sum(a.amount_dkk) as numeric(18, 2)) as expenditure_dkk
    from actual_expenditure as a
    group by a.municipality_code, a.year
),

cost as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        e.expenditure_dkk as expenditure_dkk,
        p.persons as population_18_64,
        cast(e.expenditure_dkk as double precision)
            / nullif(cast(p.persons as double precision), 0) as cost_per_adult_dkk
    from expenditure_per_year as e
    left join population_18_64 as p
        on p.municipality_code = e.municipality_code
        and p.year = e.year
),

-- Ratio of sums over the municipalities that have both figures that year.
national as (
    select
        c.year as year,
        cast(sum(c.expenditure_dkk) as double precision)
            / nullif(cast(sum(c.population_18_64) as double precision), 0) as national_cost_per_adult_dkk
    from cost as c
    where c.expenditure_dkk is not null
        and c.population_18_64 is not null
    group by c.year
),

fixed_prices as (
    select
        c.municipality_code as municipality_code,
        c.year as year,
        c.expenditure_dkk as expenditure_dkk,
        c.population_18_64 as population_18_64,
        c.cost_per_adult_dkk as cost_per_adult_dkk,
        b.base_year as price_base_year,
        cast(c.expenditure_dkk as double precision) * cast(b.base_index_value as double precision)
            / nullif(cast(i.index_value as double precision), 0) as expenditure_fixed_dkk,
        c.cost_per_adult_dkk * cast(b.base_index_value as double precision)
            / nullif(cast(i.index_value as double precision), 0) as cost_per_adult_fixed_dkk
    from cost as c
    left join price_indices as i
        on i.year = c.year
    left join base_index as b
        on 1 = 1
),

compared as (
    select
        f.municipality_code as municipality_code,
        f.year as year,
        f.expenditure_dkk as expenditure_dkk,
        f.expenditure_fixed_dkk as expenditure_fixed_dkk,
        f.population_18_64 as population_18_64,
        f.cost_per_adult_dkk as cost_per_adult_dkk,
        f.cost_per_adult_fixed_dkk as cost_per_adult_fixed_dkk,
        f.price_base_year as price_base_year,
        n.national_cost_per_adult_dkk as national_cost_per_adult_dkk,
        100 * f.cost_per_adult_dkk / nullif(cast(n.national_cost_per_adult_dkk as double precision), 0) as index_vs_national,
        case
            when f.cost_per_adult_dkk is not null
                then rank() over (partition by f.year order by f.cost_per_adult_dkk asc nulls last)
        end as rank_in_year
    from fixed_prices as f
    left join national as n
        on n.year = f.year
),

final as (
    select
        c.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group,
        c.year as year,
        c.expenditure_dkk as expenditure_dkk,
        c.expenditure_fixed_dkk as expenditure_fixed_dkk,
        c.population_18_64 as population_18_64,
        c.cost_per_adult_dkk as cost_per_adult_dkk,
        c.cost_per_adult_fixed_dkk as cost_per_adult_fixed_dkk,
        c.price_base_year as price_base_year,
        c.national_cost_per_adult_dkk as national_cost_per_adult_dkk,
        c.index_vs_national as index_vs_national,
        c.rank_in_year as rank_in_year
    from compared as c
    left join municipalities as m
        on m.municipality_code = c.municipality_code
)

select
    municipality_code,
    municipality_name,
    region_name,
    dst_municipality_group,
    year,
    expenditure_dkk,
    expenditure_fixed_dkk,
    population_18_64,
    cost_per_adult_dkk,
    cost_per_adult_fixed_dkk,
    price_base_year,
    national_cost_per_adult_dkk,
    index_vs_national,
    rank_in_year
from final
