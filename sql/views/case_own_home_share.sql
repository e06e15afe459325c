-- Citizens supported in their own home against citizens in housing, per municipality and
-- month end, from the grants. A grant is active at a month end when it started on or
-- before the month's last day and has not ended on or before it (as in
-- the grant figures per month). A citizen with an active § 107 or § 108 grant (housing) counts as
-- in housing; a citizen with an active § 85 grant (support in the own home) and neither
-- counts as in the own home. Months run from the municipality's first grant.
with

months as (
    select
        c.month as month,
        c.month_end as month_end
    from int_calendar_month as c
),

support_grants as (
    select
        g.citizen_key as citizen_key,
        g.municipality_code as municipality_code,
        g.intervention_code as intervention_code,
        g.start_date as start_date,
        g.end_date as end_date
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

citizens as (
    select
        g.municipality_code as municipality_code,
        m.month_end as month_end,
        g.citizen_key as citizen_key,
        max(case when g.intervention_code in ('SEL107', 'SEL108') then 1 else 0 end) as in_housing,
        max(case when g.intervention_code = 'SEL85' then 1 else 0 end) as own_home_support
    from support_grants as g
    inner join months as m
        on g.start_date <= m.month_end
        and (g.end_date is null or g.end_date > m.month_end)
    group by g.municipality_code, m.month_end, g.citizen_key
),

counted as (
    select
        c.municipality_code as municipality_code,
        c.month_end as month_end,
        sum(case when c.own_home_support = 1 and c.in_housing = 0 then 1 else 0 end) as citizens_own_home,
        sum(c.in_housing) as citizens_housing
    from citizens as c
    group by c.municipality_code, c.month_end
),

final as (
    select
        f.municipality_code as municipality_code,
        m.month_end as month_end,
        cast(coalesce(c.citizens_own_home, 0) as integer) as citizens_own_home,
        cast(coalesce(c.citizens_housing, 0) as integer) as citizens_housing,
        cast(coalesce(c.citizens_own_home, 0) as double precision)
            / nullif(cast(coalesce(c.citizens_own_home, 0) + coalesce(c.citizens_housing, 0) as double precision), 0)
            as own_home_share
    from first_months as f
    inner join months as m
        on m.month_end >= f.first_start
    left join counted as c
        on c.municipality_code = f.municipality_code
        and c.month_end = m.month_end
)

select
    municipality_code,
    month_end,
    citizens_own_home,
    citizens_housing,
    own_home_share
from final
