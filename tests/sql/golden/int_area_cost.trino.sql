WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group
  FROM municipality AS m
), price_factors AS (
  SELECT
    f.year AS year,
    f.price_base_year AS price_base_year,
    f.factor AS factor
  FROM int_price_factor AS f
), age_bands AS (
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
), cost AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    e.area AS area,
    e.expenditure_dkk AS expenditure_dkk,
    p.persons AS population,
    CAST(e.expenditure_dkk AS DOUBLE) / NULLIF(CAST(p.persons AS DOUBLE), 0) AS cost_per_person_dkk
  FROM expenditure_per_year AS e
  LEFT JOIN band_population AS p
    ON p.municipality_code = e.municipality_code AND p.year = e.year AND p.area = e.area
), national AS (
  SELECT
    c.year AS year,
    c.area AS area,
    CAST(SUM(c.expenditure_dkk) AS DOUBLE) / NULLIF(CAST(SUM(c.population) AS DOUBLE), 0) AS national_cost_per_person_dkk
  FROM cost AS c
  WHERE
    NOT c.expenditure_dkk IS NULL AND NOT c.population IS NULL
  GROUP BY
    c.year,
    c.area
), price_base AS (
  SELECT
    MAX(f.price_base_year) AS price_base_year
  FROM price_factors AS f
), final AS (
  SELECT
    c.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group,
    c.year AS year,
    c.area AS area,
    b.age_from AS age_from,
    b.age_to AS age_to,
    c.expenditure_dkk AS expenditure_dkk,
    CAST(c.expenditure_dkk AS DOUBLE) * f.factor AS expenditure_fixed_dkk,
    c.population AS population,
    c.cost_per_person_dkk AS cost_per_person_dkk,
    c.cost_per_person_dkk * f.factor AS cost_per_person_fixed_dkk,
    pb.price_base_year AS price_base_year,
    n.national_cost_per_person_dkk AS national_cost_per_person_dkk,
    100 * c.cost_per_person_dkk / NULLIF(CAST(n.national_cost_per_person_dkk AS DOUBLE), 0) AS index_vs_national,
    CASE
      WHEN NOT c.cost_per_person_dkk IS NULL
      THEN RANK() OVER (PARTITION BY c.area, c.year ORDER BY c.cost_per_person_dkk ASC)
    END AS rank_in_year
  FROM cost AS c
  INNER JOIN age_bands AS b
    ON b.area = c.area
  LEFT JOIN price_factors AS f
    ON f.year = c.year
  CROSS JOIN price_base AS pb
  LEFT JOIN national AS n
    ON n.year = c.year AND n.area = c.area
  LEFT JOIN municipalities AS m
    ON m.municipality_code = c.municipality_code
)
SELECT
  municipality_code,
  municipality_name,
  region_name,
  dst_municipality_group,
  year,
  area,
  age_from,
  age_to,
  expenditure_dkk,
  expenditure_fixed_dkk,
  population,
  cost_per_person_dkk,
  cost_per_person_fixed_dkk,
  price_base_year,
  national_cost_per_person_dkk,
  index_vs_national,
  rank_in_year
FROM final
