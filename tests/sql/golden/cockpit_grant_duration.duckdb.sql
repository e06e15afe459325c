WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name
  FROM municipality AS m
), interventions AS (
  SELECT
    i.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area
  FROM intervention AS i
), grant_rows AS (
  SELECT
    g.grant_id AS grant_id,
    g.municipality_code AS municipality_code,
    g.provider_id AS provider_id,
    g.intervention_code AS intervention_code,
    g.start_date AS start_date,
    g.end_date AS end_date,
    g.end_reason AS end_reason
  FROM grants AS g
), reference AS (
  SELECT
    r.reference_date AS reference_date
  FROM cockpit_reference_date AS r
), measured AS (
  SELECT
    g.grant_id AS grant_id,
    g.municipality_code AS municipality_code,
    g.provider_id AS provider_id,
    g.intervention_code AS intervention_code,
    g.start_date AS start_date,
    g.end_date AS end_date,
    g.end_reason AS end_reason,
    CASE WHEN g.end_date IS NULL THEN 1 ELSE 0 END AS is_open,
    r.reference_date AS reference_date,
    COALESCE(g.end_date, r.reference_date) AS measured_to
  FROM grant_rows AS g
  CROSS JOIN reference AS r
), durations AS (
  SELECT
    m.grant_id AS grant_id,
    m.municipality_code AS municipality_code,
    m.provider_id AS provider_id,
    m.intervention_code AS intervention_code,
    m.start_date AS start_date,
    m.end_date AS end_date,
    m.end_reason AS end_reason,
    m.is_open AS is_open,
    m.reference_date AS reference_date,
    m.measured_to AS measured_to,
    CAST(EXTRACT(DAY FROM (
      CAST(m.measured_to AS TIMESTAMP) - CAST(m.start_date AS TIMESTAMP)
    )) AS INT) + 1 AS duration_days
  FROM measured AS m
), final AS (
  SELECT
    d.grant_id AS grant_id,
    d.municipality_code AS municipality_code,
    mu.municipality_name AS municipality_name,
    mu.region_name AS region_name,
    d.provider_id AS provider_id,
    d.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area,
    d.start_date AS start_date,
    CAST(EXTRACT(YEAR FROM d.start_date) AS INT) AS start_year,
    d.end_date AS end_date,
    d.end_reason AS end_reason,
    d.is_open AS is_open,
    d.reference_date AS reference_date,
    d.measured_to AS measured_to,
    d.duration_days AS duration_days
  FROM durations AS d
  LEFT JOIN municipalities AS mu
    ON mu.municipality_code = d.municipality_code
  LEFT JOIN interventions AS i
    ON i.intervention_code = d.intervention_code
)
SELECT
  grant_id,
  municipality_code,
  municipality_name,
  region_name,
  provider_id,
  intervention_code,
  intervention_name,
  area,
  start_date,
  start_year,
  end_date,
  end_reason,
  is_open,
  reference_date,
  measured_to,
  duration_days
FROM final
