-- Every grant with the municipality that granted it, its intervention and the days it
-- has run, first and last day both counted. An open grant (no end date) is measured up
-- to the reference date of the grant figures (cockpit_reference_date), not today. The
-- cockpit views read their grants from here.
with

municipalities as (
    select
        m.municipality_code as municipality_code,
        m.municipality_name as municipality_name,
        m.region_name as region_name
    from municipality as m
),

interventions as (
    select
        i.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area
    from intervention as i
),

reference as (
    select
        r.reference_date as reference_date
    from cockpit_reference_date as r
),

measured as (
    select
        g.grant_id as grant_id,
        g.start_date as start_date,
        r.reference_date as reference_date,
        coalesce(g.end_date, r.reference_date) as measured_to
    from grants as g
    cross join reference as r
),

days as (
    select
        m.grant_id as grant_id,
        m.reference_date as reference_date,
        m.measured_to as measured_to,
        cast(extract(day from (cast(m.measured_to as timestamp) - cast(m.start_date as timestamp))) as integer)
            + 1 as duration_days
    from measured as m
),

final as (
    select
        g.grant_id as grant_id,
        g.citizen_key as citizen_key,
        g.municipality_code as municipality_code,
        mu.municipality_name as municipality_name,
        mu.region_name as region_name,
        g.provider_id as provider_id,
        g.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area,
        g.start_date as start_date,
        g.end_date as end_date,
        g.end_reason as end_reason,
        case when g.end_date is null then 1 else 0 end as is_open,
        d.reference_date as reference_date,
        d.measured_to as measured_to,
        d.duration_days as duration_days
    from grants as g
    inner join days as d
        on d.grant_id = g.grant_id
    left join municipalities as mu
        on mu.municipality_code = g.municipality_code
    left join interventions as i
        on i.intervention_code = g.intervention_code
)

select
    grant_id,
    citizen_key,
    municipality_code,
    municipality_name,
    region_name,
    provider_id,
    intervention_code,
    intervention_name,
    area,
    start_date,
    end_date,
    end_reason,
    is_open,
    reference_date,
    measured_to,
    duration_days
from final
