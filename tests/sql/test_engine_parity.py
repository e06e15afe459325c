"""DuckDB and PostgreSQL give the same figures on the national-scale demo data: every view,
every derived table and a settlement run over the four national interventions, row for
row (money to the øre, counts and text exactly, doubles to 1e-9), built with the ordinary
commands (scripts/compare-figures parity). The full national size runs in the performance
harness (`python -m perf`); here a sample of it, so that the suite stays quick."""
from __future__ import annotations

from pathlib import Path

from tests.sql.test_compare_figures import figures

MODEL = Path(__file__).resolve().parents[2] / "perf" / "models" / "national-4.yml"


def test_both_engines_give_the_same_figures_and_settlement_on_national_data(capsys):
    failing = figures.parity("national", 1500, (str(MODEL), "2025-12-31"), 1e-9, False)
    out = capsys.readouterr().out
    assert failing == 0, out
    last = out.strip().splitlines()[-1]
    assert last.startswith("duckdb vs postgresql: ") and "identical" in last, out
    lines = next(line for line in out.splitlines() if line.startswith("duckdb vs postgresql: settlement_line: "))
    assert int(lines.split(": ")[2].split()[0]) > 100, lines   # about 0.75 lines a national grant


def test_parity_finds_a_difference_in_money_even_within_the_tolerance_of_doubles(capsys):
    """An øre of difference in an amount is a difference, whatever the tolerance of doubles."""
    before = {"v": ["k\tamount\tshare", "1\t100.00\t0.5"]}
    after = {"v": ["k\tamount\tshare", "1\t100.01\t0.5000000000001"]}
    assert figures.report_differences("x", before, after, 1e-9, False, {"v": {"share"}}) == 1
    only_double = {"v": ["k\tamount\tshare", "1\t100.00\t0.5000000000001"]}
    assert figures.report_differences("x", before, only_double, 1e-9, False, {"v": {"share"}}) == 0
    assert figures.report_differences("x", before, only_double, 0.0, False, {"v": {"share"}}) == 1
