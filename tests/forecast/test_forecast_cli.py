"""`socialbench forecast`: argument checks and the Danish table (values written by hand)."""
from datetime import date
from decimal import Decimal

from socialbench import cli, forecast_cli


def test_bad_as_of_is_refused_before_the_writer_runs(monkeypatch, capsys, tmp_path):
    called = []
    monkeypatch.setattr(forecast_cli, "_write_forecast", lambda: called.append(1))
    code = cli.main(["forecast", "--db", f"duckdb:///{tmp_path}/w.duckdb", "--as-of", "2026-13-01"])
    assert code == 1
    assert "--as-of" in capsys.readouterr().err
    assert called == []
    assert not (tmp_path / "w.duckdb").exists()


def test_as_of_parses_iso_date():
    assert forecast_cli.parse_as_of("2026-06-30") == date(2026, 6, 30)
    assert forecast_cli.parse_as_of(None) is None


def test_table_line_in_danish_kroner():
    row = {"municipality_code": 101, "year": 2026, "intervention_code": "SEL107",
           "budget_dkk": Decimal("1234567.89"), "forecast_dkk": Decimal("1300000.00"), "deviation_dkk": None}
    line = forecast_cli.table_lines([row])[1]
    assert "1.234.567,89 kr." in line and "1.300.000,00 kr." in line and "–" in line


def test_json_amounts_are_exact_strings():
    assert forecast_cli.as_json_value(Decimal("0.10")) == "0.10"
    assert forecast_cli.as_json_value(date(2026, 6, 30)) == "2026-06-30"
