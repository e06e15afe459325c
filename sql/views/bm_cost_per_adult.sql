-- Net operating expenditure on adults with special needs
-- (area 'adults', main account 5.38) per 18-64-year-old, per municipality and year:
-- the adults' rows of int_area_cost. One row per municipality and year with actual
-- expenditure in the area.
select
    a.municipality_code as municipality_code,
    a.municipality_name as municipality_name,
    a.region_name as region_name,
    a.dst_municipality_group as dst_municipality_group,
    a.year as year,
    a.expenditure_dkk as expenditure_dkk,
    a.expenditure_fixed_dkk as expenditure_fixed_dkk,
    a.population as population_18_64,
    a.cost_per_person_dkk as cost_per_adult_dkk,
    a.cost_per_person_fixed_dkk as cost_per_adult_fixed_dkk,
    a.price_base_year as price_base_year,
    a.national_cost_per_person_dkk as national_cost_per_adult_dkk,
    a.index_vs_national as index_vs_national,
    a.rank_in_year as rank_in_year
from int_area_cost as a
where a.area = 'adults'
