WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name
  FROM municipality AS m
), sources AS (
  SELECT
    s.source_code AS source_code,
    s.source_name AS source_name
  FROM case_source AS s
), months AS (
  SELECT
    c.month AS month,
    c.month_end AS month_end,
    c.calendar_year AS calendar_year,
    c.month_number AS month_number
  FROM int_calendar_month AS c
), received AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.area AS area,
    m.month AS month,
    c.source AS source
  FROM cases AS c
  INNER JOIN months AS m
    ON CAST(EXTRACT(YEAR FROM c.received_on) AS INT) = m.calendar_year
    AND CAST(EXTRACT(MONTH FROM c.received_on) AS INT) = m.month_number
), final AS (
  SELECT
    r.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    r.area AS area,
    r.month AS month,
    r.source AS source,
    s.source_name AS source_name,
    CAST(COUNT(*) AS INT) AS cases_received
  FROM received AS r
  LEFT JOIN municipalities AS m
    ON m.municipality_code = r.municipality_code
  LEFT JOIN sources AS s
    ON s.source_code = r.source
  GROUP BY
    r.municipality_code,
    m.municipality_name,
    r.area,
    r.month,
    r.source,
    s.source_name
)
SELECT
  municipality_code,
  municipality_name,
  area,
  month,
  source,
  source_name,
  cases_received
FROM final
