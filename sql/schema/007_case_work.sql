-- Case work (docs/case-work.md): the cases behind the grants, child investigations, the
-- caseworkers and the places of the municipalities' own housing providers. Portable DDL,
-- no foreign keys (the loader checks references).

-- Where a case came from, with its Danish name (reference data, socialbench/data/case_sources.csv).
create table case_source (
    source_code varchar primary key,
    source_name varchar not null
);

-- The intervention ladder (indsatstrappe): 1 support in the own home or preventive,
-- 2 temporary or family-based, 3 long-term housing or institution.
alter table intervention add column ladder_step integer;

create table cases (
    case_id varchar primary key,
    citizen_key varchar not null,
    municipality_code integer not null,
    area varchar not null,
    received_on date not null,
    source varchar not null,
    decided_on date,
    decision varchar,
    immediate_effort boolean not null,
    closed_on date,
    caseworker_id varchar
);

create table investigations (
    investigation_id varchar primary key,
    case_id varchar not null,
    started_on date not null,
    completed_on date
);

create table caseworkers (
    caseworker_id varchar primary key,
    municipality_code integer not null,
    team varchar not null,
    fte numeric(4, 3) not null,
    employed_from date not null,
    employed_to date
);

create table housing_places (
    provider_id varchar not null,
    intervention_code varchar not null,
    valid_from date not null,
    places integer not null,
    primary key (provider_id, intervention_code, valid_from)
);
