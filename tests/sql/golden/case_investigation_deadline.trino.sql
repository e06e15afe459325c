WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name
  FROM municipality AS m
), months AS (
  SELECT
    c.month AS month,
    c.month_end AS month_end,
    c.reference_date AS reference_date,
    c.calendar_year AS calendar_year,
    c.month_number AS month_number
  FROM int_calendar_month AS c
), deadlines AS (
  SELECT
    c.municipality_code AS municipality_code,
    i.completed_on AS completed_on,
    CAST(i.started_on + INTERVAL '4' MONTH AS DATE) AS deadline
  FROM investigations AS i
  INNER JOIN cases AS c
    ON c.case_id = i.case_id
), due AS (
  SELECT
    d.municipality_code AS municipality_code,
    m.month AS month,
    CASE WHEN d.completed_on <= d.deadline THEN 1 ELSE 0 END AS on_time,
    CASE WHEN d.completed_on > d.deadline THEN 1 ELSE 0 END AS late,
    CASE WHEN d.completed_on IS NULL THEN 1 ELSE 0 END AS open_overdue
  FROM deadlines AS d
  INNER JOIN months AS m
    ON CAST(EXTRACT(YEAR FROM d.deadline) AS INTEGER) = m.calendar_year
    AND CAST(EXTRACT(MONTH FROM d.deadline) AS INTEGER) = m.month_number
  WHERE
    d.deadline <= m.reference_date
), counted AS (
  SELECT
    d.municipality_code AS municipality_code,
    d.month AS month,
    CAST(COUNT(*) AS INTEGER) AS investigations_due,
    CAST(SUM(d.on_time) AS INTEGER) AS completed_on_time,
    CAST(SUM(d.late) AS INTEGER) AS completed_late,
    CAST(SUM(d.open_overdue) AS INTEGER) AS open_overdue
  FROM due AS d
  GROUP BY
    d.municipality_code,
    d.month
), final AS (
  SELECT
    c.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    c.month AS month,
    c.investigations_due AS investigations_due,
    c.completed_on_time AS completed_on_time,
    c.completed_late AS completed_late,
    c.open_overdue AS open_overdue,
    CAST(c.completed_on_time AS DOUBLE) / NULLIF(CAST(c.investigations_due AS DOUBLE), 0) AS share_on_time
  FROM counted AS c
  LEFT JOIN municipalities AS m
    ON m.municipality_code = c.municipality_code
)
SELECT
  municipality_code,
  municipality_name,
  month,
  investigations_due,
  completed_on_time,
  completed_late,
  open_overdue,
  share_on_time
FROM final
