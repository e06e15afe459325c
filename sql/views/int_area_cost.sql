-- Net operating expenditure of an area per person of the area's age band, per
-- municipality and year: children and young people with special needs (area 'children',
-- main account 5.28) per 0-22-year-old, adults with special needs (area 'adults', main
-- account 5.38) per 18-64-year-old. One row per municipality, year and area with actual
-- expenditure in the area; the cost-per-child and cost-per-adult views each show one area.
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
        f.factor as factor
    from int_price_factor as f
),

-- The age band of each area, both ages included, on 1 January of the year.
age_bands as (
    select 'children' as area, 0 as age_from, 22 as age_to
    union all
    select 'adults' as area, 18 as age_from, 64 as age_to
),

area_functions as (
    select
        f.function_code as function_code,
        f.area as area
    from account_function as f
    inner join age_bands as b
        on b.area = f.area
),

expenditure_per_year as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        f.area as area,
        cast(sum(e.amount_dkk) as numeric(18, 2)) as expenditure_dkk
    from expenditure as e
    inner join area_functions as f
        on f.function_code = e.function_code
    where e.kind = 'actual'
    group by e.municipality_code, e.year, f.area
),

band_population as (
    select
        p.municipality_code as municipality_code,
        p.year as year,
        b.area as area,
        cast(sum(p.persons) as bigint) as persons
    from population as p
    inner join age_bands as b
        on p.age between b.age_from and b.age_to
    group by p.municipality_code, p.year, b.area
),

cost as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        e.area as area,
        e.expenditure_dkk as expenditure_dkk,
        p.persons as population,
        cast(e.expenditure_dkk as double precision)
            / nullif(cast(p.persons as double precision), 0) as cost_per_person_dkk
    from expenditure_per_year as e
    left join band_population as p
        on p.municipality_code = e.municipality_code
        and p.year = e.year
        and p.area = e.area
),

-- Ratio of sums over the municipalities that have both figures that year.
national as (
    select
        c.year as year,
        c.area as area,
        cast(sum(c.expenditure_dkk) as double precision)
            / nullif(cast(sum(c.population) as double precision), 0) as national_cost_per_person_dkk
    from cost as c
    where c.expenditure_dkk is not null
        and c.population is not null
    group by c.year, c.area
),

-- The base year is the same for every year, also one missing from the price index.
price_base as (
    select
        max(f.price_base_year) as price_base_year
    from price_factors as f
),

final as (
    select
        c.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group,
        c.year as year,
        c.area as area,
        b.age_from as age_from,
        b.age_to as age_to,
        c.expenditure_dkk as expenditure_dkk,
        cast(c.expenditure_dkk as double precision) * f.factor as expenditure_fixed_dkk,
        c.population as population,
        c.cost_per_person_dkk as cost_per_person_dkk,
        c.cost_per_person_dkk * f.factor as cost_per_person_fixed_dkk,
        pb.price_base_year as price_base_year,
        n.national_cost_per_person_dkk as national_cost_per_person_dkk,
        100 * c.cost_per_person_dkk
            / nullif(cast(n.national_cost_per_person_dkk as double precision), 0) as index_vs_national,
        case
            when c.cost_per_person_dkk is not null
                then rank() over (partition by c.area, c.year order by c.cost_per_person_dkk asc nulls last)
        end as rank_in_year
    from cost as c
    inner join age_bands as b
        on b.area = c.area
    left join price_factors as f
        on f.year = c.year
    cross join price_base as pb
    left join national as n
        on n.year = c.year
        and n.area = c.area
    left join municipalities as m
        on m.municipality_code = c.municipality_code
)

select
    municipality_code,
    municipality_name,
    region_name,
    dst_municipality_group,
    year,
    area,
    age_from,
    age_to,
    expenditure_dkk,
    expenditure_fixed_dkk,
    population,
    cost_per_person_dkk,
    cost_per_person_fixed_dkk,
    price_base_year,
    national_cost_per_person_dkk,
    index_vs_national,
    rank_in_year
from final
