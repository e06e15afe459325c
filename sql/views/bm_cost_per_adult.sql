-- Net operating expenditure on adults with special needs
-- (area 'adults', main account 5.38) per 18-64-year-old, per municipality and year:
-- the adults' rows of int_cost_benchmark. One row per municipality and year with
-- actual expenditure in the area.
select
    b.municipality_code as municipality_code,
    b.municipality_name as municipality_name,
    b.region_name as region_name,
    b.dst_municipality_group as dst_municipality_group,
    b.year as year,
    b.expenditure_dkk as expenditure_dkk,
    b.expenditure_fixed_dkk as expenditure_fixed_dkk,
    cast(b.units as bigint) as population_18_64,
    b.cost_per_unit_dkk as cost_per_adult_dkk,
    b.cost_per_unit_fixed_dkk as cost_per_adult_fixed_dkk,
    b.price_base_year as price_base_year,
    b.national_cost_per_unit_dkk as national_cost_per_adult_dkk,
    b.index_vs_national as index_vs_national,
    b.rank_in_year as rank_in_year
from int_cost_benchmark as b
where b.breakdown = 'area'
    and b.breakdown_code = 'adults'
