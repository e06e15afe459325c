-- The reference date of the grant figures: the latest date the grant data know about
-- (a grant's start or end, or an assessment), not today, so that figures stay the same
-- while the data stand. One row.
with

data_dates as (
    select g.start_date as data_date from grants as g
    union all
    select g.end_date as data_date from grants as g
    union all
    select a.assessed_on as data_date from assessments as a
),

final as (
    select
        max(d.data_date) as reference_date
    from data_dates as d
)

select
    reference_date
from final
