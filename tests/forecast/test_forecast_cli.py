"""`socialbench forecast` and the one query over fc_forecast (socialbench/forecast/figures.py).

Most tests run the command with a stand-in writer over fc_forecast rows inserted by hand
(every expected figure below is written out by hand from those rows); the last one runs
it with the real writer over the hand-made grants of test_forecast.py."""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from incentive_models.danish import kroner
from socialbench import cli, forecast_cli
from socialbench.errors import SocialbenchError
from socialbench.forecast import figures

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 6, 30)

# Hand-made fc_forecast rows, consistent with the definitions in sql/tables/fc_forecast.yml:
# 101 SEL107: budget 12.5 x 450,000 = 5,625,000.00; forecast 2,900,000.00 + 2,800,000.00 +
#   234,567.89 = 5,934,567.89; deviation 309,567.89; unit cost 5,934,567.89 / 13 = 456,505.22;
#   price (456,505.22 - 450,000) x (12.5 + 13) / 2 = 6,505.22 x 12.75 = 82,941.555 -> 82,941.56;
#   quantity 309,567.89 - 82,941.56 = 226,626.33.
# 101 SEL85: no budget plan; forecast 100,000 + 50,000 + 0 = 150,000.00; 0.5 full-year citizens.
# 147 SEL107: budget 2 x 500,000 = 1,000,000.00; forecast 400,000.00 + 500,000.00 + 0.10 =
#   900,000.10; deviation -99,999.90; unit cost 900,000.10 / 1.75 = 514,285.77; price
#   14,285.77 x (2 + 1.75) / 2 = 26,785.81875 -> 26,785.82; quantity -99,999.90 - 26,785.82 = -126,785.72.
ROWS = [
    # municipality, year, intervention, as_of, budget, planned fyc, planned unit cost, actual, committed,
    # expected new, forecast, deviation, forecast fyc, forecast unit cost, price, quantity
    (101, 2026, "SEL107", AS_OF, "5625000.00", "12.5", "450000.00", "2900000.00", "2800000.00",
     "234567.89", "5934567.89", "309567.89", 13.0, "456505.22", "82941.56", "226626.33"),
    (101, 2026, "SEL85", AS_OF, None, None, None, "100000.00", "50000.00",
     "0.00", "150000.00", None, 0.5, "300000.00", None, None),
    (147, 2026, "SEL107", AS_OF, "1000000.00", "2", "500000.00", "400000.00", "500000.00",
     "0.10", "900000.10", "-99999.90", 1.75, "514285.77", "26785.82", "-126785.72"),
]

# 101's rows as --json prints them (and GET /api/v1/socialbench/forecast returns them).
JSON_101 = [
    {"municipality_code": 101, "municipality_name": "København", "year": 2026, "intervention_code": "SEL107",
     "as_of": "2026-06-30", "budget_dkk": "5625000.00", "planned_full_year_citizens": "12.5000",
     "planned_unit_cost_dkk": "450000.00", "actual_to_date_dkk": "2900000.00", "committed_dkk": "2800000.00",
     "expected_new_dkk": "234567.89", "forecast_dkk": "5934567.89", "deviation_dkk": "309567.89",
     "forecast_full_year_citizens": 13.0, "forecast_unit_cost_dkk": "456505.22",
     "price_deviation_dkk": "82941.56", "quantity_deviation_dkk": "226626.33"},
    {"municipality_code": 101, "municipality_name": "København", "year": 2026, "intervention_code": "SEL85",
     "as_of": "2026-06-30", "budget_dkk": None, "planned_full_year_citizens": None,
     "planned_unit_cost_dkk": None, "actual_to_date_dkk": "100000.00", "committed_dkk": "50000.00",
     "expected_new_dkk": "0.00", "forecast_dkk": "150000.00", "deviation_dkk": None,
     "forecast_full_year_citizens": 0.5, "forecast_unit_cost_dkk": "300000.00",
     "price_deviation_dkk": None, "quantity_deviation_dkk": None},
]


def insert_rows(engine, rows=ROWS) -> None:
    columns = figures.COLUMNS
    insert = sa.text(f"insert into fc_forecast ({', '.join(columns)}) values ({', '.join(':' + c for c in columns)})")
    with engine.begin() as conn:
        for row in rows:
            values = dict(zip(columns, row))
            conn.execute(insert, {k: Decimal(v) if isinstance(v, str) and k.endswith(("_dkk", "citizens")) else v
                                  for k, v in values.items()})


