-- Core warehouse: reference data and the loaded source tables.
-- Portable DDL: runs unchanged on DuckDB and PostgreSQL. No foreign keys: the loader
-- checks references, so that upserts can replace rows in any order.

create table municipality (
    municipality_code integer primary key,
    municipality_name varchar not null,
    region_code integer not null,
    region_name varchar not null,
    dst_municipality_group integer not null,
    dst_municipality_group_name varchar not null,
    population_2026 integer
);

create table intervention (
    intervention_code varchar primary key,
    intervention_name varchar not null,
    area varchar not null,
    legal_basis varchar,
    description varchar
);

create table account_function (
    function_code varchar primary key,
    function_name varchar not null,
    area varchar not null,
    intervention_code varchar,
    note varchar
);

-- Persons of that age on 1 January of year.
create table population (
    municipality_code integer not null,
    year integer not null,
    age integer not null,
    persons integer not null,
    primary key (municipality_code, year, age)
);

-- Net operating expenditure in current prices, kroner; kind is 'actual' or 'budget'.
create table expenditure (
    municipality_code integer not null,
    year integer not null,
    function_code varchar not null,
    kind varchar not null,
    amount_dkk numeric(18, 2) not null,
    primary key (municipality_code, year, function_code, kind)
);

create table full_year_citizens (
    municipality_code integer not null,
    year integer not null,
    intervention_code varchar not null,
    full_year_citizens numeric(14, 4) not null,
    primary key (municipality_code, year, intervention_code)
);

-- The municipal price and wage index (PL-indeks), any base.
create table price_index (
    year integer primary key,
    index_value numeric(14, 6) not null
);

create table structural_indicators (
    municipality_code integer not null,
    year integer not null,
    indicator varchar not null,
    value float8 not null,
    primary key (municipality_code, year, indicator)
);

create table providers (
    provider_id varchar primary key,
    provider_name varchar not null
);

create table grants (
    grant_id varchar primary key,
    citizen_key varchar not null,
    municipality_code integer not null,
    provider_id varchar not null,
    intervention_code varchar not null,
    start_date date not null,
    end_date date,
    end_reason varchar
);

create table assessments (
    grant_id varchar not null,
    assessed_on date not null,
    support_level integer not null,
    primary key (grant_id, assessed_on)
);

create table rates (
    intervention_code varchar not null,
    support_level integer not null,
    valid_from date not null,
    daily_rate_dkk numeric(12, 2) not null,
    primary key (intervention_code, support_level, valid_from)
);

-- Where each table's rows came from, so dashboards can say so (and say "synthetic").
create table data_source (
    table_name varchar primary key,
    source varchar not null,
    synthetic boolean not null,
    loaded_at timestamp not null
);
