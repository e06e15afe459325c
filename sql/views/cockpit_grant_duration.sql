-- Duration of each grant in days, first and last day both counted. An open grant (no
-- end date) is measured up to the reference date: the latest date in the grant and
-- assessment data (not today, so that the figures do not change while the data stand).
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

grant_rows as (
    select
        g.grant_id as grant_id,
        g.municipality_code as municipality_code,
        g.provider_id as provider_id,
        g.intervention_code as intervention_code,
        g.start_date as start_date,
        g.end_date as end_date,
        g.end_reason as end_reason
    from grants as g
),

reference as (
    select
        r.reference_date as reference_date
    from cockpit_reference_date as r
),

measured as (
    select
        g.grant_id as grant_id,
        g.municipality_code as municipality_code,
        g.provider_id as provider_id,
        g.intervention_code as intervention_code,
        g.start_date as start_date,
        g.end_date as end_date,
        g.end_reason as end_reason,
        case when g.end_date is null then 1 else 0 end as is_open,
        r.reference_date as reference_date,
        coalesce(g.end_date, r.reference_date) as measured_to
    from grant_rows as g
    cross join reference as r
),

durations as (
    select
        m.grant_id as grant_id,
        m.municipality_code as municipality_code,
        m.provider_id as provider_id,
        m.intervention_code as intervention_code,
        m.start_date as start_date,
        m.end_date as end_date,
        m.end_reason as end_reason,
        m.is_open as is_open,
        m.reference_date as reference_date,
        m.measured_to as measured_to,
        cast(extract(day from (cast(m.measured_to as timestamp) - cast(m.start_date as timestamp))) as integer)
            + 1 as duration_days
    from measured as m
),

final as (
    select
        d.grant_id as grant_id,
        d.municipality_code as municipality_code,
        mu.municipality_name as municipality_name,
        mu.region_name as region_name,
        d.provider_id as provider_id,
        d.intervention_code as intervention_code,
        i.intervention_name as intervention_name,
        i.area as area,
        d.start_date as start_date,
        cast(extract(year from d.start_date) as integer) as start_year,
        d.end_date as end_date,
        d.end_reason as end_reason,
        d.is_open as is_open,
        d.reference_date as reference_date,
        d.measured_to as measured_to,
        d.duration_days as duration_days
    from durations as d
    left join municipalities as mu
        on mu.municipality_code = d.municipality_code
    left join interventions as i
        on i.intervention_code = d.intervention_code
)

select
    grant_id,
    municipality_code,
    municipality_name,
    region_name,
    provider_id,
    intervention_code,
    intervention_name,
    area,
    start_date,
    start_year,
    end_date,
    end_reason,
    is_open,
    reference_date,
    measured_to,
    duration_days
from final
