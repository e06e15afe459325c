-- Caseworker load per municipality, team and month end: the cases open at the month's
-- last day (received on or before it and not closed on or before it) whose caseworker
-- belongs to the team, against the working time (FTE) of the team's caseworkers employed
-- that day (employed_from on or before it, employed_to empty or on or after it). A team
-- has a row for every month of the calendar in which it has open cases or FTE.
with

months as (
    select
        c.month_end as month_end
    from int_calendar_month as c
),

staff as (
    select
        w.caseworker_id as caseworker_id,
        w.municipality_code as municipality_code,
        w.team as team,
        w.fte as fte,
        w.employed_from as employed_from,
        w.employed_to as employed_to
    from caseworkers as w
),

assigned_cases as (
    select
        c.caseworker_id as caseworker_id,
        c.received_on as received_on,
        c.closed_on as closed_on
    from cases as c
    where c.caseworker_id is not null
),

team_fte as (
    select
        w.municipality_code as municipality_code,
        w.team as team,
        m.month_end as month_end,
        sum(w.fte) as caseworker_fte
    from staff as w
    inner join months as m
        on w.employed_from <= m.month_end
        and (w.employed_to is null or w.employed_to >= m.month_end)
    group by w.municipality_code, w.team, m.month_end
),

team_cases as (
    select
        w.municipality_code as municipality_code,
        w.team as team,
        m.month_end as month_end,
        count(*) as open_cases
    from assigned_cases as c
    inner join staff as w
        on w.caseworker_id = c.caseworker_id
    inner join months as m
        on c.received_on <= m.month_end
        and (c.closed_on is null or c.closed_on > m.month_end)
    group by w.municipality_code, w.team, m.month_end
),

final as (
    select
        coalesce(f.municipality_code, o.municipality_code) as municipality_code,
        coalesce(f.team, o.team) as team,
        coalesce(f.month_end, o.month_end) as month_end,
        cast(coalesce(o.open_cases, 0) as integer) as open_cases,
        cast(coalesce(f.caseworker_fte, 0) as numeric(10, 3)) as caseworker_fte,
        cast(coalesce(o.open_cases, 0) as double precision)
            / nullif(cast(f.caseworker_fte as double precision), 0) as cases_per_fte
    from team_fte as f
    full outer join team_cases as o
        on o.municipality_code = f.municipality_code
        and o.team = f.team
        and o.month_end = f.month_end
)

select
    municipality_code,
    team,
    month_end,
    open_cases,
    caseworker_fte,
    cases_per_fte
from final
