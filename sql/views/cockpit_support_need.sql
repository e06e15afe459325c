-- Change in assessed support need (function level 0-4) per municipality and
-- intervention: for each citizen with at least one assessment on a grant of that
-- intervention, the first and the latest assessed level over all those grants.
-- The support need went down when the latest level is below the first.
with

grant_rows as (
    select
        g.grant_id as grant_id,
        g.municipality_code as municipality_code,
        g.municipality_name as municipality_name,
        g.region_name as region_name,
        g.intervention_code as intervention_code,
        g.intervention_name as intervention_name,
        g.area as area,
        g.citizen_key as citizen_key
    from int_grant_days as g
),

citizen_assessments as (
    select
        g.municipality_code as municipality_code,
        g.intervention_code as intervention_code,
        g.citizen_key as citizen_key,
        a.grant_id as grant_id,
        a.assessed_on as assessed_on,
        a.support_level as support_level
    from assessments as a
    inner join grant_rows as g
        on g.grant_id = a.grant_id
),

-- The names of each municipality and intervention with grants.
granted as (
    select distinct
        g.municipality_code as municipality_code,
        g.municipality_name as municipality_name,
        g.region_name as region_name,
        g.intervention_code as intervention_code,
        g.intervention_name as intervention_name,
        g.area as area
    from grant_rows as g
),

-- Same-day assessments on two grants are ordered by grant id. One sort numbers a citizen's
-- assessments from the first and counts them (both windows share the sort): the latest
-- is the one whose number is the count.
ordered as (
    select
        c.municipality_code as municipality_code,
        c.intervention_code as intervention_code,
        c.citizen_key as citizen_key,
        c.support_level as support_level,
        row_number() over (
            partition by c.municipality_code, c.intervention_code, c.citizen_key
            order by c.assessed_on asc, c.grant_id asc
        ) as from_first,
        sum(1) over (
            partition by c.municipality_code, c.intervention_code, c.citizen_key
            order by c.assessed_on asc, c.grant_id asc
            rows between unbounded preceding and unbounded following
        ) as of_citizen
    from citizen_assessments as c
),

citizen_change as (
    select
        o.municipality_code as municipality_code,
        o.intervention_code as intervention_code,
        o.citizen_key as citizen_key,
        count(*) as assessments,
        max(case when o.from_first = 1 then o.support_level end) as first_level,
        max(case when o.from_first = o.of_citizen then o.support_level end) as latest_level
    from ordered as o
    group by o.municipality_code, o.intervention_code, o.citizen_key
),

counts as (
    select
        c.municipality_code as municipality_code,
        c.intervention_code as intervention_code,
        cast(count(*) as integer) as citizens_assessed,
        cast(sum(case when c.assessments >= 2 then 1 else 0 end) as integer) as citizens_reassessed,
        cast(sum(case when c.latest_level < c.first_level then 1 else 0 end) as integer) as citizens_need_down,
        cast(sum(case when c.latest_level = c.first_level then 1 else 0 end) as integer) as citizens_need_unchanged,
        cast(sum(case when c.latest_level > c.first_level then 1 else 0 end) as integer) as citizens_need_up
    from citizen_change as c
    group by c.municipality_code, c.intervention_code
),

final as (
    select
        c.municipality_code as municipality_code,
        n.municipality_name as municipality_name,
        n.region_name as region_name,
        c.intervention_code as intervention_code,
        n.intervention_name as intervention_name,
        n.area as area,
        c.citizens_assessed as citizens_assessed,
        c.citizens_reassessed as citizens_reassessed,
        c.citizens_need_down as citizens_need_down,
        c.citizens_need_unchanged as citizens_need_unchanged,
        c.citizens_need_up as citizens_need_up,
        cast(c.citizens_need_down as double precision)
            / nullif(cast(c.citizens_assessed as double precision), 0) as share_need_down
    from counts as c
    inner join granted as n
        on n.municipality_code = c.municipality_code
        and n.intervention_code = c.intervention_code
)

select
    municipality_code,
    municipality_name,
    region_name,
    intervention_code,
    intervention_name,
    area,
    citizens_assessed,
    citizens_reassessed,
    citizens_need_down,
    citizens_need_unchanged,
    citizens_need_up,
    share_need_down
from final
