SELECT
  c.municipality_code AS municipality_code,
  c.municipality_name AS municipality_name,
  c.region_name AS region_name,
  c.dst_municipality_group AS dst_municipality_group,
  c.year AS year,
  c.breakdown_code AS intervention_code,
  i.intervention_name AS intervention_name,
  i.area AS area,
  c.expenditure_dkk AS expenditure_dkk,
  c.expenditure_fixed_dkk AS expenditure_fixed_dkk,
  CAST(c.units AS DECIMAL(14, 4)) AS full_year_citizens,
  c.cost_per_unit_dkk AS unit_cost_dkk,
  c.cost_per_unit_fixed_dkk AS unit_cost_fixed_dkk,
  c.price_base_year AS price_base_year,
  c.national_cost_per_unit_dkk AS national_unit_cost_dkk,
  c.national_cost_per_unit_fixed_dkk AS national_unit_cost_fixed_dkk,
  c.index_vs_national AS index_vs_national,
  c.rank_in_year AS rank_in_year
FROM int_cost_benchmark AS c
LEFT JOIN intervention AS i
  ON i.intervention_code = c.breakdown_code
WHERE
  c.breakdown = 'intervention'
