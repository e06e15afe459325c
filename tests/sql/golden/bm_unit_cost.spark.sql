WITH municipalities AS (
  SELECT
    m.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group
  FROM municipality AS m
), interventions AS (
  SELECT
    i.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area
  FROM intervention AS i
), intervention_functions AS (
  SELECT
    f.function_code AS function_code,
    f.intervention_code AS intervention_code
  FROM account_function AS f
  WHERE
    NOT f.intervention_code IS NULL
), actual_expenditure AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    f.intervention_code AS intervention_code,
    e.amount_dkk AS amount_dkk
  FROM expenditure AS e
  INNER JOIN intervention_functions AS f
    ON f.function_code = e.function_code
  WHERE
    e.kind = 'actual'
), citizens AS (
  SELECT
    c.municipality_code AS municipality_code,
    c.year AS year,
    c.intervention_code AS intervention_code,
    CAST(c.full_year_citizens AS DECIMAL(14, 4)) AS full_year_citizens
  FROM full_year_citizens AS c
), price_factors AS (
  SELECT
    f.year AS year,
    f.price_base_year AS price_base_year,
    f.factor AS factor
  FROM int_price_factor AS f
), expenditure_per_year AS (
  SELECT
    a.municipality_code AS municipality_code,
    a.year AS year,
    a.intervention_code AS intervention_code,
    CAST(SUM(a.amount_dkk) AS DECIMAL(18, 2)) AS expenditure_dkk
  FROM actual_expenditure AS a
  GROUP BY
    a.municipality_code,
    a.year,
    a.intervention_code
), unit_keys AS (
  SELECT
    e.municipality_code AS municipality_code,
    e.year AS year,
    e.intervention_code AS intervention_code
  FROM expenditure_per_year AS e
  UNION
  SELECT
    c.municipality_code AS municipality_code,
    c.year AS year,
    c.intervention_code AS intervention_code
  FROM citizens AS c
), unit_cost AS (
  SELECT
    k.municipality_code AS municipality_code,
    k.year AS year,
    k.intervention_code AS intervention_code,
    e.expenditure_dkk AS expenditure_dkk,
    c.full_year_citizens AS full_year_citizens,
    CAST(e.expenditure_dkk AS DOUBLE) / NULLIF(CAST(c.full_year_citizens AS DOUBLE), 0) AS unit_cost_dkk
  FROM unit_keys AS k
  LEFT JOIN expenditure_per_year AS e
    ON e.municipality_code = k.municipality_code
    AND e.year = k.year
    AND e.intervention_code = k.intervention_code
  LEFT JOIN citizens AS c
    ON c.municipality_code = k.municipality_code
    AND c.year = k.year
    AND c.intervention_code = k.intervention_code
), national AS (
  SELECT
    u.year AS year,
    u.intervention_code AS intervention_code,
    CAST(SUM(u.expenditure_dkk) AS DOUBLE) / NULLIF(CAST(SUM(u.full_year_citizens) AS DOUBLE), 0) AS national_unit_cost_dkk
  FROM unit_cost AS u
  WHERE
    NOT u.expenditure_dkk IS NULL AND NOT u.full_year_citizens IS NULL
  GROUP BY
    u.year,
    u.intervention_code
), price_base AS (
  SELECT
    MAX(f.price_base_year) AS price_base_year
  FROM price_factors AS f
), fixed_prices AS (
  SELECT
    u.municipality_code AS municipality_code,
    u.year AS year,
    u.intervention_code AS intervention_code,
    u.expenditure_dkk AS expenditure_dkk,
    u.full_year_citizens AS full_year_citizens,
    u.unit_cost_dkk AS unit_cost_dkk,
    pb.price_base_year AS price_base_year,
    f.factor AS fixed_price_factor
  FROM unit_cost AS u
  LEFT JOIN price_factors AS f
    ON f.year = u.year
  CROSS JOIN price_base AS pb
), compared AS (
  SELECT
    f.municipality_code AS municipality_code,
    f.year AS year,
    f.intervention_code AS intervention_code,
    f.expenditure_dkk AS expenditure_dkk,
    CAST(f.expenditure_dkk AS DOUBLE) * f.fixed_price_factor AS expenditure_fixed_dkk,
    f.full_year_citizens AS full_year_citizens,
    f.unit_cost_dkk AS unit_cost_dkk,
    f.unit_cost_dkk * f.fixed_price_factor AS unit_cost_fixed_dkk,
    f.price_base_year AS price_base_year,
    n.national_unit_cost_dkk AS national_unit_cost_dkk,
    n.national_unit_cost_dkk * f.fixed_price_factor AS national_unit_cost_fixed_dkk,
    100 * f.unit_cost_dkk / NULLIF(CAST(n.national_unit_cost_dkk AS DOUBLE), 0) AS index_vs_national,
    CASE
      WHEN NOT f.unit_cost_dkk IS NULL
      THEN RANK() OVER (PARTITION BY f.year, f.intervention_code ORDER BY f.unit_cost_dkk ASC NULLS LAST)
    END AS rank_in_year
  FROM fixed_prices AS f
  LEFT JOIN national AS n
    ON n.year = f.year AND n.intervention_code = f.intervention_code
), final AS (
  SELECT
    c.municipality_code AS municipality_code,
    m.municipality_name AS municipality_name,
    m.region_name AS region_name,
    m.dst_municipality_group AS dst_municipality_group,
    c.year AS year,
    c.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area,
    c.expenditure_dkk AS expenditure_dkk,
    c.expenditure_fixed_dkk AS expenditure_fixed_dkk,
    c.full_year_citizens AS full_year_citizens,
    c.unit_cost_dkk AS unit_cost_dkk,
    c.unit_cost_fixed_dkk AS unit_cost_fixed_dkk,
    c.price_base_year AS price_base_year,
    c.national_unit_cost_dkk AS national_unit_cost_dkk,
    c.national_unit_cost_fixed_dkk AS national_unit_cost_fixed_dkk,
    c.index_vs_national AS index_vs_national,
    c.rank_in_year AS rank_in_year
  FROM compared AS c
  LEFT JOIN municipalities AS m
    ON m.municipality_code = c.municipality_code
  LEFT JOIN interventions AS i
    ON i.intervention_code = c.intervention_code
)
SELECT
  municipality_code,
  municipality_name,
  region_name,
  dst_municipality_group,
  year,
  intervention_code,
  intervention_name,
  area,
  expenditure_dkk,
  expenditure_fixed_dkk,
  full_year_citizens,
  unit_cost_dkk,
  unit_cost_fixed_dkk,
  price_base_year,
  national_unit_cost_dkk,
  national_unit_cost_fixed_dkk,
  index_vs_national,
  rank_in_year
FROM final
