WITH grant_periods AS (
  SELECT
    g.grant_id AS grant_id,
    g.municipality_code AS municipality_code,
    g.municipality_name AS municipality_name,
    g.region_name AS region_name,
    g.intervention_code AS intervention_code,
    g.intervention_name AS intervention_name,
    g.area AS area,
    CAST(EXTRACT(YEAR FROM g.start_date) AS INT) * 12 + CAST(EXTRACT(MONTH FROM g.start_date) AS INT) - 1 AS start_month_index,
    CASE
      WHEN NOT g.end_date IS NULL
      THEN CAST(EXTRACT(YEAR FROM g.end_date) AS INT) * 12 + CAST(EXTRACT(MONTH FROM g.end_date) AS INT) - 1
    END AS end_month_index
  FROM int_grant_days AS g
), reference AS (
  SELECT
    r.reference_date AS reference_date
  FROM cockpit_reference_date AS r
), reference_month AS (
  SELECT
    r.reference_date AS reference_date,
    CAST(EXTRACT(YEAR FROM r.reference_date) AS INT) * 12 + CAST(EXTRACT(MONTH FROM r.reference_date) AS INT) - 1 AS reference_month_index
  FROM reference AS r
), series AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.municipality_name AS municipality_name,
    p.region_name AS region_name,
    p.intervention_code AS intervention_code,
    p.intervention_name AS intervention_name,
    p.area AS area,
    MIN(p.start_month_index) AS first_month_index
  FROM grant_periods AS p
  GROUP BY
    p.municipality_code,
    p.municipality_name,
    p.region_name,
    p.intervention_code,
    p.intervention_name,
    p.area
), months AS (
  SELECT
    r.reference_date AS reference_date,
    c.calendar_year AS calendar_year,
    c.month_number AS month_number,
    c.calendar_year * 12 + c.month_number - 1 AS month_index
  FROM int_calendar_month AS c
  CROSS JOIN reference_month AS r
  WHERE
    c.calendar_year * 12 + c.month_number - 1 <= r.reference_month_index
), calendar AS (
  SELECT
    s.municipality_code AS municipality_code,
    s.intervention_code AS intervention_code,
    m.reference_date AS reference_date,
    m.calendar_year AS calendar_year,
    m.month_number AS month_number,
    m.month_index AS month_index
  FROM series AS s
  INNER JOIN months AS m
    ON m.month_index >= s.first_month_index
), inflow AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.intervention_code AS intervention_code,
    p.start_month_index AS month_index,
    COUNT(*) AS grants_started
  FROM grant_periods AS p
  GROUP BY
    p.municipality_code,
    p.intervention_code,
    p.start_month_index
), outflow AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.intervention_code AS intervention_code,
    p.end_month_index AS month_index,
    COUNT(*) AS grants_ended
  FROM grant_periods AS p
  WHERE
    NOT p.end_month_index IS NULL
  GROUP BY
    p.municipality_code,
    p.intervention_code,
    p.end_month_index
), flows AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.intervention_code AS intervention_code,
    c.reference_date AS reference_date,
    c.calendar_year AS calendar_year,
    c.month_number AS month_number,
    c.month_index AS month_index,
    CAST(COALESCE(i.grants_started, 0) AS INT) AS inflow_grants,
    CAST(COALESCE(o.grants_ended, 0) AS INT) AS outflow_grants
  FROM calendar AS c
  LEFT JOIN inflow AS i
    ON i.municipality_code = c.municipality_code
    AND i.intervention_code = c.intervention_code
    AND i.month_index = c.month_index
  LEFT JOIN outflow AS o
    ON o.municipality_code = c.municipality_code
    AND o.intervention_code = c.intervention_code
    AND o.month_index = c.month_index
), stock AS (
  SELECT
    f.municipality_code AS municipality_code,
    f.intervention_code AS intervention_code,
    f.reference_date AS reference_date,
    f.calendar_year AS calendar_year,
    f.month_number AS month_number,
    f.inflow_grants AS inflow_grants,
    f.outflow_grants AS outflow_grants,
    CAST(SUM(f.inflow_grants - f.outflow_grants) OVER (
      PARTITION BY f.municipality_code, f.intervention_code
      ORDER BY f.month_index NULLS LAST
      rows BETWEEN UNBOUNDED preceding AND CURRENT ROW
    ) AS INT) AS active_grants_end_of_month
  FROM flows AS f
), final AS (
  SELECT
    s.municipality_code AS municipality_code,
    se.municipality_name AS municipality_name,
    se.region_name AS region_name,
    s.intervention_code AS intervention_code,
    se.intervention_name AS intervention_name,
    se.area AS area,
    CAST(CAST(s.calendar_year AS STRING) || '-' || LPAD(CAST(s.month_number AS STRING), 2, '0') || '-01' AS DATE) AS month_start,
    s.calendar_year AS calendar_year,
    s.month_number AS month_number,
    s.active_grants_end_of_month AS active_grants_end_of_month,
    s.inflow_grants AS inflow_grants,
    s.outflow_grants AS outflow_grants,
    s.reference_date AS reference_date
  FROM stock AS s
  INNER JOIN series AS se
    ON se.municipality_code = s.municipality_code
    AND se.intervention_code = s.intervention_code
)
SELECT
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
FROM final
