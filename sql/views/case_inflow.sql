-- Cases received per municipality, area, calendar month and source (where the case came
-- from): the inflow. `month` is the first day of the month of received_on; a month
-- without cases from a source has no row.
with

municipalities as (
    select
        m.municipality_code as municipality_code,
        m.municipality_name as municipality_name
    from municipality as m
),

sources as (
    select
        s.source_code as source_code,
        s.source_name as source_name
    from case_source as s
),

months as (
    select
        c.month as month,
        c.month_end as month_end,
        c.calendar_year as calendar_year,
        c.month_number as month_number
    from int_calendar_month as c
),

received as (
    select
        c.municipality_code as municipality_code,
        c.area as area,
        m.month as month,
        c.source as source
    from cases as c
    -- the month received in, matched on year and month (an equality join, not a range)
    inner join months as m
        on cast(extract(year from c.received_on) as integer) = m.calendar_year
        and cast(extract(month from c.received_on) as integer) = m.month_number
),

final as (
    select
        r.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        r.area as area,
        r.month as month,
        r.source as source,
        s.source_name as source_name,
        cast(count(*) as integer) as cases_received
    from received as r
    left join municipalities as m
        on m.municipality_code = r.municipality_code
    left join sources as s
        on s.source_code = r.source
    group by r.municipality_code, m.municipality_name, r.area, r.month, r.source, s.source_name
)

select
    municipality_code,
    municipality_name,
    area,
    month,
    source,
    source_name,
    cases_received
from final
