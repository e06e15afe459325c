-- Stored copies of the cockpit views that recompute, on every query, what only changes
-- when data are loaded (window sorts over all assessments, a month calendar with a running
-- sum, the reference date over all dates). `socialbench refresh` (run after every load)
-- replaces their rows with the view's rows, in the same transaction as the benchmark
-- tables; the dashboards read these tables, the views stay the definition.
-- Same columns, types and keys as the views (sql/views/cockpit_*.sql); portable DDL.
-- Not named bm_*: they hold municipality rows of grant data, so row-level security
-- applies to them (superset_plugins/roles.py leaves bm_* open to all).

create table if not exists cockpit_support_need_stored (
    municipality_code integer not null,
    municipality_name varchar,
    region_name varchar,
    intervention_code varchar not null,
    intervention_name varchar,
    area varchar,
    citizens_assessed integer not null,
    citizens_reassessed integer not null,
    citizens_need_down integer not null,
    citizens_need_unchanged integer not null,
    citizens_need_up integer not null,
    share_need_down float8 not null,
    primary key (municipality_code, intervention_code)
);

create table if not exists cockpit_grant_month_stored (
    municipality_code integer not null,
    municipality_name varchar,
    region_name varchar,
    intervention_code varchar not null,
    intervention_name varchar,
    area varchar,
    month_start date not null,
    calendar_year integer not null,
    month_number integer not null,
    active_grants_end_of_month integer not null,
    inflow_grants integer not null,
    outflow_grants integer not null,
    reference_date date not null,
    primary key (municipality_code, intervention_code, month_start)
);

create table if not exists cockpit_grant_duration_stored (
    grant_id varchar not null,
    municipality_code integer not null,
    municipality_name varchar,
    region_name varchar,
    provider_id varchar not null,
    intervention_code varchar not null,
    intervention_name varchar,
    area varchar,
    start_date date not null,
    start_year integer not null,
    end_date date,
    end_reason varchar,
    is_open integer not null,
    reference_date date not null,
    measured_to date not null,
    duration_days integer not null,
    primary key (grant_id)
);
