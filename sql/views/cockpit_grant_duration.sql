-- Duration of each grant in days, first and last day both counted. An open grant (no
-- end date) is measured up to the reference date: the latest date in the grant and
-- assessment data (not today, so that the figures do not change while the data stand).
-- The grants of int_grant_days without the citizen, with the start year for cohorts.
select
    g.grant_id as grant_id,
    g.municipality_code as municipality_code,
    g.municipality_name as municipality_name,
    g.region_name as region_name,
    g.provider_id as provider_id,
    g.intervention_code as intervention_code,
    g.intervention_name as intervention_name,
    g.area as area,
    g.start_date as start_date,
    cast(extract(year from g.start_date) as integer) as start_year,
    g.end_date as end_date,
    g.end_reason as end_reason,
    g.is_open as is_open,
    g.reference_date as reference_date,
    g.measured_to as measured_to,
    g.duration_days as duration_days
from int_grant_days as g
