-- The approval ledger (see docs/settlements.md and docs/security.md).
-- settlement_approval holds one row per approved run, numbered 1, 2, 3, ... in the order
-- of approval: ordering comes from this sequence, never from a clock. Each row is chained
-- to the one before by its hash and keeps the run's inputs, so that `socialbench settle
-- verify` can recompute every approved run.

-- How many approvals the ledger held when the draft was computed (what it deducted).
alter table settlement_run add column ledger_position integer;

create table settlement_approval (
    approval_no integer primary key,
    run_id varchar not null unique,
    model_id varchar not null,
    as_of date not null,
    approved_at timestamp not null,
    model_sha256 varchar,
    inputs_sha256 varchar,
    lines_sha256 varchar,
    previous_sha256 varchar unique,
    record_sha256 varchar unique,
    inputs_gz bytea,
    -- At most one approved run per model and as-of date.
    unique (model_id, as_of)
);

-- Which model settles an intervention: the first model approved on it. A second model
-- whose scope overlaps cannot claim it (the primary key refuses it).
create table settlement_scope (
    intervention_code varchar primary key,
    model_id varchar not null,
    first_approval_no integer not null
);

-- How many approvals the ledger started with (runs approved before it was chained):
-- only these may lack hashes.
create table settlement_ledger_origin (
    legacy_approvals integer not null
);

-- Runs the old ledger approved a second time for the same model and date: a payment
-- that happened, so it is deducted like any other, and `settle verify` lists it.
create table settlement_legacy_duplicate (
    run_id varchar primary key
);

-- Runs approved before the ledger existed, in the order they were approved; only the
-- first of several approved runs of one model and date.
insert into settlement_approval (approval_no, run_id, model_id, as_of, approved_at, inputs_sha256)
select row_number() over (order by approved_at, run_id) as approval_no, run_id, model_id, as_of, approved_at, inputs_sha256
from (
    select run_id, model_id, as_of, approved_at, inputs_sha256,
        row_number() over (partition by model_id, as_of order by approved_at, run_id) as nth
    from settlement_run
    where status = 'approved'
) as approved
where nth = 1;

insert into settlement_ledger_origin (legacy_approvals)
select count(*) from settlement_approval;

insert into settlement_legacy_duplicate (run_id)
select run_id
from (
    select run_id, row_number() over (partition by model_id, as_of order by approved_at, run_id) as nth
    from settlement_run
    where status = 'approved'
) as approved
where nth > 1;
