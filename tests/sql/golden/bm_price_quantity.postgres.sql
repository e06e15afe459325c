WITH unit_costs AS (
  SELECT
    u.municipality_code AS municipality_code,
    u.municipality_name AS municipality_name,
    u.region_name AS region_name,
    u.dst_municipality_group AS dst_municipality_group,
    u.year AS year,
    u.intervention_code AS intervention_code,
    u.intervention_name AS intervention_name,
    u.area AS area,
    u.price_base_year AS price_base_year,
    u.unit_cost_fixed_dkk AS unit_cost_fixed_dkk,
    CAST(u.full_year_citizens AS DOUBLE PRECISION) AS full_year_citizens
  FROM bm_unit_cost AS u
), pairs AS (
  SELECT
    cur.municipality_code AS municipality_code,
    cur.municipality_name AS municipality_name,
    cur.region_name AS region_name,
    cur.dst_municipality_group AS dst_municipality_group,
    cur.intervention_code AS intervention_code,
    cur.intervention_name AS intervention_name,
    cur.area AS area,
    cur.year AS year,
    prev.year AS previous_year,
    cur.price_base_year AS price_base_year,
    prev.unit_cost_fixed_dkk AS p_previous,
    cur.unit_cost_fixed_dkk AS p_current,
    prev.full_year_citizens AS q_previous,
    cur.full_year_citizens AS q_current
  FROM unit_costs AS cur
  INNER JOIN unit_costs AS prev
    ON prev.municipality_code = cur.municipality_code
    AND prev.intervention_code = cur.intervention_code
    AND prev.year = cur.year - 1
), effects AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.municipality_name AS municipality_name,
    p.region_name AS region_name,
    p.dst_municipality_group AS dst_municipality_group,
    p.intervention_code AS intervention_code,
    p.intervention_name AS intervention_name,
    p.area AS area,
    p.year AS year,
    p.previous_year AS previous_year,
    p.price_base_year AS price_base_year,
    p.p_previous AS unit_cost_fixed_previous_dkk,
    p.p_current AS unit_cost_fixed_dkk,
    p.q_previous AS full_year_citizens_previous,
    p.q_current AS full_year_citizens,
    p.p_previous * p.q_previous AS expenditure_fixed_previous_dkk,
    p.p_current * p.q_current AS expenditure_fixed_dkk,
    p.p_current * p.q_current - p.p_previous * p.q_previous AS expenditure_change_fixed_dkk,
    (
      p.p_current - p.p_previous
    ) * (
      p.q_current + p.q_previous
    ) / CAST(2 AS DOUBLE PRECISION) AS price_effect_dkk,
    (
      p.q_current - p.q_previous
    ) * (
      p.p_current + p.p_previous
    ) / CAST(2 AS DOUBLE PRECISION) AS quantity_effect_dkk
  FROM pairs AS p
)
SELECT
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
FROM effects
