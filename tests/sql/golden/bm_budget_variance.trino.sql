WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group
  FROM municipality AS m
), area_functions AS (
  SELECT
    f.function_code AS function_code,
    f.area AS area
  FROM account_function AS f
), area_expenditure AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    f.area AS area,
    e.kind AS kind,
    e.amount_dkk AS amount_dkk
  FROM expenditure AS e
  INNER JOIN area_functions AS f
    ON f.function_code = e.function_code
), totals AS (
  SELECT
    a.municipality_code AS municipality_code,
    a.year AS year,
    a.area AS area,
    CAST(SUM(CASE WHEN a.kind = 'budget' THEN a.amount_dkk END) AS DECIMAL(18, 2)) AS budget_dkk,
    CAST(SUM(CASE WHEN a.kind = 'actual' THEN a.amount_dkk END) AS DECIMAL(18, 2)) AS actual_dkk
  FROM area_expenditure AS a
  GROUP BY
    a.municipality_code,
    a.year,
    a.area
), variances AS (
  SELECT
    t.municipality_code AS municipality_code,
    t.year AS year,
    t.area AS area,
    t.budget_dkk AS budget_dkk,
    t.actual_dkk AS actual_dkk,
    t.actual_dkk - t.budget_dkk AS variance_dkk,
    100 * CAST(t.actual_dkk - t.budget_dkk AS DOUBLE) / NULLIF(CAST(t.budget_dkk AS DOUBLE), 0) AS variance_pct
  FROM totals AS t
), final AS (
  SELECT
    v.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group,
    v.year AS year,
    v.area AS area,
    CASE v.area
      WHEN 'children'
      THEN 'Børn og unge med særlige behov'
      WHEN 'adults'
      THEN 'Voksne med særlige behov'
    END AS area_name,
    v.budget_dkk AS budget_dkk,
    v.actual_dkk AS actual_dkk,
    v.variance_dkk AS variance_dkk,
    v.variance_pct AS variance_pct
  FROM variances AS v
  LEFT JOIN municipalities AS m
    ON m.municipality_code = v.municipality_code
)
SELECT
  municipality_code,
  municipality_name,
  region_name,
  dst_municipality_group,
  year,
  area,
  area_name,
  budget_dkk,
  actual_dkk,
  variance_dkk,
  variance_pct
FROM final
