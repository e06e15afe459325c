-- Actual net operating expenditure of an area and the population of the area's age band,
-- per municipality and year: children and young people with special needs (area
-- 'children', main account 5.28) against the 0-22-year-olds, adults with special needs
-- (area 'adults', main account 5.38) against the 18-64-year-olds. One row per
-- municipality, year and area with actual expenditure in the area.
with

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

final as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        e.area as area,
        b.age_from as age_from,
        b.age_to as age_to,
        e.expenditure_dkk as expenditure_dkk,
        p.persons as population
    from expenditure_per_year as e
    inner join age_bands as b
        on b.area = e.area
    left join band_population as p
        on p.municipality_code = e.municipality_code
        and p.year = e.year
        and p.area = e.area
)

select
    municipality_code,
    year,
    area,
    age_from,
    age_to,
    expenditure_dkk,
    population
from final
