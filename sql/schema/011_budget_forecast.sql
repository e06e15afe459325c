-- Budget follow-up and year-end forecast (docs/forecast.md): the budget as quantity x
-- price, provider tariffs beside the general rates, and the tiers of the state refusion
-- of particularly expensive single cases.
--
-- rates gains provider_id: '' (empty) is the general rate, else the provider's own tariff.
-- Stored as '' rather than null so that it can be part of the key on both engines (the
-- loader stores an empty cell as '', see meta.empty_as in sql/tables/rates.yml). The
-- table is rebuilt because neither engine changes a primary key in place portably.
create table rates_011 (
    intervention_code varchar not null,
    support_level integer not null,
    provider_id varchar not null default '',
    valid_from date not null,
    daily_rate_dkk numeric(12, 2) not null,
    primary key (intervention_code, support_level, provider_id, valid_from)
);
insert into rates_011 (intervention_code, support_level, provider_id, valid_from, daily_rate_dkk)
    select intervention_code, support_level, '', valid_from, daily_rate_dkk from rates;
drop table rates;
alter table rates_011 rename to rates;

create table budget_plan (
    municipality_code integer not null,
    year integer not null,
    intervention_code varchar not null,
    planned_full_year_citizens numeric(14, 4) not null,
    planned_unit_cost_dkk numeric(14, 2) not null,
    primary key (municipality_code, year, intervention_code)
);

create table refusion_tiers (
    year integer not null,
    area varchar not null,
    threshold_dkk numeric(14, 2) not null,
    refund_share numeric(6, 4) not null,
    primary key (year, area, threshold_dkk)
);
