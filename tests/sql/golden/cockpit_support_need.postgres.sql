WITH grant_rows AS (
  SELECT
    g.grant_id AS grant_id,
    g.municipality_code AS municipality_code,
    g.municipality_name AS municipality_name,
    g.region_name AS region_name,
    g.intervention_code AS intervention_code,
    g.intervention_name AS intervention_name,
    g.area AS area,
    g.citizen_key AS citizen_key
  FROM int_grant_days AS g
), granted AS (
  SELECT DISTINCT
    g.municipality_code AS municipality_code,
    g.municipality_name AS municipality_name,
    g.region_name AS region_name,
    g.intervention_code AS intervention_code,
    g.intervention_name AS intervention_name,
    g.area AS area
  FROM grant_rows AS g
), grant_spans AS (
  SELECT
    a.grant_id AS grant_id,
    MIN(a.assessed_on) AS first_on,
    MAX(a.assessed_on) AS latest_on,
    COUNT(*) AS assessments,
    MIN(
      CAST(a.assessed_on - CAST('1970-01-01' AS DATE) AS BIGINT) * 1000 + a.support_level
    ) AS first_key,
    MAX(
      CAST(a.assessed_on - CAST('1970-01-01' AS DATE) AS BIGINT) * 1000 + a.support_level
    ) AS latest_key
  FROM assessments AS a
  GROUP BY
    a.grant_id
), grant_levels AS (
  SELECT
    g.municipality_code AS municipality_code,
    g.intervention_code AS intervention_code,
    g.citizen_key AS citizen_key,
    s.grant_id AS grant_id,
    s.first_on AS first_on,
    s.latest_on AS latest_on,
    s.assessments AS assessments,
    CAST(s.first_key % 1000 AS INT) AS first_level,
    CAST(s.latest_key % 1000 AS INT) AS latest_level
  FROM grant_spans AS s
  INNER JOIN grant_rows AS g
    ON g.grant_id = s.grant_id
), ordered AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.intervention_code AS intervention_code,
    c.citizen_key AS citizen_key,
    c.assessments AS assessments,
    c.first_level AS first_level,
    c.latest_level AS latest_level,
    ROW_NUMBER() OVER (
      PARTITION BY c.municipality_code, c.intervention_code, c.citizen_key
      ORDER BY c.first_on ASC, c.grant_id ASC
    ) AS from_first,
    ROW_NUMBER() OVER (
      PARTITION BY c.municipality_code, c.intervention_code, c.citizen_key
      ORDER BY c.latest_on DESC, c.grant_id DESC
    ) AS from_latest
  FROM grant_levels AS c
), citizen_change AS (
  SELECT
    o.municipality_code AS municipality_code,
    o.intervention_code AS intervention_code,
    o.citizen_key AS citizen_key,
    SUM(o.assessments) AS assessments,
    MAX(CASE WHEN o.from_first = 1 THEN o.first_level END) AS first_level,
    MAX(CASE WHEN o.from_latest = 1 THEN o.latest_level END) AS latest_level
  FROM ordered AS o
  GROUP BY
    o.municipality_code,
    o.intervention_code,
    o.citizen_key
), counts AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.intervention_code AS intervention_code,
    CAST(COUNT(*) AS INT) AS citizens_assessed,
    CAST(SUM(CASE WHEN c.assessments >= 2 THEN 1 ELSE 0 END) AS INT) AS citizens_reassessed,
    CAST(SUM(CASE WHEN c.latest_level < c.first_level THEN 1 ELSE 0 END) AS INT) AS citizens_need_down,
    CAST(SUM(CASE WHEN c.latest_level = c.first_level THEN 1 ELSE 0 END) AS INT) AS citizens_need_unchanged,
    CAST(SUM(CASE WHEN c.latest_level > c.first_level THEN 1 ELSE 0 END) AS INT) AS citizens_need_up
  FROM citizen_change AS c
  GROUP BY
    c.municipality_code,
    c.intervention_code
), final AS (
  SELECT
    c.municipality_code AS municipality_code,
    n.municipality_name AS municipality_name,
    n.region_name AS region_name,
    c.intervention_code AS intervention_code,
    n.intervention_name AS intervention_name,
    n.area AS area,
    c.citizens_assessed AS citizens_assessed,
    c.citizens_reassessed AS citizens_reassessed,
    c.citizens_need_down AS citizens_need_down,
    c.citizens_need_unchanged AS citizens_need_unchanged,
    c.citizens_need_up AS citizens_need_up,
    CAST(c.citizens_need_down AS DOUBLE PRECISION) / NULLIF(CAST(c.citizens_assessed AS DOUBLE PRECISION), 0) AS share_need_down
  FROM counts AS c
  INNER JOIN granted AS n
    ON n.municipality_code = c.municipality_code
    AND n.intervention_code = c.intervention_code
)
SELECT
  municipality_code,
  municipality_name,
  region_name,
  intervention_code,
  intervention_name,
  area,
  citizens_assessed,
  citizens_reassessed,
  citizens_need_down,
  citizens_need_unchanged,
  citizens_need_up,
  share_need_down
FROM final
