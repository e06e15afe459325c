-- The fixed-price factor of every year in the price and wage index (PL-indeks): an amount
-- in current prices of the year times the factor is the amount in the prices of the base
-- year, the latest year in the index. fixed = amount × index(base year) / index(year).
with

price_indices as (
    select
        i.year as year,
        i.index_value as index_value
    from price_index as i
),

-- The base year of fixed prices is the latest year in the price index.
base_index as (
    select
        i.year as base_year,
        i.index_value as base_index_value
    from price_indices as i
    where i.year = (select max(latest.year) from price_indices as latest)
),

factors as (
    select
        i.year as year,
        i.index_value as index_value,
        b.base_year as price_base_year,
        b.base_index_value as base_index_value,
        cast(b.base_index_value as double precision)
            / nullif(cast(i.index_value as double precision), 0) as factor
    from price_indices as i
    cross join base_index as b
)

select
    year,
    index_value,
    price_base_year,
    base_index_value,
    factor
from factors
