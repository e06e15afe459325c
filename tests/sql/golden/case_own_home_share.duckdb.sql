WITH months AS (
  SELECT
    c.month AS month,
    c.month_end AS month_end,
    CAST(EXTRACT(YEAR FROM c.month) * 12 + EXTRACT(MONTH FROM c.month) AS INT) AS month_key
  FROM int_calendar_month AS c
), support_grants AS (
  SELECT
    g.municipality_code AS municipality_code,
    g.citizen_key AS citizen_key,
    g.intervention_code AS intervention_code,
    g.start_date AS start_date,
    COALESCE(g.end_date, CAST('9999-12-31' AS DATE)) AS end_date
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
), kinds AS (
  SELECT
    g.municipality_code AS municipality_code,
    g.citizen_key AS citizen_key,
    'supported' AS kind,
    g.start_date AS start_date,
    g.end_date AS end_date
  FROM support_grants AS g
  UNION ALL
  SELECT
    g.municipality_code AS municipality_code,
    g.citizen_key AS citizen_key,
    'housing' AS kind,
    g.start_date AS start_date,
    g.end_date AS end_date
  FROM support_grants AS g
  WHERE
    g.intervention_code IN ('SEL107', 'SEL108')
), reaches AS (
  SELECT
    k.municipality_code AS municipality_code,
    k.citizen_key AS citizen_key,
    k.kind AS kind,
    k.start_date AS start_date,
    k.end_date AS end_date,
    MAX(k.end_date) OVER (
      PARTITION BY k.municipality_code, k.citizen_key, k.kind
      ORDER BY k.start_date ASC, k.end_date ASC
      rows BETWEEN UNBOUNDED preceding AND 1 preceding
    ) AS reach
  FROM kinds AS k
), numbered AS (
  SELECT
    r.municipality_code AS municipality_code,
    r.citizen_key AS citizen_key,
    r.kind AS kind,
    r.start_date AS start_date,
    r.end_date AS end_date,
    SUM(CASE WHEN r.reach IS NULL OR r.reach < r.start_date THEN 1 ELSE 0 END) OVER (
      PARTITION BY r.municipality_code, r.citizen_key, r.kind
      ORDER BY r.start_date ASC, r.end_date ASC
      rows BETWEEN UNBOUNDED preceding AND CURRENT ROW
    ) AS period_no
  FROM reaches AS r
), periods AS (
  SELECT
    n.municipality_code AS municipality_code,
    n.kind AS kind,
    MIN(n.start_date) AS start_date,
    MAX(n.end_date) AS end_date
  FROM numbered AS n
  GROUP BY
    n.municipality_code,
    n.citizen_key,
    n.kind,
    n.period_no
), events AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.kind AS kind,
    CAST(EXTRACT(YEAR FROM p.start_date) * 12 + EXTRACT(MONTH FROM p.start_date) AS INT) AS month_key,
    1 AS delta
  FROM periods AS p
  UNION ALL
  SELECT
    p.municipality_code AS municipality_code,
    p.kind AS kind,
    CAST(EXTRACT(YEAR FROM p.end_date) * 12 + EXTRACT(MONTH FROM p.end_date) AS INT) AS month_key,
    -1 AS delta
  FROM periods AS p
), changes AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.month_key AS month_key,
    SUM(CASE WHEN e.kind = 'supported' THEN e.delta ELSE 0 END) AS supported_delta,
    SUM(CASE WHEN e.kind = 'housing' THEN e.delta ELSE 0 END) AS housing_delta
  FROM events AS e
  GROUP BY
    e.municipality_code,
    e.month_key
), counted AS (
  SELECT
    f.municipality_code AS municipality_code,
    m.month_end AS month_end,
    SUM(COALESCE(c.supported_delta, 0)) OVER (
      PARTITION BY f.municipality_code
      ORDER BY m.month_key ASC
      rows BETWEEN UNBOUNDED preceding AND CURRENT ROW
    ) AS citizens_supported,
    SUM(COALESCE(c.housing_delta, 0)) OVER (
      PARTITION BY f.municipality_code
      ORDER BY m.month_key ASC
      rows BETWEEN UNBOUNDED preceding AND CURRENT ROW
    ) AS citizens_housing
  FROM first_months AS f
  INNER JOIN months AS m
    ON m.month_end >= f.first_start
  LEFT JOIN changes AS c
    ON c.municipality_code = f.municipality_code AND c.month_key = m.month_key
), final AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.month_end AS month_end,
    CAST(c.citizens_supported - c.citizens_housing AS INT) AS citizens_own_home,
    CAST(c.citizens_housing AS INT) AS citizens_housing,
    CAST(c.citizens_supported - c.citizens_housing AS DOUBLE) / NULLIF(CAST(c.citizens_supported AS DOUBLE), 0) AS own_home_share
  FROM counted AS c
)
SELECT
  municipality_code,
  month_end,
  citizens_own_home,
  citizens_housing,
  own_home_share
FROM final
