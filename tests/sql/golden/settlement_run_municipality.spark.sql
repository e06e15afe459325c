WITH settlement_runs AS (
  SELECT
    r.run_id,
    r.model_id,
    r.as_of,
    r.status,
    r.approved_at
  FROM settlement_run AS r
), settlement_lines AS (
  SELECT
    l.run_id,
    l.municipality_code,
    l.saving_to_date_dkk,
    l.earned_dkk,
    l.payout_dkk,
    l.held_back_dkk,
    l.adjustment_dkk
  FROM settlement_line AS l
), municipality_totals AS (
  SELECT
    l.run_id,
    l.municipality_code,
    COUNT(*) AS line_count,
    SUM(l.saving_to_date_dkk) AS total_saving_dkk,
    SUM(l.earned_dkk) AS total_earned_dkk,
    SUM(l.payout_dkk) AS total_payout_dkk,
    SUM(l.held_back_dkk) AS total_held_back_dkk,
    SUM(l.adjustment_dkk) AS total_adjustment_dkk
  FROM settlement_lines AS l
  GROUP BY
    l.run_id,
    l.municipality_code
), final AS (
  SELECT
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
  FROM municipality_totals AS t
  INNER JOIN settlement_runs AS r
    ON r.run_id = t.run_id
)
SELECT
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
FROM final
