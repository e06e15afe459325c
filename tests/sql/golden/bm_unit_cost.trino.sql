WITH interventions AS (
  SELECT
    i.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area
  FROM intervention AS i
), unit_costs AS (
  SELECT
    b.municipality_code AS municipality_code,
    b.municipality_name AS municipality_name,
    b.region_name AS region_name,
    b.dst_municipality_group AS dst_municipality_group,
    b.year AS year,
    b.breakdown_code AS intervention_code,
    b.expenditure_dkk AS expenditure_dkk,
    b.expenditure_fixed_dkk AS expenditure_fixed_dkk,
    CAST(b.units AS DECIMAL(14, 4)) AS full_year_citizens,
    b.cost_per_unit_dkk AS unit_cost_dkk,
    b.cost_per_unit_fixed_dkk AS unit_cost_fixed_dkk,
    b.price_base_year AS price_base_year,
    b.national_cost_per_unit_dkk AS national_unit_cost_dkk,
    b.national_cost_per_unit_fixed_dkk AS national_unit_cost_fixed_dkk,
    b.index_vs_national AS index_vs_national,
    b.rank_in_year AS rank_in_year
  FROM int_cost_benchmark AS b
  WHERE
    b.breakdown = 'intervention'
), final AS (
  SELECT
    u.municipality_code AS municipality_code,
    u.municipality_name AS municipality_name,
    u.region_name AS region_name,
    u.dst_municipality_group AS dst_municipality_group,
    u.year AS year,
    u.intervention_code AS intervention_code,
    i.intervention_name AS intervention_name,
    i.area AS area,
    u.expenditure_dkk AS expenditure_dkk,
    u.expenditure_fixed_dkk AS expenditure_fixed_dkk,
    u.full_year_citizens AS full_year_citizens,
    u.unit_cost_dkk AS unit_cost_dkk,
    u.unit_cost_fixed_dkk AS unit_cost_fixed_dkk,
    u.price_base_year AS price_base_year,
    u.national_unit_cost_dkk AS national_unit_cost_dkk,
    u.national_unit_cost_fixed_dkk AS national_unit_cost_fixed_dkk,
    u.index_vs_national AS index_vs_national,
    u.rank_in_year AS rank_in_year
  FROM unit_costs AS u
  LEFT JOIN interventions AS i
    ON i.intervention_code = u.intervention_code
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
