WITH price_indices AS (
  SELECT
    i.year AS year,
    i.index_value AS index_value
  FROM price_index AS i
), base_index AS (
  SELECT
    i.year AS base_year,
    i.index_value AS base_index_value
  FROM price_indices AS i
  WHERE
    i.year = (
      SELECT
        MAX(latest.year)
      FROM price_indices AS latest
    )
), factors AS (
  SELECT
    i.year AS year,
    i.index_value AS index_value,
    b.base_year AS price_base_year,
    b.base_index_value AS base_index_value,
    CAST(b.base_index_value AS DOUBLE) / NULLIF(CAST(i.index_value AS DOUBLE), 0) AS factor
  FROM price_indices AS i
  CROSS JOIN base_index AS b
)
SELECT
  year,
  index_value,
  price_base_year,
  base_index_value,
  factor
FROM factors
