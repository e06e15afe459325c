WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group
  FROM municipality AS m
), area_functions AS (
  SELECT
    f.function_code AS function_code
  FROM account_function AS f
  WHERE
    f.area = 'children'
), actual_expenditure AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    e.amount_dkk AS amount_dkk
  FROM expenditure AS e
  INNER JOIN area_functions AS f
    ON f.function_code = e.function_code
  WHERE
    e.kind = 'actual'
), population_0_22 AS (
  SELECT
    p.municipality_code AS municipality_code,
    p.year AS year,
    CAST(SUM(p.persons) AS BIGINT) AS persons
  FROM population AS p
  WHERE
    p.age BETWEEN 0 AND 22
  GROUP BY
    p.municipality_code,
    p.year
), price_indices AS (
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
), expenditure_per_year AS (
  SELECT
    a.municipality_code AS municipality_code,
    a.year AS year,
    CAST(SUM(a.amount_dkk) AS DECIMAL(18, 2)) AS expenditure_dkk
  FROM actual_expenditure AS a
  GROUP BY
    a.municipality_code,
    a.year
), cost AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    e.expenditure_dkk AS expenditure_dkk,
    p.persons AS population_0_22,
    CAST(e.expenditure_dkk AS DOUBLE) / NULLIF(CAST(p.persons AS DOUBLE), 0) AS cost_per_child_dkk
  FROM expenditure_per_year AS e
  LEFT JOIN population_0_22 AS p
    ON p.municipality_code = e.municipality_code AND p.year = e.year
), national AS (
  SELECT
    c.year AS year,
    CAST(SUM(c.expenditure_dkk) AS DOUBLE) / NULLIF(CAST(SUM(c.population_0_22) AS DOUBLE), 0) AS national_cost_per_child_dkk
  FROM cost AS c
  WHERE
    NOT c.expenditure_dkk IS NULL AND NOT c.population_0_22 IS NULL
  GROUP BY
    c.year
), fixed_prices AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.year AS year,
    c.expenditure_dkk AS expenditure_dkk,
    c.population_0_22 AS population_0_22,
    c.cost_per_child_dkk AS cost_per_child_dkk,
    b.base_year AS price_base_year,
    CAST(c.expenditure_dkk AS DOUBLE) * CAST(b.base_index_value AS DOUBLE) / NULLIF(CAST(i.index_value AS DOUBLE), 0) AS expenditure_fixed_dkk,
    c.cost_per_child_dkk * CAST(b.base_index_value AS DOUBLE) / NULLIF(CAST(i.index_value AS DOUBLE), 0) AS cost_per_child_fixed_dkk
  FROM cost AS c
  LEFT JOIN price_indices AS i
    ON i.year = c.year
  LEFT JOIN base_index AS b
    ON 1 = 1
), compared AS (
  SELECT
    f.municipality_code AS municipality_code,
    f.year AS year,
    f.expenditure_dkk AS expenditure_dkk,
    f.expenditure_fixed_dkk AS expenditure_fixed_dkk,
    f.population_0_22 AS population_0_22,
    f.cost_per_child_dkk AS cost_per_child_dkk,
    f.cost_per_child_fixed_dkk AS cost_per_child_fixed_dkk,
    f.price_base_year AS price_base_year,
    n.national_cost_per_child_dkk AS national_cost_per_child_dkk,
    100 * f.cost_per_child_dkk / NULLIF(CAST(n.national_cost_per_child_dkk AS DOUBLE), 0) AS index_vs_national,
    CASE
      WHEN NOT f.cost_per_child_dkk IS NULL
      THEN RANK() OVER (PARTITION BY f.year ORDER BY f.cost_per_child_dkk ASC)
    END AS rank_in_year
  FROM fixed_prices AS f
  LEFT JOIN national AS n
    ON n.year = f.year
), final AS (
  SELECT
    c.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group,
    c.year AS year,
    c.expenditure_dkk AS expenditure_dkk,
    c.expenditure_fixed_dkk AS expenditure_fixed_dkk,
    c.population_0_22 AS population_0_22,
    c.cost_per_child_dkk AS cost_per_child_dkk,
    c.cost_per_child_fixed_dkk AS cost_per_child_fixed_dkk,
    c.price_base_year AS price_base_year,
    c.national_cost_per_child_dkk AS national_cost_per_child_dkk,
    c.index_vs_national AS index_vs_national,
    c.rank_in_year AS rank_in_year
  FROM compared AS c
  LEFT JOIN municipalities AS m
    ON m.municipality_code = c.municipality_code
)
SELECT
  municipality_code,
  municipality_name,
  region_name,
  dst_municipality_group,
  year,
  expenditure_dkk,
  expenditure_fixed_dkk,
  population_0_22,
  cost_per_child_dkk,
  cost_per_child_fixed_dkk,
  price_base_year,
  national_cost_per_child_dkk,
  index_vs_national,
  rank_in_year
FROM final
