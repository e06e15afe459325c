WITH age_bands AS (
  SELECT
    'children' AS area,
    0 AS age_from,
    22 AS age_to
  UNION ALL
  SELECT
    'adults' AS area,
    18 AS age_from,
    64 AS age_to
), area_functions AS (
  SELECT
    f.function_code AS function_code,
    f.area AS area
  FROM account_function AS f
  INNER JOIN age_bands AS b
    ON b.area = f.area
), expenditure_per_year AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    f.area AS area,
    CAST(SUM(e.amount_dkk) AS DECIMAL(18, 2)) AS expenditure_dkk
  FROM expenditure AS e
  INNER JOIN area_functions AS f
    ON f.function_code = e.function_code
  WHERE
    e.kind = 'actual'
  GROUP BY
    e.municipality_code,
    e.year,
    f.area
), band_population AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.year AS year,
    b.area AS area,
    CAST(SUM(p.persons) AS BIGINT) AS persons
  FROM population AS p
  INNER JOIN age_bands AS b
    ON p.age BETWEEN b.age_from AND b.age_to
  GROUP BY
    p.municipality_code,
    p.year,
    b.area
), final AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    e.area AS area,
    b.age_from AS age_from,
    b.age_to AS age_to,
    e.expenditure_dkk AS expenditure_dkk,
    p.persons AS population
  FROM expenditure_per_year AS e
  INNER JOIN age_bands AS b
    ON b.area = e.area
  LEFT JOIN band_population AS p
    ON p.municipality_code = e.municipality_code AND p.year = e.year AND p.area = e.area
)
SELECT
  municipality_code,
  year,
  area,
  age_from,
  age_to,
  expenditure_dkk,
  population
FROM final
