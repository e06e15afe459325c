-- Grants per municipality, intervention and calendar month: inflow (grants starting in
-- the month), outflow (grants ending in the month) and grants active at the end of the
-- month (started in or before the month and not ended in or before it). Months run from
-- the first grant's start month of each municipality and intervention up to the
-- reference month: the month of the latest date in the grant and assessment data.
with

-- Months are numbered year * 12 + month - 1, so consecutive months differ by 1.
grant_periods as (
    select
        g.grant_id as grant_id,
        g.municipality_code as municipality_code,
        g.municipality_name as municipality_name,
        g.region_name as region_name,
        g.intervention_code as intervention_code,
        g.intervention_name as intervention_name,
        g.area as area,
        cast(extract(year from g.start_date) as integer) * 12
            + cast(extract(month from g.start_date) as integer) - 1 as start_month_index,
        case
            when g.end_date is not null
                then cast(extract(year from g.end_date) as integer) * 12
                    + cast(extract(month from g.end_date) as integer) - 1
        end as end_month_index
    from int_grant_days as g
),

reference as (
    select
        r.reference_date as reference_date
    from cockpit_reference_date as r
),

reference_month as (
    select
        r.reference_date as reference_date,
        cast(extract(year from r.reference_date) as integer) * 12
            + cast(extract(month from r.reference_date) as integer) - 1 as reference_month_index
    from reference as r
),

series as (
    select
        p.municipality_code as municipality_code,
        p.municipality_name as municipality_name,
        p.region_name as region_name,
        p.intervention_code as intervention_code,
        p.intervention_name as intervention_name,
        p.area as area,
        min(p.start_month_index) as first_month_index
    from grant_periods as p
    group by p.municipality_code, p.municipality_name, p.region_name, p.intervention_code, p.intervention_name, p.area
),

-- Every month of the calendar up to the reference month of the grant figures.
months as (
    select
        r.reference_date as reference_date,
        c.calendar_year as calendar_year,
        c.month_number as month_number,
        c.calendar_year * 12 + c.month_number - 1 as month_index
    from int_calendar_month as c
    cross join reference_month as r
    where c.calendar_year * 12 + c.month_number - 1 <= r.reference_month_index
),

calendar as (
    select
        s.municipality_code as municipality_code,
        s.intervention_code as intervention_code,
        m.reference_date as reference_date,
        m.calendar_year as calendar_year,
        m.month_number as month_number,
        m.month_index as month_index
    from series as s
    inner join months as m
        on m.month_index >= s.first_month_index
),

inflow as (
    select
        p.municipality_code as municipality_code,
        p.intervention_code as intervention_code,
        p.start_month_index as month_index,
        count(*) as grants_started
    from grant_periods as p
    group by p.municipality_code, p.intervention_code, p.start_month_index
),

outflow as (
    select
        p.municipality_code as municipality_code,
        p.intervention_code as intervention_code,
        p.end_month_index as month_index,
        count(*) as grants_ended
    from grant_periods as p
    where p.end_month_index is not null
    group by p.municipality_code, p.intervention_code, p.end_month_index
),

flows as (
    select
        c.municipality_code as municipality_code,
        c.intervention_code as intervention_code,
        c.reference_date as reference_date,
        c.calendar_year as calendar_year,
        c.month_number as month_number,
        c.month_index as month_index,
        cast(coalesce(i.grants_started, 0) as integer) as inflow_grants,
        cast(coalesce(o.grants_ended, 0) as integer) as outflow_grants
    from calendar as c
    left join inflow as i
        on i.municipality_code = c.municipality_code
        and i.intervention_code = c.intervention_code
        and i.month_index = c.month_index
    left join outflow as o
        on o.municipality_code = c.municipality_code
        and o.intervention_code = c.intervention_code
        and o.month_index = c.month_index
),

-- Active at month end = all grants started so far minus all grants ended so far.
stock as (
    select
        f.municipality_code as municipality_code,
        f.intervention_code as intervention_code,
        f.reference_date as reference_date,
        f.calendar_year as calendar_year,
        f.month_number as month_number,
        f.inflow_grants as inflow_grants,
        f.outflow_grants as outflow_grants,
        cast(sum(f.inflow_grants - f.outflow_grants) over (
            partition by f.municipality_code, f.intervention_code
            order by f.month_index
            rows between unbounded preceding and current row
        ) as integer) as active_grants_end_of_month
    from flows as f
),

final as (
    select
        s.municipality_code as municipality_code,
        se.municipality_name as municipality_name,
        se.region_name as region_name,
        s.intervention_code as intervention_code,
        se.intervention_name as intervention_name,
        se.area as area,
        cast(
            cast(s.calendar_year as varchar) || '-' || lpad(cast(s.month_number as varchar), 2, '0') || '-01'
            as date
        ) as month_start,
        s.calendar_year as calendar_year,
        s.month_number as month_number,
        s.active_grants_end_of_month as active_grants_end_of_month,
        s.inflow_grants as inflow_grants,
        s.outflow_grants as outflow_grants,
        s.reference_date as reference_date
    from stock as s
    inner join series as se
        on se.municipality_code = s.municipality_code
        and se.intervention_code = s.intervention_code
)

select
    municipality_code,
    municipality_name,
    region_name,
    intervention_code,
    intervention_name,
    area,
    month_start,
    calendar_year,
    month_number,
    active_grants_end_of_month,
    inflow_grants,
    outflow_grants,
    reference_date
from final
