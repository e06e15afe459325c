WITH months AS (
  SELECT
    c.month AS month,
    c.month_end AS month_end,
    c.days_in_month AS days_in_month
  FROM int_calendar_month AS c
), owned AS (
  SELECT
    p.provider_id AS provider_id,
    p.owner_municipality_code AS municipality_code
  FROM providers AS p
  WHERE
    NOT p.owner_municipality_code IS NULL
), periods AS (
  SELECT
    h.provider_id AS provider_id,
    h.intervention_code AS intervention_code,
    h.places AS places,
    h.valid_from AS valid_from,
    LEAD(h.valid_from) OVER (PARTITION BY h.provider_id, h.intervention_code ORDER BY h.valid_from ASC) AS next_from
  FROM housing_places AS h
), place_days AS (
  SELECT
    p.provider_id AS provider_id,
    p.intervention_code AS intervention_code,
    m.month AS month,
    SUM(
      p.places * (
        CAST(EXTRACT(DAY FROM (
          CAST(CASE
            WHEN p.next_from IS NULL OR p.next_from > m.month_end
            THEN CAST(m.month_end + INTERVAL '1' DAY AS DATE)
            ELSE p.next_from
          END AS TIMESTAMP) - CAST(CASE WHEN p.valid_from > m.month THEN p.valid_from ELSE m.month END AS TIMESTAMP)
        )) AS INTEGER)
      )
    ) AS place_days,
    MAX(CASE WHEN p.next_from IS NULL OR p.next_from > m.month_end THEN p.places END) AS places
  FROM periods AS p
  INNER JOIN months AS m
    ON p.valid_from <= m.month_end
    AND (
      p.next_from IS NULL OR p.next_from > m.month
    )
  GROUP BY
    p.provider_id,
    p.intervention_code,
    m.month
), occupied AS (
  SELECT
    g.provider_id AS provider_id,
    g.intervention_code AS intervention_code,
    m.month AS month,
    SUM(
      CAST(EXTRACT(DAY FROM (
        CAST(CASE
          WHEN g.end_date IS NULL OR g.end_date >= m.month_end
          THEN CAST(m.month_end + INTERVAL '1' DAY AS DATE)
          ELSE CAST(g.end_date + INTERVAL '1' DAY AS DATE)
        END AS TIMESTAMP) - CAST(CASE WHEN g.start_date > m.month THEN g.start_date ELSE m.month END AS TIMESTAMP)
      )) AS INTEGER)
    ) AS occupied_days
  FROM grants AS g
  INNER JOIN owned AS o
    ON o.provider_id = g.provider_id
  INNER JOIN months AS m
    ON g.start_date <= m.month_end AND (
      g.end_date IS NULL OR g.end_date >= m.month
    )
  GROUP BY
    g.provider_id,
    g.intervention_code,
    m.month
), final AS (
  SELECT
    o.municipality_code AS municipality_code,
    d.provider_id AS provider_id,
    d.intervention_code AS intervention_code,
    d.month AS month,
    CAST(d.places AS INTEGER) AS places,
    CAST(d.place_days AS INTEGER) AS place_days,
    CAST(COALESCE(u.occupied_days, 0) AS INTEGER) AS occupied_days,
    CAST(COALESCE(u.occupied_days, 0) AS DOUBLE) / NULLIF(CAST(d.place_days AS DOUBLE), 0) AS occupancy,
    CAST(d.place_days - COALESCE(u.occupied_days, 0) AS DOUBLE) / NULLIF(CAST(m.days_in_month AS DOUBLE), 0) AS empty_places
  FROM place_days AS d
  INNER JOIN owned AS o
    ON o.provider_id = d.provider_id
  INNER JOIN months AS m
    ON m.month = d.month
  LEFT JOIN occupied AS u
    ON u.provider_id = d.provider_id
    AND u.intervention_code = d.intervention_code
    AND u.month = d.month
)
SELECT
  municipality_code,
  provider_id,
  intervention_code,
  month,
  places,
  place_days,
  occupied_days,
  occupancy,
  empty_places
FROM final
