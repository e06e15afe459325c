SELECT
  g.grant_id AS grant_id,
  g.municipality_code AS municipality_code,
  g.municipality_name AS municipality_name,
  g.region_name AS region_name,
  g.provider_id AS provider_id,
  g.intervention_code AS intervention_code,
  g.intervention_name AS intervention_name,
  g.area AS area,
  g.start_date AS start_date,
  CAST(EXTRACT(YEAR FROM g.start_date) AS INT) AS start_year,
  g.end_date AS end_date,
  g.end_reason AS end_reason,
  g.is_open AS is_open,
  g.reference_date AS reference_date,
  g.measured_to AS measured_to,
  g.duration_days AS duration_days
FROM int_grant_days AS g
