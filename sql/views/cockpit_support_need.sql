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

-- A grant's first and latest assessment and their levels, in one pass over the assessments:
-- a grant has one assessment a day (the assessments' key), so the least and the greatest of
-- day number × 1000 + level are its first and latest assessment, and the level is that key
-- mod 1000 (levels are 0-4: the loader refuses others). The citizens are then ordered over
-- their grants, not over all their assessments.
grant_spans as (
    select
        a.grant_id as grant_id,
        min(a.assessed_on) as first_on,
        max(a.assessed_on) as latest_on,
        count(*) as assessments,
        min(cast(a.assessed_on - date '1970-01-01' as bigint) * 1000 + a.support_level) as first_key,
        max(cast(a.assessed_on - date '1970-01-01' as bigint) * 1000 + a.support_level) as latest_key
    from assessments as a
    group by a.grant_id
),

grant_levels as (
    select
        g.municipality_code as municipality_code,
        g.intervention_code as intervention_code,
        g.citizen_key as citizen_key,
        s.grant_id as grant_id,
        s.first_on as first_on,
        s.latest_on as latest_on,
        s.assessments as assessments,
        cast(mod(s.first_key, 1000) as integer) as first_level,
        cast(mod(s.latest_key, 1000) as integer) as latest_level
    from grant_spans as s
    inner join grant_rows as g
        on g.grant_id = s.grant_id
),

-- The citizen's first assessment: the earliest over the grants, on a tie the lowest
-- grant_id; the latest: the latest over the grants, on a tie the highest grant_id.
ordered as (
    select
        c.municipality_code as municipality_code,
        c.intervention_code as intervention_code,
        c.citizen_key as citizen_key,
        c.assessments as assessments,
        c.first_level as first_level,
        c.latest_level as latest_level,
        row_number() over (
            partition by c.municipality_code, c.intervention_code, c.citizen_key
            order by c.first_on asc, c.grant_id asc
        ) as from_first,
        row_number() over (
            partition by c.municipality_code, c.intervention_code, c.citizen_key
            order by c.latest_on desc, c.grant_id desc
        ) as from_latest
    from grant_levels as c
),

citizen_change as (
    select
        o.municipality_code as municipality_code,
        o.intervention_code as intervention_code,
        o.citizen_key as citizen_key,
        sum(o.assessments) as assessments,
        max(case when o.from_first = 1 then o.first_level end) as first_level,
        max(case when o.from_latest = 1 then o.latest_level end) as latest_level
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
