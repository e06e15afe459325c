-- Calendar months, one row each, from the month of the earliest date in the grant and
-- case data (a grant's start, a case received, an investigation started, a number of
-- places valid from) up to the reference month of the case figures (the month of
-- case_reference_date). `month` is the month's first day, `month_end` its last day.
with

reference as (
    select
        r.reference_date as reference_date
    from case_reference_date as r
),

first_dates as (
    select min(g.start_date) as first_date from grants as g
    union all
    select min(c.received_on) as first_date from cases as c
    union all
    select min(i.started_on) as first_date from investigations as i
    union all
    select min(h.valid_from) as first_date from housing_places as h
),

bounds as (
    select
        cast(
            cast(extract(year from min(f.first_date)) as varchar) || '-'
            || lpad(cast(extract(month from min(f.first_date)) as varchar), 2, '0') || '-01'
            as date
        ) as first_month,
        r.reference_date as reference_date
    from first_dates as f
    cross join reference as r
    group by r.reference_date
),

digits as (
    select 0 as digit union all select 1 as digit union all select 2 as digit
    union all select 3 as digit union all select 4 as digit union all select 5 as digit
    union all select 6 as digit union all select 7 as digit union all select 8 as digit
    union all select 9 as digit
),

-- Up to 1,200 months (100 years) from the first month.
month_offsets as (
    select
        hundreds.digit * 100 + tens.digit * 10 + ones.digit as month_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones
    where hundreds.digit < 12
),

months as (
    select
        cast(b.first_month + o.month_offset * interval '1 month' as date) as month,
        b.reference_date as reference_date
    from bounds as b
    cross join month_offsets as o
    where cast(b.first_month + o.month_offset * interval '1 month' as date) <= b.reference_date
),

final as (
    select
        m.month as month,
        cast(m.month + interval '1 month' - interval '1 day' as date) as month_end,
        cast(extract(year from m.month) as integer) as calendar_year,
        cast(extract(month from m.month) as integer) as month_number,
        cast(extract(day from (
            cast(cast(m.month + interval '1 month' as date) as timestamp) - cast(m.month as timestamp)
        )) as integer) as days_in_month,
        m.reference_date as reference_date
    from months as m
)

select
    month,
    month_end,
    calendar_year,
    month_number,
    days_in_month,
    reference_date
from final
