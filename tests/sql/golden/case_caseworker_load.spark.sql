WITH months AS (
  SELECT
    c.month_end AS month_end
  FROM int_calendar_month AS c
), staff AS (
  SELECT
    w.caseworker_id AS caseworker_id,
    w.municipality_code AS municipality_code,
    w.team AS team,
    w.fte AS fte,
    w.employed_from AS employed_from,
    w.employed_to AS employed_to
  FROM caseworkers AS w
), assigned_cases AS (
  SELECT
    c.caseworker_id AS caseworker_id,
    c.received_on AS received_on,
    c.closed_on AS closed_on
  FROM cases AS c
  WHERE
    NOT c.caseworker_id IS NULL
), team_fte AS (
  SELECT
    w.municipality_code AS municipality_code,
    w.team AS team,
    m.month_end AS month_end,
    SUM(w.fte) AS caseworker_fte
  FROM staff AS w
  INNER JOIN months AS m
    ON w.employed_from <= m.month_end
    AND (
      w.employed_to IS NULL OR w.employed_to >= m.month_end
    )
  GROUP BY
    w.municipality_code,
    w.team,
    m.month_end
), team_cases AS (
  SELECT
    w.municipality_code AS municipality_code,
    w.team AS team,
    m.month_end AS month_end,
    COUNT(*) AS open_cases
  FROM assigned_cases AS c
  INNER JOIN staff AS w
    ON w.caseworker_id = c.caseworker_id
  INNER JOIN months AS m
    ON c.received_on <= m.month_end
    AND (
      c.closed_on IS NULL OR c.closed_on > m.month_end
    )
  GROUP BY
    w.municipality_code,
    w.team,
    m.month_end
), final AS (
  SELECT
    COALESCE(f.municipality_code, o.municipality_code) AS municipality_code,
    COALESCE(f.team, o.team) AS team,
    COALESCE(f.month_end, o.month_end) AS month_end,
    CAST(COALESCE(o.open_cases, 0) AS INT) AS open_cases,
    CAST(COALESCE(f.caseworker_fte, 0) AS DECIMAL(10, 3)) AS caseworker_fte,
    CAST(COALESCE(o.open_cases, 0) AS DOUBLE) / NULLIF(CAST(f.caseworker_fte AS DOUBLE), 0) AS cases_per_fte
  FROM team_fte AS f
  FULL OUTER JOIN team_cases AS o
    ON o.municipality_code = f.municipality_code
    AND o.team = f.team
    AND o.month_end = f.month_end
)
SELECT
  municipality_code,
  team,
  month_end,
  open_cases,
  caseworker_fte,
  cases_per_fte
FROM final
