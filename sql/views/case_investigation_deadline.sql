-- Child investigations against the four-month deadline (Barnets lov § 20), per
-- municipality and month of the deadline. The deadline is the same day of the month four
-- months after started_on, or that month's last day when it has no such day (2025-10-31
-- gives 2026-02-28). An investigation is due when its deadline is on or before the
-- reference date of the case figures; it is on time when completed on or before the
-- deadline, late when completed after it, and open and overdue when not completed.
with

municipalities as (
    select
        m.municipality_code as municipality_code,
        m.municipality_name as municipality_name
    from municipality as m
),

months as (
    select
        c.month as month,
        c.month_end as month_end,
        c.reference_date as reference_date,
        c.calendar_year as calendar_year,
        c.month_number as month_number
    from int_calendar_month as c
),

deadlines as (
    select
        c.municipality_code as municipality_code,
        i.completed_on as completed_on,
        cast(i.started_on + interval '4 month' as date) as deadline
    from investigations as i
    inner join cases as c
        on c.case_id = i.case_id
),

-- Due: the deadline falls in a month of the calendar, which ends with the reference month,
-- on or before the reference date.
due as (
    select
        d.municipality_code as municipality_code,
        m.month as month,
        case when d.completed_on <= d.deadline then 1 else 0 end as on_time,
        case when d.completed_on > d.deadline then 1 else 0 end as late,
        case when d.completed_on is null then 1 else 0 end as open_overdue
    from deadlines as d
    -- the month of the deadline, matched on year and month (an equality join, not a range)
    inner join months as m
        on cast(extract(year from d.deadline) as integer) = m.calendar_year
        and cast(extract(month from d.deadline) as integer) = m.month_number
    where d.deadline <= m.reference_date
),

counted as (
    select
        d.municipality_code as municipality_code,
        d.month as month,
        cast(count(*) as integer) as investigations_due,
        cast(sum(d.on_time) as integer) as completed_on_time,
        cast(sum(d.late) as integer) as completed_late,
        cast(sum(d.open_overdue) as integer) as open_overdue
    from due as d
    group by d.municipality_code, d.month
),

final as (
    select
        c.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        c.month as month,
        c.investigations_due as investigations_due,
        c.completed_on_time as completed_on_time,
        c.completed_late as completed_late,
        c.open_overdue as open_overdue,
        cast(c.completed_on_time as double precision)
            / nullif(cast(c.investigations_due as double precision), 0) as share_on_time
    from counted as c
    left join municipalities as m
        on m.municipality_code = c.municipality_code
)

select
    municipality_code,
    municipality_name,
    month,
    investigations_due,
    completed_on_time,
    completed_late,
    open_overdue,
    share_on_time
from final
