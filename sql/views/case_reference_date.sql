-- The reference date of the case figures: the latest date the grant and case data know
-- about (the grant figures' reference date, a case received, decided or closed, an
-- investigation started or completed), not today, so that figures stay the same while
-- the data stand. One row.
with

data_dates as (
    select r.reference_date as data_date from cockpit_reference_date as r
    union all
    select c.received_on as data_date from cases as c
    union all
    select c.decided_on as data_date from cases as c
    union all
    select c.closed_on as data_date from cases as c
    union all
    select i.started_on as data_date from investigations as i
    union all
    select i.completed_on as data_date from investigations as i
),

final as (
    select
        max(d.data_date) as reference_date
    from data_dates as d
)

select
    reference_date
from final
