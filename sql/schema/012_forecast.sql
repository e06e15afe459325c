-- The budget follow-up and year-end forecast (docs/forecast.md), written by
-- `socialbench forecast` and by `socialbench refresh` (socialbench/forecast/store.py):
-- the whole of each table is replaced in one transaction, for one as-of date R.
-- Amounts are exact kroner with 2 decimals (computed in whole øre); full-year citizens
-- are a ratio of days and stored as float8.
-- Not named bm_*: they hold municipality and citizen rows of grant data, so row-level
-- security applies to them (superset_plugins/roles.py).

create table if not exists fc_grant_month (
    municipality_code integer not null,
    intervention_code varchar not null,
    provider_id varchar not null,
    grant_id varchar not null,
    citizen_key varchar not null,
    month date not null,
    active_days integer not null,
    cost_dkk numeric(16, 2) not null,
    as_of date not null,
    primary key (grant_id, month)
);

create table if not exists fc_forecast (
    municipality_code integer not null,
    year integer not null,
    intervention_code varchar not null,
    as_of date not null,
    budget_dkk numeric(16, 2),
    planned_full_year_citizens numeric(14, 4),
    planned_unit_cost_dkk numeric(14, 2),
    actual_to_date_dkk numeric(16, 2) not null,
    committed_dkk numeric(16, 2) not null,
    expected_new_dkk numeric(16, 2) not null,
    forecast_dkk numeric(16, 2) not null,
    deviation_dkk numeric(16, 2),
    forecast_full_year_citizens float8 not null,
    forecast_unit_cost_dkk numeric(16, 2),
    price_deviation_dkk numeric(16, 2),
    quantity_deviation_dkk numeric(16, 2),
    primary key (municipality_code, year, intervention_code)
);

create table if not exists fc_expensive_cases (
    municipality_code integer not null,
    year integer not null,
    area varchar not null,
    citizen_key varchar not null,
    as_of date not null,
    gross_cost_dkk numeric(16, 2) not null,
    refund_dkk numeric(16, 2) not null,
    net_cost_dkk numeric(16, 2) not null,
    rank_in_municipality integer not null,
    primary key (municipality_code, year, area, citizen_key)
);

-- One row per month of the year: the actual cost to R and the forecast cost after R
-- (R's month has both, unless R is its last day), against 1/12 of the budget.
create table if not exists fc_month (
    municipality_code integer not null,
    year integer not null,
    intervention_code varchar not null,
    month date not null,
    as_of date not null,
    actual_dkk numeric(16, 2) not null,
    forecast_dkk numeric(16, 2) not null,
    budget_month_dkk numeric(16, 2),
    primary key (municipality_code, intervention_code, month)
);
