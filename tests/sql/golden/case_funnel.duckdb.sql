WITH received AS (
  SELECT
    c.case_id AS case_id,
    c.municipality_code AS municipality_code,
    c.area AS area,
    CAST(EXTRACT(YEAR FROM c.received_on) AS INT) AS received_year,
    c.decision AS decision
  FROM cases AS c
), steps AS (
  SELECT
    g.case_id AS case_id,
    MAX(i.ladder_step) AS highest_step
  FROM grants AS g
  INNER JOIN intervention AS i
    ON i.intervention_code = g.intervention_code
  WHERE
    NOT g.case_id IS NULL
  GROUP BY
    g.case_id
), linked AS (
  SELECT DISTINCT
    g.case_id AS case_id
  FROM grants AS g
  WHERE
    NOT g.case_id IS NULL
), case_rows AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.area AS area,
    c.received_year AS received_year,
    CASE WHEN NOT c.decision IS NULL THEN 1 ELSE 0 END AS decided,
    CASE WHEN NOT l.case_id IS NULL THEN 1 ELSE 0 END AS with_grant,
    s.highest_step AS highest_step
  FROM received AS c
  LEFT JOIN linked AS l
    ON l.case_id = c.case_id
  LEFT JOIN steps AS s
    ON s.case_id = c.case_id
), final AS (
  SELECT
    r.municipality_code AS municipality_code,
    r.area AS area,
    r.received_year AS year,
    CAST(COUNT(*) AS INT) AS cases_received,
    CAST(SUM(r.decided) AS INT) AS cases_decided,
    CAST(COUNT(*) - SUM(r.with_grant) AS INT) AS cases_without_grant,
    CAST(SUM(r.with_grant) AS INT) AS cases_with_grant,
    CAST(SUM(CASE WHEN r.highest_step = 1 THEN 1 ELSE 0 END) AS INT) AS highest_step_1,
    CAST(SUM(CASE WHEN r.highest_step = 2 THEN 1 ELSE 0 END) AS INT) AS highest_step_2,
    CAST(SUM(CASE WHEN r.highest_step = 3 THEN 1 ELSE 0 END) AS INT) AS highest_step_3
  FROM case_rows AS r
  GROUP BY
    r.municipality_code,
    r.area,
    r.received_year
)
SELECT
  municipality_code,
  area,
  year,
  cases_received,
  cases_decided,
  cases_without_grant,
  cases_with_grant,
  highest_step_1,
  highest_step_2,
  highest_step_3
FROM final
