-- Derived benchmark tables, recomputed from the loaded data by `socialbench refresh`.
-- Amounts are kroner (float8: ratios, not booked amounts). Portable DDL, no foreign keys.

-- Peer municipalities ("sammenligningskommuner") per year and method.
create table bm_peer (
    municipality_code integer not null,
    municipality_name varchar,
    year integer not null,
    method varchar not null,
    peer_code integer not null,
    peer_name varchar,
    peer_rank integer not null,
    distance float8,
    primary key (municipality_code, year, method, peer_code)
);

-- Key figures against the peers' mean and median (fixed prices).
create table bm_peer_comparison (
    municipality_code integer not null,
    municipality_name varchar,
    year integer not null,
    method varchar not null,
    key_figure varchar not null,
    key_figure_label varchar not null,
    intervention_code varchar,
    own_value float8,
    peer_mean float8,
    peer_median float8,
    peer_count integer not null,
    difference_dkk float8,
    difference_pct float8,
    primary key (municipality_code, year, method, key_figure)
);

-- Actual against structurally expected cost per inhabitant (OLS per year and measure).
create table bm_expected_cost (
    municipality_code integer not null,
    municipality_name varchar,
    year integer not null,
    measure varchar not null,
    actual float8 not null,
    expected float8 not null,
    difference float8 not null,
    population float8 not null,
    excess_spending_dkk float8 not null,
    r_squared float8,
    n_municipalities integer not null,
    primary key (municipality_code, year, measure)
);

-- Savings potential against the nearest peers' median unit cost.
create table bm_savings_potential (
    municipality_code integer not null,
    municipality_name varchar,
    year integer not null,
    intervention_code varchar not null,
    intervention_name varchar,
    unit_cost_dkk float8,
    peer_median_unit_cost_dkk float8,
    full_year_citizens float8,
    potential_dkk float8,
    unit_cost_fixed_dkk float8,
    peer_median_unit_cost_fixed_dkk float8,
    potential_fixed_dkk float8,
    peer_count integer not null,
    primary key (municipality_code, year, intervention_code)
);

-- The options the derived tables were last computed with (one row).
create table bm_refresh (
    refreshed_at timestamp not null,
    comparison_methods varchar not null,
    k integer not null,
    indicators varchar not null
);
