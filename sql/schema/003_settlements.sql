-- Settlement ledger for positive provider incentives (see docs/settlements.md).
-- A run is a draft until approved; approved runs are never changed or deleted.

create table settlement_run (
    run_id varchar primary key,
    model_id varchar not null,
    as_of date not null,
    status varchar not null,
    created_at timestamp not null,
    approved_at timestamp,
    inputs_sha256 varchar not null,
    line_count integer not null,
    total_saving_dkk numeric(14, 2) not null,
    total_earned_dkk numeric(14, 2) not null,
    total_payout_dkk numeric(14, 2) not null,
    total_held_back_dkk numeric(14, 2) not null,
    total_adjustment_dkk numeric(14, 2) not null,
    model_yaml varchar not null
);

-- One line per episode (grant_id, episode_start) in a run.
create table settlement_line (
    run_id varchar not null,
    provider_id varchar not null,
    municipality_code integer not null,
    intervention_code varchar not null,
    grant_id varchar not null,
    citizen_key varchar not null,
    episode_start date not null,
    baseline_level integer not null,
    qualified_on date,
    days_counted integer not null,
    exit_days integer not null,
    saving_to_date_dkk numeric(14, 2) not null,
    earned_dkk numeric(14, 2) not null,
    previously_paid_dkk numeric(14, 2) not null,
    payout_dkk numeric(14, 2) not null,
    adjustment_dkk numeric(14, 2) not null,
    held_back_dkk numeric(14, 2) not null,
    capped_by varchar,
    explanation varchar not null,
    primary key (run_id, grant_id, episode_start)
);
