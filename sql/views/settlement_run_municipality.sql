-- Settlement run totals per municipality: the sums of a run's lines for the grants of one
-- municipality. A municipality's users read their own rows here (row-level security by
-- municipality_code) instead of the national totals of settlement_run. A municipality
-- without lines in a run has no row for it.
with

settlement_runs as (
    select
        r.run_id,
        r.model_id,
        r.as_of,
        r.status,
        r.approved_at
    from settlement_run as r
),

settlement_lines as (
    select
        l.run_id,
        l.municipality_code,
        l.saving_to_date_dkk,
        l.earned_dkk,
        l.payout_dkk,
        l.held_back_dkk,
        l.adjustment_dkk
    from settlement_line as l
),

municipality_totals as (
    select
        l.run_id,
        l.municipality_code,
        count(*) as line_count,
        sum(l.saving_to_date_dkk) as total_saving_dkk,
        sum(l.earned_dkk) as total_earned_dkk,
        sum(l.payout_dkk) as total_payout_dkk,
        sum(l.held_back_dkk) as total_held_back_dkk,
        sum(l.adjustment_dkk) as total_adjustment_dkk
    from settlement_lines as l
    group by l.run_id, l.municipality_code
),

final as (
    select
        r.run_id,
        r.model_id,
        r.as_of,
        r.status,
        r.approved_at,
        t.municipality_code,
        t.line_count,
        t.total_saving_dkk,
        t.total_earned_dkk,
        t.total_payout_dkk,
        t.total_held_back_dkk,
        t.total_adjustment_dkk
    from municipality_totals as t
    inner join settlement_runs as r on r.run_id = t.run_id
)

select
    run_id,
    model_id,
    as_of,
    status,
    approved_at,
    municipality_code,
    line_count,
    total_saving_dkk,
    total_earned_dkk,
    total_payout_dkk,
    total_held_back_dkk,
    total_adjustment_dkk
from final
