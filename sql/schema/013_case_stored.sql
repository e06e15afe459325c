-- Stored copies of the case-work views that recompute, on every chart query, what only
-- changes when data are loaded: a join of every grant, case or housing period with the
-- month calendar, grouped per month (case_own_home_share, case_occupancy,
-- case_caseworker_load). `socialbench refresh` (run after every load) replaces their rows
-- with the view's rows, in the same transaction as the benchmark tables
-- (benchmarks.refresh.STORED_VIEWS); the dashboards read these tables, the views stay the
-- definition. As 006_cockpit_stored.sql does for the cockpit views.
-- Same columns, types and keys as the views (sql/views/case_*.sql, the key being the
-- view's unique_combination); portable DDL, idempotent.
-- Not named bm_*: they hold municipality rows of grant and case data, so row-level
-- security applies to them (superset_plugins/roles.py filters every dataset with a
-- municipality_code column and leaves only bm_* and the public statistics open).

create table if not exists case_own_home_share_stored (
    municipality_code integer not null,
    month_end date not null,
    citizens_own_home integer not null,
    citizens_housing integer not null,
    own_home_share float8,
    primary key (municipality_code, month_end)
);

create table if not exists case_occupancy_stored (
    municipality_code integer not null,
    provider_id varchar not null,
    intervention_code varchar not null,
    month date not null,
    places integer not null,
    place_days integer not null,
    occupied_days integer not null,
    occupancy float8,
    empty_places float8,
    primary key (provider_id, intervention_code, month)
);

create table if not exists case_caseworker_load_stored (
    municipality_code integer not null,
    team varchar not null,
    month_end date not null,
    open_cases integer not null,
    caseworker_fte numeric(10, 3) not null,
    cases_per_fte float8,
    primary key (municipality_code, team, month_end)
);
