WITH reference AS (
  SELECT
    r.reference_date AS reference_date
  FROM case_reference_date AS r
), first_dates AS (
  SELECT
    MIN(g.start_date) AS first_date
  FROM grants AS g
  UNION ALL
  SELECT
    MIN(c.received_on) AS first_date
  FROM cases AS c
  UNION ALL
  SELECT
    MIN(i.started_on) AS first_date
  FROM investigations AS i
  UNION ALL
  SELECT
    MIN(h.valid_from) AS first_date
  FROM housing_places AS h
), bounds AS (
  SELECT
    CAST(CAST(EXTRACT(YEAR FROM MIN(f.first_date)) AS STRING) || '-' || LPAD(CAST(EXTRACT(MONTH FROM MIN(f.first_date)) AS STRING), 2, '0') || '-01' AS DATE) AS first_month,
    r.reference_date AS reference_date
  FROM first_dates AS f
  CROSS JOIN reference AS r
  GROUP BY
    r.reference_date
), digits AS (
  SELECT
    0 AS digit
  UNION ALL
  SELECT
    1 AS digit
  UNION ALL
  SELECT
    2 AS digit
  UNION ALL
  SELECT
    3 AS digit
  UNION ALL
  SELECT
    4 AS digit
  UNION ALL
  SELECT
    5 AS digit
  UNION ALL
  SELECT
    6 AS digit
  UNION ALL
  SELECT
    7 AS digit
  UNION ALL
  SELECT
    8 AS digit
  UNION ALL
  SELECT
    9 AS digit
), month_offsets AS (
  SELECT
    hundreds.digit * 100 + tens.digit * 10 + ones.digit AS month_offset
  FROM digits AS hundreds
  CROSS JOIN digits AS tens
  CROSS JOIN digits AS ones
  WHERE
    hundreds.digit < 12
), months AS (
  SELECT
    CAST(b.first_month + o.month_offset * INTERVAL '1' MONTH AS DATE) AS month,
    b.reference_date AS reference_date
  FROM bounds AS b
  CROSS JOIN month_offsets AS o
  WHERE
    CAST(b.first_month + o.month_offset * INTERVAL '1' MONTH AS DATE) <= b.reference_date
), final AS (
  SELECT
    m.month AS month,
    CAST(m.month + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE) AS month_end,
    CAST(EXTRACT(YEAR FROM m.month) AS INT) AS calendar_year,
    CAST(EXTRACT(MONTH FROM m.month) AS INT) AS month_number,
    CAST(EXTRACT(DAY FROM (
      CAST(CAST(m.month + INTERVAL '1' MONTH AS DATE) AS TIMESTAMP) - CAST(m.month AS TIMESTAMP)
    )) AS INT) AS days_in_month,
    m.reference_date AS reference_date
  FROM months AS m
)
SELECT
  month,
  month_end,
  calendar_year,
  month_number,
  days_in_month,
  reference_date
FROM final