def stand_in_writer(calls: list, result=None, error: Exception | None = None, delete: bool = False):
    """In place of socialbench.forecast.store.write_forecast: records its arguments; may
    delete fc_forecast (as the real one replaces it) and then fail."""

    def write_forecast(conn, as_of=None):
        calls.append(as_of)
        if delete:
            conn.execute(sa.text("delete from fc_forecast"))
        if error is not None:
            raise error
        return result or {"as_of": as_of or AS_OF, "fc_grant_month": 40, "fc_forecast": 3, "fc_expensive_cases": 2, "fc_month": 36}

    return lambda: write_forecast


def cells(line: str) -> list[str]:
    """A printed table line split into its cells (columns are at least two spaces apart)."""
    return re.split(r"\s{2,}", line.strip())


@pytest.fixture
def filled(engine):
    insert_rows(engine)
    return engine


def run(db_url, *argv) -> int:
    return cli.main(["forecast", "--db", db_url, *argv])


# --- the table in Danish -------------------------------------------------------------


def test_table_in_danish_kroner_with_danish_headings(filled, db_url, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer(calls))
    assert run(db_url, "--as-of", "2026-06-30") == 0
    assert calls == [AS_OF]
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "Budgetopfølgning opgjort pr. 30.06.2026: fc_grant_month 40 rækker, fc_forecast 3 rækker, "
        "fc_expensive_cases 2 rækker, fc_month 36 rækker"
    )
    assert [cells(line) for line in out[1:]] == [
        ["Kommune", "År", "Indsats", "Budget", "Forventet regnskab", "Afvigelse", "Pris", "Mængde"],
        ["101 København", "2026", "SEL107", "5.625.000,00 kr.", "5.934.567,89 kr.", "309.567,89 kr.", "82.941,56 kr.", "226.626,33 kr."],
        ["101 København", "2026", "SEL85", "–", "150.000,00 kr.", "–", "–", "–"],
        ["147 Frederiksberg", "2026", "SEL107", "1.000.000,00 kr.", "900.000,10 kr.", "-99.999,90 kr.", "26.785,82 kr.", "-126.785,72 kr."],
    ]
    # The amounts are right-aligned under their headings: every line ends where "Mængde" ends.
    assert {len(line) for line in out[1:]} == {len(out[1])}
    assert out[3].endswith(" –") and out[1].endswith(" Mængde")


def test_municipality_prints_only_that_municipality(filled, db_url, monkeypatch, capsys):
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer([]))
    assert run(db_url, "--as-of", "2026-06-30", "--municipality", "147") == 0
    out = capsys.readouterr().out.splitlines()
    assert [cells(line)[:3] for line in out[2:]] == [["147 Frederiksberg", "2026", "SEL107"]]


def test_json_amounts_are_exact_decimal_strings(filled, db_url, monkeypatch, capsys):
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer([]))
    assert run(db_url, "--as-of", "2026-06-30", "--json", "--municipality", "101") == 0
    assert json.loads(capsys.readouterr().out) == JSON_101


def test_without_as_of_the_writer_chooses(filled, db_url, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer(calls))
    assert run(db_url) == 0
    assert calls == [None]
    assert capsys.readouterr().out.startswith("Budgetopfølgning opgjort pr. 30.06.2026:")


# --- bad input: refused, nothing written ---------------------------------------------


@pytest.mark.parametrize("as_of", ["2026-13-01", "30-06-2026", "2026-02-30", "i går"])
def test_bad_as_of_is_refused_before_anything_is_opened(monkeypatch, capsys, tmp_path, as_of):
    calls = []
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer(calls))
    assert run(f"duckdb:///{tmp_path}/w.duckdb", "--as-of", as_of) == 1
    assert capsys.readouterr().err == f"error: --as-of: not a date YYYY-MM-DD: {as_of!r}\n"
    assert calls == []
    assert not (tmp_path / "w.duckdb").exists()


def test_unknown_municipality_is_refused_before_anything_is_opened(monkeypatch, capsys, tmp_path):
    calls = []
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer(calls))
    assert run(f"duckdb:///{tmp_path}/w.duckdb", "--as-of", "2026-06-30", "--municipality", "999") == 1
    assert capsys.readouterr().err == "error: --municipality: unknown municipality code 999\n"
    assert calls == [] and not (tmp_path / "w.duckdb").exists()


