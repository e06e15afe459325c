-- The funnel (tragtmodel) per municipality, area and year a case was received: how many
-- cases came in, were decided, ended without a grant, and how far up the intervention
-- ladder the grants of the others went. A case is with grant when at least one grant
-- carries its case_id; it counts once, at the highest ladder step of its grants.
with

received as (
    select
        c.case_id as case_id,
        c.municipality_code as municipality_code,
        c.area as area,
        cast(extract(year from c.received_on) as integer) as received_year,
        c.decision as decision
    from cases as c
),

steps as (
    select
        g.case_id as case_id,
        max(i.ladder_step) as highest_step
    from grants as g
    inner join intervention as i
        on i.intervention_code = g.intervention_code
    where g.case_id is not null
    group by g.case_id
),

linked as (
    select distinct
        g.case_id as case_id
    from grants as g
    where g.case_id is not null
),

case_rows as (
    select
        c.municipality_code as municipality_code,
        c.area as area,
        c.received_year as received_year,
        case when c.decision is not null then 1 else 0 end as decided,
        case when l.case_id is not null then 1 else 0 end as with_grant,
        s.highest_step as highest_step
    from received as c
    left join linked as l
        on l.case_id = c.case_id
    left join steps as s
        on s.case_id = c.case_id
),

final as (
    select
        r.municipality_code as municipality_code,
        r.area as area,
        r.received_year as year,
        cast(count(*) as integer) as cases_received,
        cast(sum(r.decided) as integer) as cases_decided,
        cast(count(*) - sum(r.with_grant) as integer) as cases_without_grant,
        cast(sum(r.with_grant) as integer) as cases_with_grant,
        cast(sum(case when r.highest_step = 1 then 1 else 0 end) as integer) as highest_step_1,
        cast(sum(case when r.highest_step = 2 then 1 else 0 end) as integer) as highest_step_2,
        cast(sum(case when r.highest_step = 3 then 1 else 0 end) as integer) as highest_step_3
    from case_rows as r
    group by r.municipality_code, r.area, r.received_year
)

select
    municipality_code,
    area,
    year,
    cases_received,
    cases_decided,
    cases_without_grant,
    cases_with_grant,
    highest_step_1,
    highest_step_2,
    highest_step_3
from final
