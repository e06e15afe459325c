WITH reference AS (
  SELECT
    r.reference_date AS reference_date
  FROM case_reference_date AS r
), linked AS (
  SELECT DISTINCT
    g.case_id AS case_id
  FROM grants AS g
  WHERE
    NOT g.case_id IS NULL
), effort AS (
  SELECT
    c.municipality_code AS municipality_code,
    CAST(EXTRACT(YEAR FROM c.received_on) AS INT) AS received_year,
    c.closed_on AS closed_on,
    CAST(EXTRACT(DAY FROM (
      CAST(r.reference_date AS TIMESTAMP) - CAST(c.received_on AS TIMESTAMP)
    )) AS INT) AS days_to_reference,
    CAST(EXTRACT(DAY FROM (
      CAST(c.closed_on AS TIMESTAMP) - CAST(c.received_on AS TIMESTAMP)
    )) AS INT) AS days_to_close,
    CASE WHEN NOT l.case_id IS NULL THEN 1 ELSE 0 END AS with_grant
  FROM cases AS c
  CROSS JOIN reference AS r
  LEFT JOIN linked AS l
    ON l.case_id = c.case_id
  WHERE
    c.immediate_effort
), flags AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.received_year AS received_year,
    CASE WHEN e.days_to_reference >= 84 OR NOT e.closed_on IS NULL THEN 1 ELSE 0 END AS due,
    CASE WHEN e.days_to_close <= 84 AND e.with_grant = 0 THEN 1 ELSE 0 END AS success
  FROM effort AS e
), final AS (
  SELECT
    f.municipality_code AS municipality_code,
    f.received_year AS year,
    CAST(COUNT(*) AS INT) AS immediate_effort_cases,
    CAST(SUM(f.due) AS INT) AS cases_due,
    CAST(SUM(f.success) AS INT) AS closed_within_12_weeks_without_grant,
    CAST(SUM(f.success) AS DOUBLE PRECISION) / NULLIF(CAST(SUM(f.due) AS DOUBLE PRECISION), 0) AS share_closed_within_12_weeks
  FROM flags AS f
  GROUP BY
    f.municipality_code,
    f.received_year
)
SELECT
  municipality_code,
  year,
  immediate_effort_cases,
  cases_due,
  closed_within_12_weeks_without_grant,
  share_closed_within_12_weeks
FROM final
