SELECT
  a.municipality_code AS municipality_code,
  a.municipality_name AS municipality_name,
  a.region_name AS region_name,
  a.dst_municipality_group AS dst_municipality_group,
  a.year AS year,
  a.expenditure_dkk AS expenditure_dkk,
  a.expenditure_fixed_dkk AS expenditure_fixed_dkk,
  a.population AS population_18_64,
  a.cost_per_person_dkk AS cost_per_adult_dkk,
  a.cost_per_person_fixed_dkk AS cost_per_adult_fixed_dkk,
  a.price_base_year AS price_base_year,
  a.national_cost_per_person_dkk AS national_cost_per_adult_dkk,
  a.index_vs_national AS index_vs_national,
  a.rank_in_year AS rank_in_year
FROM int_area_cost AS a
WHERE
  a.area = 'adults'
