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
    f.index_value AS index_value,
    f.base_index_value AS base_index_value,
    f.factor AS factor
  FROM int_price_factor AS f
), area_costs AS (
  SELECT
    a.municipality_code AS municipality_code,
    a.year AS year,
    a.area AS area,
    a.expenditure_dkk AS expenditure_dkk,
    a.population AS population
  FROM int_area_cost AS a
), intervention_functions AS (
  SELECT
    f.function_code AS function_code,
    f.intervention_code AS intervention_code
  FROM account_function AS f
  WHERE
    NOT f.intervention_code IS NULL
), citizens AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.year AS year,
    c.intervention_code AS intervention_code,
    CAST(c.full_year_citizens AS DECIMAL(14, 4)) AS full_year_citizens
  FROM full_year_citizens AS c
), intervention_expenditure AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    f.intervention_code AS intervention_code,
    CAST(SUM(e.amount_dkk) AS DECIMAL(18, 2)) AS expenditure_dkk
  FROM expenditure AS e
  INNER JOIN intervention_functions AS f
    ON f.function_code = e.function_code
  WHERE
    e.kind = 'actual'
  GROUP BY
    e.municipality_code,
    e.year,
    f.intervention_code
), units AS (
  SELECT
    'area' AS breakdown,
    a.area AS breakdown_code,
    a.municipality_code AS municipality_code,
    a.year AS year,
    a.expenditure_dkk AS expenditure_dkk,
    CAST(a.population AS DECIMAL(18, 4)) AS units
  FROM area_costs AS a
  UNION ALL
  SELECT
    'intervention' AS breakdown,
    COALESCE(e.intervention_code, c.intervention_code) AS breakdown_code,
    COALESCE(e.municipality_code, c.municipality_code) AS municipality_code,
    COALESCE(e.year, c.year) AS year,
    e.expenditure_dkk AS expenditure_dkk,
    CAST(c.full_year_citizens AS DECIMAL(18, 4)) AS units
  FROM intervention_expenditure AS e
  FULL OUTER JOIN citizens AS c
    ON c.municipality_code = e.municipality_code
    AND c.year = e.year
    AND c.intervention_code = e.intervention_code
), cost AS (
  SELECT
    u.breakdown AS breakdown,
    u.breakdown_code AS breakdown_code,
    u.municipality_code AS municipality_code,
    u.year AS year,
    u.expenditure_dkk AS expenditure_dkk,
    u.units AS units,
    CAST(u.expenditure_dkk AS DOUBLE) / NULLIF(CAST(u.units AS DOUBLE), 0) AS cost_per_unit_dkk
  FROM units AS u
), national AS (
  SELECT
    c.breakdown AS breakdown,
    c.breakdown_code AS breakdown_code,
    c.year AS year,
    CAST(SUM(c.expenditure_dkk) AS DOUBLE) / NULLIF(CAST(SUM(c.units) AS DOUBLE), 0) AS national_cost_per_unit_dkk
  FROM cost AS c
  WHERE
    NOT c.expenditure_dkk IS NULL AND NOT c.units IS NULL
  GROUP BY
    c.breakdown,
    c.breakdown_code,
    c.year
), price_base AS (
  SELECT
    MAX(f.price_base_year) AS price_base_year
  FROM price_factors AS f
), final AS (
  SELECT
    c.breakdown AS breakdown,
    c.breakdown_code AS breakdown_code,
    c.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group,
    c.year AS year,
    c.expenditure_dkk AS expenditure_dkk,
    CASE
      WHEN c.breakdown = 'area'
      THEN CAST(c.expenditure_dkk AS DOUBLE) * CAST(f.base_index_value AS DOUBLE) / NULLIF(CAST(f.index_value AS DOUBLE), 0)
      ELSE CAST(c.expenditure_dkk AS DOUBLE) * f.factor
    END AS expenditure_fixed_dkk,
    c.units AS units,
    c.cost_per_unit_dkk AS cost_per_unit_dkk,
    CASE
      WHEN c.breakdown = 'area'
      THEN c.cost_per_unit_dkk * CAST(f.base_index_value AS DOUBLE) / NULLIF(CAST(f.index_value AS DOUBLE), 0)
      ELSE c.cost_per_unit_dkk * f.factor
    END AS cost_per_unit_fixed_dkk,
    pb.price_base_year AS price_base_year,
    n.national_cost_per_unit_dkk AS national_cost_per_unit_dkk,
    n.national_cost_per_unit_dkk * f.factor AS national_cost_per_unit_fixed_dkk,
    100 * c.cost_per_unit_dkk / NULLIF(CAST(n.national_cost_per_unit_dkk AS DOUBLE), 0) AS index_vs_national,
    CASE
      WHEN NOT c.cost_per_unit_dkk IS NULL
      THEN RANK() OVER (
        PARTITION BY c.breakdown, c.breakdown_code, c.year
        ORDER BY c.cost_per_unit_dkk ASC NULLS LAST
      )
    END AS rank_in_year
  FROM cost AS c
  LEFT JOIN price_factors AS f
    ON f.year = c.year
  CROSS JOIN price_base AS pb
  LEFT JOIN national AS n
    ON n.breakdown = c.breakdown
    AND n.breakdown_code = c.breakdown_code
    AND n.year = c.year
  LEFT JOIN municipalities AS m
    ON m.municipality_code = c.municipality_code
)
SELECT
  breakdown,
  breakdown_code,
  municipality_code,
  municipality_name,
  region_name,
  dst_municipality_group,
  year,
  expenditure_dkk,
  expenditure_fixed_dkk,
  units,
  cost_per_unit_dkk,
  cost_per_unit_fixed_dkk,
  price_base_year,
  national_cost_per_unit_dkk,
  national_cost_per_unit_fixed_dkk,
  index_vs_national,
  rank_in_year
FROM final
