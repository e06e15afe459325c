WITH data_dates AS (
  SELECT
    g.start_date AS data_date
  FROM grants AS g
  UNION ALL
  SELECT
    g.end_date AS data_date
  FROM grants AS g
  UNION ALL
  SELECT
    a.assessed_on AS data_date
  FROM assessments AS a
), final AS (
  SELECT
    MAX(d.data_date) AS reference_date
  FROM data_dates AS d
)
SELECT
  reference_date
FROM final
