-- Change in expenditure from the year before, in fixed prices, split into a price
-- effect (unit cost) and a quantity effect (full-year citizens). With p the unit cost
-- in fixed prices and q the full-year citizens, the two effects use the average of
-- the other factor, so they add up exactly to p_t*q_t - p_(t-1)*q_(t-1).
with

unit_costs as (
    select
        u.municipality_code as municipality_code,
        u.municipality_name as municipality_name,
        u.region_name as region_name,
        u.dst_municipality_group as dst_municipality_group,
        u.year as year,
        u.intervention_code as intervention_code,
        u.intervention_name as intervention_name,
        u.area as area,
        u.price_base_year as price_base_year,
        u.unit_cost_fixed_dkk as unit_cost_fixed_dkk,
        cast(u.full_year_citizens as double precision) as full_year_citizens
    from bm_unit_cost as u
),

-- Year t paired with year t-1 of the same municipality and intervention.
pairs as (
    select
        cur.municipality_code as municipality_code,
        cur.municipality_name as municipality_name,
        cur.region_name as region_name,
        cur.dst_municipality_group as dst_municipality_group,
        cur.intervention_code as intervention_code,
        cur.intervention_name as intervention_name,
        cur.area as area,
        cur.year as year,
        prev.year as previous_year,
        cur.price_base_year as price_base_year,
        prev.unit_cost_fixed_dkk as p_previous,
        cur.unit_cost_fixed_dkk as p_current,
        prev.full_year_citizens as q_previous,
        cur.full_year_citizens as q_current
    from unit_costs as cur
    inner join unit_costs as prev
        on prev.municipality_code = cur.municipality_code
        and prev.intervention_code = cur.intervention_code
        and prev.year = cur.year - 1
),

effects as (
    select
        p.municipality_code as municipality_code,
        p.municipality_name as municipality_name,
        p.region_name as region_name,
        p.dst_municipality_group as dst_municipality_group,
        p.intervention_code as intervention_code,
        p.intervention_name as intervention_name,
        p.area as area,
        p.year as year,
        p.previous_year as previous_year,
        p.price_base_year as price_base_year,
        p.p_previous as unit_cost_fixed_previous_dkk,
        p.p_current as unit_cost_fixed_dkk,
        p.q_previous as full_year_citizens_previous,
        p.q_current as full_year_citizens,
        p.p_previous * p.q_previous as expenditure_fixed_previous_dkk,
        p.p_current * p.q_current as expenditure_fixed_dkk,
        p.p_current * p.q_current - p.p_previous * p.q_previous as expenditure_change_fixed_dkk,
        (p.p_current - p.p_previous) * (p.q_current + p.q_previous) / cast(2 as double precision) as price_effect_dkk,
        (p.q_current - p.q_previous) * (p.p_current + p.p_previous) / cast(2 as double precision) as quantity_effect_dkk
    from pairs as p
)

select
    municipality_code,
    municipality_name,
    region_name,
    dst_municipality_group,
    intervention_code,
    intervention_name,
    area,
    year,
    previous_year,
    price_base_year,
    unit_cost_fixed_previous_dkk,
    unit_cost_fixed_dkk,
    full_year_citizens_previous,
    full_year_citizens,
    expenditure_fixed_previous_dkk,
    expenditure_fixed_dkk,
    expenditure_change_fixed_dkk,
    price_effect_dkk,
    quantity_effect_dkk
from effects
