SELECT
  b.municipality_code AS municipality_code,
  b.municipality_name AS municipality_name,
  b.region_name AS region_name,
  b.dst_municipality_group AS dst_municipality_group,
  b.year AS year,
  b.expenditure_dkk AS expenditure_dkk,
  b.expenditure_fixed_dkk AS expenditure_fixed_dkk,
  CAST(b.units AS BIGINT) AS population_0_22,
  b.cost_per_unit_dkk AS cost_per_child_dkk,
  b.cost_per_unit_fixed_dkk AS cost_per_child_fixed_dkk,
  b.price_base_year AS price_base_year,
  b.national_cost_per_unit_dkk AS national_cost_per_child_dkk,
  b.index_vs_national AS index_vs_national,
  b.rank_in_year AS rank_in_year
FROM int_cost_benchmark AS b
WHERE
  b.breakdown = 'area' AND b.breakdown_code = 'children'
