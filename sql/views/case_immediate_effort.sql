-- The immediate effort (straksindsats) per municipality and year received: of the cases
-- that went through it, how many were closed within 12 weeks (84 days after received_on,
-- that day included) without any grant. A case is due once its 84 days have passed by the
-- reference date of the case figures, or when it is closed; the share is of the due cases.
with

reference as (
    select
        r.reference_date as reference_date
    from case_reference_date as r
),

linked as (
    select distinct
        g.case_id as case_id
    from grants as g
    where g.case_id is not null
),

effort as (
    select
        c.municipality_code as municipality_code,
        cast(extract(year from c.received_on) as integer) as received_year,
        c.closed_on as closed_on,
        cast(extract(day from (cast(r.reference_date as timestamp) - cast(c.received_on as timestamp))) as integer)
            as days_to_reference,
        cast(extract(day from (cast(c.closed_on as timestamp) - cast(c.received_on as timestamp))) as integer)
            as days_to_close,
        case when l.case_id is not null then 1 else 0 end as with_grant
    from cases as c
    cross join reference as r
    left join linked as l
        on l.case_id = c.case_id
    where c.immediate_effort
),

flags as (
    select
        e.municipality_code as municipality_code,
        e.received_year as received_year,
        case when e.days_to_reference >= 84 or e.closed_on is not null then 1 else 0 end as due,
        case when e.days_to_close <= 84 and e.with_grant = 0 then 1 else 0 end as success
    from effort as e
),

final as (
    select
        f.municipality_code as municipality_code,
        f.received_year as year,
        cast(count(*) as integer) as immediate_effort_cases,
        cast(sum(f.due) as integer) as cases_due,
        cast(sum(f.success) as integer) as closed_within_12_weeks_without_grant,
        cast(sum(f.success) as double precision)
            / nullif(cast(sum(f.due) as double precision), 0) as share_closed_within_12_weeks
    from flags as f
    group by f.municipality_code, f.received_year
)

select
    municipality_code,
    year,
    immediate_effort_cases,
    cases_due,
    closed_within_12_weeks_without_grant,
    share_closed_within_12_weeks
from final