def test_a_writer_error_is_one_line_and_leaves_the_tables_as_they_were(filled, db_url, monkeypatch, capsys):
    calls = []
    refused = SocialbenchError("as-of date: 2027-01-01 is after the latest date in grants and assessments")
    monkeypatch.setattr(forecast_cli, "_write_forecast", stand_in_writer(calls, error=refused, delete=True))
    assert run(db_url, "--as-of", "2027-01-01") == 1
    captured = capsys.readouterr()
    assert captured.err == f"error: {refused}\n" and captured.out == ""
    with filled.connect() as conn:
        assert conn.execute(sa.text("select count(*) from fc_forecast")).scalar() == 3


def test_as_of_parses_iso_date():
    assert forecast_cli.parse_as_of("2026-06-30") == date(2026, 6, 30)
    assert forecast_cli.parse_as_of(None) is None


# --- figures: the one query ------------------------------------------------------------


def test_columns_are_the_declared_columns_of_fc_forecast():
    declared = yaml.safe_load((ROOT / "sql/tables/fc_forecast.yml").read_text(encoding="utf-8"))
    assert figures.COLUMNS == tuple(c["name"] for c in declared["columns"])


def test_forecast_rows_filters(filled):
    insert_rows(filled, [(147, 2025, "SEL107", date(2025, 12, 31), None, None, None, "1.00", "0.00",
                          "0.00", "1.00", None, 0.0, None, None, None)])

    def keys(**kwargs):
        with filled.connect() as conn:
            return [(r["municipality_code"], r["year"], r["intervention_code"]) for r in figures.forecast_rows(conn, **kwargs)]

    everything = [(101, 2026, "SEL107"), (101, 2026, "SEL85"), (147, 2025, "SEL107"), (147, 2026, "SEL107")]
    assert keys() == everything
    assert keys(year=2025) == [(147, 2025, "SEL107")]
    assert keys(municipality_code=101) == everything[:2]
    assert keys(municipality_codes=[147, 101]) == everything
    assert keys(municipality_codes=[147]) == everything[2:]
    assert keys(municipality_codes=[]) == []
    assert keys(municipality_codes=[101], municipality_code=147) == []
    assert keys(municipality_codes={101, 147}, municipality_code=147, year=2026) == [(147, 2026, "SEL107")]


def test_forecast_rows_types_are_the_same_on_both_engines(filled):
    with filled.connect() as conn:
        [row] = figures.forecast_rows(conn, municipality_code=147)
    assert row["as_of"] == AS_OF and type(row["as_of"]) is date
    assert row["deviation_dkk"] == Decimal("-99999.90") and isinstance(row["deviation_dkk"], Decimal)
    assert row["forecast_full_year_citizens"] == 1.75 and type(row["municipality_code"]) is int


def test_json_value_never_writes_an_exponent():
    assert figures.json_value(Decimal("0E-2")) == "0.00"
    assert figures.json_value(Decimal("1E+3")) == "1000"
    assert figures.json_value(Decimal("-0.10")) == "-0.10"
    assert figures.json_value(date(2026, 6, 30)) == "2026-06-30"
    assert figures.json_value(None) is None


def test_table_lines_use_the_danish_money_format():
    row = {"municipality_code": 101, "municipality_name": None, "year": 2026, "intervention_code": "SEL107",
           "budget_dkk": Decimal("1234567.89"), "forecast_dkk": Decimal("1300000.00"), "deviation_dkk": None,
           "price_deviation_dkk": Decimal("-0.01"), "quantity_deviation_dkk": Decimal("0")}
    assert cells(forecast_cli.table_lines([row], kroner)[1]) == [
        "101", "2026", "SEL107", "1.234.567,89 kr.", "1.300.000,00 kr.", "–", "-0,01 kr.", "0,00 kr."]


def test_the_command_writes_with_the_real_writer_and_prints_its_figures(engine, db_url, write_csv, tmp_path, capsys):
    from tests.forecast import test_forecast as case

    case.load_case(engine, write_csv, tmp_path / "case")
    assert run(db_url, "--as-of", "2026-06-30", "--json", "--municipality", "101") == 0
    printed = {r["intervention_code"]: r for r in json.loads(capsys.readouterr().out)}
    assert sorted(printed) == ["BU_OPHOLDSSTED", "SEL107", "SEL85"]
    sel107 = printed["SEL107"]
    assert (sel107["actual_to_date_dkk"], sel107["committed_dkk"], sel107["expected_new_dkk"]) == (
        "680100.00", "463700.00", str(case.SEL107_NEW))
    assert sel107["budget_dkk"] == "1200000.00" and sel107["as_of"] == "2026-06-30"
    assert run(db_url, "--as-of", "2026-06-30") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Budgetopfølgning opgjort pr. 30.06.2026: fc_grant_month 24 rækker")
