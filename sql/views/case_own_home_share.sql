-- Citizens supported in their own home against citizens in housing, per municipality and
-- month end, from the grants. A grant is active at a month end when it started on or
-- before the month's last day and has not ended on or before it (as in
-- the grant figures per month). A citizen with an active § 107 or § 108 grant (housing) counts as
-- in housing; a citizen with an active § 85 grant (support in the own home) and neither
-- counts as in the own home. Months run from the municipality's first grant.
--
-- Counted without a row per citizen and month: a citizen's grants of one kind are merged
-- into periods that do not overlap, [start, end) with an open end far in the future, so
-- that on any day a citizen is in at most one period of a kind; the citizens of a kind at
-- a month end are then the periods active at it, a running sum of +1 in the month a period
-- starts and -1 in the month it ends. Two kinds: housing (§ 107, § 108) and supported (any
-- of § 85, § 107, § 108). In the own home = supported - in housing (a supported citizen
-- not in housing has an active § 85 grant).
with

months as (
    select
        c.month as month,
        c.month_end as month_end,
        cast(extract(year from c.month) * 12 + extract(month from c.month) as integer) as month_key
    from int_calendar_month as c
),

support_grants as (
    select
        g.municipality_code as municipality_code,
        g.citizen_key as citizen_key,
        g.intervention_code as intervention_code,
        g.start_date as start_date,
        coalesce(g.end_date, date '9999-12-31') as end_date
    from grants as g
    where g.intervention_code in ('SEL85', 'SEL107', 'SEL108')
),

first_months as (
    select
        g.municipality_code as municipality_code,
        min(g.start_date) as first_start
    from support_grants as g
    group by g.municipality_code
),

kinds as (
    select
        g.municipality_code as municipality_code,
        g.citizen_key as citizen_key,
        'supported' as kind,
        g.start_date as start_date,
        g.end_date as end_date
    from support_grants as g
    union all
    select
        g.municipality_code as municipality_code,
        g.citizen_key as citizen_key,
        'housing' as kind,
        g.start_date as start_date,
        g.end_date as end_date
    from support_grants as g
    where g.intervention_code in ('SEL107', 'SEL108')
),

-- The latest end among the citizen's earlier grants of the kind: a grant that starts after
-- it starts a new period.
reaches as (
    select
        k.municipality_code as municipality_code,
        k.citizen_key as citizen_key,
        k.kind as kind,
        k.start_date as start_date,
        k.end_date as end_date,
        max(k.end_date) over (
            partition by k.municipality_code, k.citizen_key, k.kind
            order by k.start_date asc, k.end_date asc
            rows between unbounded preceding and 1 preceding
        ) as reach
    from kinds as k
),

numbered as (
    select
        r.municipality_code as municipality_code,
        r.citizen_key as citizen_key,
        r.kind as kind,
        r.start_date as start_date,
        r.end_date as end_date,
        sum(case when r.reach is null or r.reach < r.start_date then 1 else 0 end) over (
            partition by r.municipality_code, r.citizen_key, r.kind
            order by r.start_date asc, r.end_date asc
            rows between unbounded preceding and current row
        ) as period_no
    from reaches as r
),

periods as (
    select
        n.municipality_code as municipality_code,
        n.kind as kind,
        min(n.start_date) as start_date,
        max(n.end_date) as end_date
    from numbered as n
    group by n.municipality_code, n.citizen_key, n.kind, n.period_no
),

-- +1 in the month a period starts, -1 in the month it ends (an end in the future never
-- comes within the months).
events as (
    select
        p.municipality_code as municipality_code,
        p.kind as kind,
        cast(extract(year from p.start_date) * 12 + extract(month from p.start_date) as integer) as month_key,
        1 as delta
    from periods as p
    union all
    select
        p.municipality_code as municipality_code,
        p.kind as kind,
        cast(extract(year from p.end_date) * 12 + extract(month from p.end_date) as integer) as month_key,
        -1 as delta
    from periods as p
),

changes as (
    select
        e.municipality_code as municipality_code,
        e.month_key as month_key,
        sum(case when e.kind = 'supported' then e.delta else 0 end) as supported_delta,
        sum(case when e.kind = 'housing' then e.delta else 0 end) as housing_delta
    from events as e
    group by e.municipality_code, e.month_key
),

counted as (
    select
        f.municipality_code as municipality_code,
        m.month_end as month_end,
        sum(coalesce(c.supported_delta, 0)) over (
            partition by f.municipality_code
            order by m.month_key asc
            rows between unbounded preceding and current row
        ) as citizens_supported,
        sum(coalesce(c.housing_delta, 0)) over (
            partition by f.municipality_code
            order by m.month_key asc
            rows between unbounded preceding and current row
        ) as citizens_housing
    from first_months as f
    inner join months as m
        on m.month_end >= f.first_start
    left join changes as c
        on c.municipality_code = f.municipality_code
        and c.month_key = m.month_key
),

final as (
    select
        c.municipality_code as municipality_code,
        c.month_end as month_end,
        cast(c.citizens_supported - c.citizens_housing as integer) as citizens_own_home,
        cast(c.citizens_housing as integer) as citizens_housing,
        cast(c.citizens_supported - c.citizens_housing as double precision)
            / nullif(cast(c.citizens_supported as double precision), 0)
            as own_home_share
    from counted as c
)

select
    municipality_code,
    month_end,
    citizens_own_home,
    citizens_housing,
    own_home_share
from final
