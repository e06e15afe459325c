"""`socialbench settle ...` end to end on the worked example."""
from __future__ import annotations

import json

import pytest

from socialbench import warehouse
from socialbench.cli import main
from tests.incentive_models import builders as b

MODEL = "model_id: worked\ninterventions: [SEL85]\nshare: 0.5\nqualifying_days: 90\nhorizon_days: 365\n"


@pytest.fixture
def model_file(engine, tmp_path):
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "grants", b.grants(b.grant()))
        warehouse.insert_frame(
            conn, "assessments", b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1))
        )
        warehouse.insert_frame(conn, "rates", b.worked_example_rates())
    path = tmp_path / "worked.yml"
    path.write_text(MODEL, encoding="utf-8")
    return path


def test_run_approve_and_statement(db_url, model_file, tmp_path, capsys):
    assert main(["settle", "run", "--db", db_url, "--model", str(model_file), "--as-of", "2025-06-30", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["status"], out["total_payout_dkk"], out["line_count"]) == ("draft", "34500.00", 1)
    assert main(["settle", "approve", "--db", db_url, out["run_id"]]) == 0
    assert f"run {out['run_id']} approved" in capsys.readouterr().out
    assert main(["settle", "approve", "--db", db_url, out["run_id"]]) == 1
    assert "already approved" in capsys.readouterr().err
    target = tmp_path / "s.csv"
    args = ["settle", "statement", "--db", db_url, out["run_id"], "--provider", "P1", "--format", "csv", "--out", str(target)]
    assert main(args) == 0
    assert "34500,00" in target.read_text(encoding="utf-8-sig")


def test_bad_model_and_date_are_one_line_errors(db_url, model_file, tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text(MODEL.replace("share: 0.5", "share: 2"), encoding="utf-8")
    assert main(["settle", "run", "--db", db_url, "--model", str(bad), "--as-of", "2025-06-30"]) == 1
    assert f"{bad}:3: share: must be above 0 and at most 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["settle", "run", "--db", db_url, "--model", str(model_file), "--as-of", "30-06-2025"])
    assert "not a date YYYY-MM-DD" in capsys.readouterr().err
