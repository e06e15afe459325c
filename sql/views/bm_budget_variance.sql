-- Actual against budget: net operating expenditure per municipality, year and area
-- ('children' = main account 5.28, 'adults' = 5.38), current prices.
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
        f.function_code as function_code,
        f.area as area
    from account_function as f
),

area_expenditure as (
    select
        e.municipality_code as municipality_code,
        e.year as year,
        f.area as area,
        e.kind as kind,
        e.amount_dkk as amount_dkk
    from expenditure as e
    inner join area_functions as f
        on f.function_code = e.function_code
),

-- A kind with no rows (e.g. no budget loaded) stays NULL, not 0.
totals as (
    select
        a.municipality_code as municipality_code,
        a.year as year,
        a.area as area,
        cast(sum(case when a.kind = 'budget' then a.amount_dkk end) as numeric(18, 2)) as budget_dkk,
        cast(sum(case when a.kind = 'actual' then a.amount_dkk end) as numeric(18, 2)) as actual_dkk
    from area_expenditure as a
    group by a.municipality_code, a.year, a.area
),

variances as (
    select
        t.municipality_code as municipality_code,
        t.year as year,
        t.area as area,
        t.budget_dkk as budget_dkk,
        t.actual_dkk as actual_dkk,
        t.actual_dkk - t.budget_dkk as variance_dkk,
        100 * cast(t.actual_dkk - t.budget_dkk as double precision)
            / nullif(cast(t.budget_dkk as double precision), 0) as variance_pct
    from totals as t
),

final as (
    select
        v.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name,
        m.dst_municipality_group as dst_municipality_group,
        v.year as year,
        v.area as area,
        case v.area
            when 'children' then 'Børn og unge med særlige behov'
            when 'adults' then 'Voksne med særlige behov'
        end as area_name,
        v.budget_dkk as budget_dkk,
        v.actual_dkk as actual_dkk,
        v.variance_dkk as variance_dkk,
        v.variance_pct as variance_pct
    from variances as v
    left join municipalities as m
        on m.municipality_code = v.municipality_code
)

select
    municipality_code,
    municipality_name,
    region_name,
    dst_municipality_group,
    year,
    area,
    area_name,
    budget_dkk,
    actual_dkk,
    variance_dkk,
    variance_pct
from final
