-- Occupancy of the places a municipality runs itself, per provider, intervention and
-- month: for the providers with an owner_municipality_code (the municipality in the
-- rows) and places declared; `places` is the number on the month's last day. The places on a day are those of the latest valid_from on
-- or before it. place_days = Σ over the month's days of the places that day;
-- occupied_days = Σ over the grants at the provider for the intervention (any
-- municipality's citizens) of their days in the month, an open grant to the month's end;
-- occupancy = occupied_days ÷ place_days; empty_places = (place_days − occupied_days) ÷
-- the days of the month.
with

months as (
    select
        c.month as month,
        c.month_end as month_end,
        c.days_in_month as days_in_month
    from int_calendar_month as c
),

owned as (
    select
        p.provider_id as provider_id,
        p.owner_municipality_code as municipality_code
    from providers as p
    where p.owner_municipality_code is not null
),

-- Each number of places holds from its valid_from to the day before the next one.
periods as (
    select
        h.provider_id as provider_id,
        h.intervention_code as intervention_code,
        h.places as places,
        h.valid_from as valid_from,
        lead(h.valid_from) over (
            partition by h.provider_id, h.intervention_code
            order by h.valid_from asc
        ) as next_from
    from housing_places as h
),

place_days as (
    select
        p.provider_id as provider_id,
        p.intervention_code as intervention_code,
        m.month as month,
        sum(p.places * (cast(extract(day from (
            cast(case when p.next_from is null or p.next_from > m.month_end
                then cast(m.month_end + interval '1 day' as date) else p.next_from end as timestamp)
            - cast(case when p.valid_from > m.month then p.valid_from else m.month end as timestamp)
        )) as integer))) as place_days,
        max(case when p.next_from is null or p.next_from > m.month_end then p.places end) as places
    from periods as p
    inner join months as m
        on p.valid_from <= m.month_end
        and (p.next_from is null or p.next_from > m.month)
    group by p.provider_id, p.intervention_code, m.month
),

-- Only the grants at the providers with their own places (the rows are theirs).
occupied as (
    select
        g.provider_id as provider_id,
        g.intervention_code as intervention_code,
        m.month as month,
        sum(cast(extract(day from (
            cast(case when g.end_date is null or g.end_date >= m.month_end
                then cast(m.month_end + interval '1 day' as date)
                else cast(g.end_date + interval '1 day' as date) end as timestamp)
            - cast(case when g.start_date > m.month then g.start_date else m.month end as timestamp)
        )) as integer)) as occupied_days
    from grants as g
    inner join owned as o
        on o.provider_id = g.provider_id
    inner join months as m
        on g.start_date <= m.month_end
        and (g.end_date is null or g.end_date >= m.month)
    group by g.provider_id, g.intervention_code, m.month
),

final as (
    select
        o.municipality_code as municipality_code,
        d.provider_id as provider_id,
        d.intervention_code as intervention_code,
        d.month as month,
        cast(d.places as integer) as places,
        cast(d.place_days as integer) as place_days,
        cast(coalesce(u.occupied_days, 0) as integer) as occupied_days,
        cast(coalesce(u.occupied_days, 0) as double precision)
            / nullif(cast(d.place_days as double precision), 0) as occupancy,
        cast(d.place_days - coalesce(u.occupied_days, 0) as double precision)
            / nullif(cast(m.days_in_month as double precision), 0) as empty_places
    from place_days as d
    inner join owned as o
        on o.provider_id = d.provider_id
    inner join months as m
        on m.month = d.month
    left join occupied as u
        on u.provider_id = d.provider_id
        and u.intervention_code = d.intervention_code
        and u.month = d.month
)

select
    municipality_code,
    provider_id,
    intervention_code,
    month,
    places,
    place_days,
    occupied_days,
    occupancy,
    empty_places
from final
