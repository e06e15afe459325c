WITH data_dates AS (
  SELECT
    r.reference_date AS data_date
  FROM cockpit_reference_date AS r
  UNION ALL
  SELECT
    c.received_on AS data_date
  FROM cases AS c
  UNION ALL
  SELECT
    c.decided_on AS data_date
  FROM cases AS c
  UNION ALL
  SELECT
    c.closed_on AS data_date
  FROM cases AS c
  UNION ALL
  SELECT
    i.started_on AS data_date
  FROM investigations AS i
  UNION ALL
  SELECT
    i.completed_on AS data_date
  FROM investigations AS i
), final AS (
  SELECT
    MAX(d.data_date) AS reference_date
  FROM data_dates AS d
)
SELECT
  reference_date
FROM final
