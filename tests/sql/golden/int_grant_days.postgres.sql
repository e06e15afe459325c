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
), reference AS (
  SELECT
    r.reference_date AS reference_date
  FROM cockpit_reference_date AS r
), measured AS (
  SELECT
    g.grant_id AS grant_id,
    g.start_date AS start_date,
    r.reference_date AS reference_date,
    COALESCE(g.end_date, r.reference_date) AS measured_to
  FROM grants AS g
  CROSS JOIN reference AS r
), days AS (
  SELECT
    m.grant_id AS grant_id,
    m.reference_date AS reference_date,
    m.measured_to AS measured_to,
    CAST(EXTRACT(DAY FROM (
      CAST(m.measured_to AS TIMESTAMP) - CAST(m.start_date AS TIMESTAMP)
    )) AS INT) + 1 AS duration_days
  FROM measured AS m
), final AS (
  SELECT
    g.grant_id AS grant_id,
    g.citizen_key AS citizen_key,
    g.municipality_code AS municipality_code,
    mu.municipality_name AS municipality_name,
    mu.region_name AS region_name,
    g.provider_id AS provider_id,
    g.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area,
    g.start_date AS start_date,
    g.end_date AS end_date,
    g.end_reason AS end_reason,
    CASE WHEN g.end_date IS NULL THEN 1 ELSE 0 END AS is_open,
    d.reference_date AS reference_date,
    d.measured_to AS measured_to,
    d.duration_days AS duration_days
  FROM grants AS g
  INNER JOIN days AS d
    ON d.grant_id = g.grant_id
  LEFT JOIN municipalities AS mu
    ON mu.municipality_code = g.municipality_code
  LEFT JOIN interventions AS i
    ON i.intervention_code = g.intervention_code
)
SELECT
  grant_id,
  citizen_key,
  municipality_code,
  municipality_name,
  region_name,
  provider_id,
  intervention_code,
  intervention_name,
  area,
  start_date,
  end_date,
  end_reason,
  is_open,
  reference_date,
  measured_to,
  duration_days
FROM final
