WITH months AS (
  SELECT
    c.month AS month,
    c.month_end AS month_end
  FROM int_calendar_month AS c
), support_grants AS (
  SELECT
    g.citizen_key AS citizen_key,
    g.municipality_code AS municipality_code,
    g.intervention_code AS intervention_code,
    g.start_date AS start_date,
    g.end_date AS end_date
  FROM grants AS g
  WHERE
    g.intervention_code IN ('SEL85', 'SEL107', 'SEL108')
), first_months AS (
  SELECT
    g.municipality_code AS municipality_code,
    MIN(g.start_date) AS first_start
  FROM support_grants AS g
  GROUP BY
    g.municipality_code
), citizens AS (
  SELECT
    g.municipality_code AS municipality_code,
    m.month_end AS month_end,
    g.citizen_key AS citizen_key,
    MAX(CASE WHEN g.intervention_code IN ('SEL107', 'SEL108') THEN 1 ELSE 0 END) AS in_housing,
    MAX(CASE WHEN g.intervention_code = 'SEL85' THEN 1 ELSE 0 END) AS own_home_support
  FROM support_grants AS g
  INNER JOIN months AS m
    ON g.start_date <= m.month_end
    AND (
      g.end_date IS NULL OR g.end_date > m.month_end
    )
  GROUP BY
    g.municipality_code,
    m.month_end,
    g.citizen_key
), counted AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.month_end AS month_end,
    SUM(CASE WHEN c.own_home_support = 1 AND c.in_housing = 0 THEN 1 ELSE 0 END) AS citizens_own_home,
    SUM(c.in_housing) AS citizens_housing
  FROM citizens AS c
  GROUP BY
    c.municipality_code,
    c.month_end
), final AS (
  SELECT
    f.municipality_code AS municipality_code,
    m.month_end AS month_end,
    CAST(COALESCE(c.citizens_own_home, 0) AS INTEGER) AS citizens_own_home,
    CAST(COALESCE(c.citizens_housing, 0) AS INTEGER) AS citizens_housing,
    CAST(COALESCE(c.citizens_own_home, 0) AS DOUBLE) / NULLIF(
      CAST(COALESCE(c.citizens_own_home, 0) + COALESCE(c.citizens_housing, 0) AS DOUBLE),
      0
    ) AS own_home_share
  FROM first_months AS f
  INNER JOIN months AS m
    ON m.month_end >= f.first_start
  LEFT JOIN counted AS c
    ON c.municipality_code = f.municipality_code AND c.month_end = m.month_end
)
SELECT
  municipality_code,
  month_end,
  citizens_own_home,
  citizens_housing,
  own_home_share
FROM final
