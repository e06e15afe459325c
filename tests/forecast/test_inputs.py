"""The forecast's inputs (migration 011): budget_plan.csv, rates.csv with an optional
provider_id, refusion_tiers.csv shipped and loadable. Bad input is refused with
`file:line: column: message` and nothing is written."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from socialbench import loading
from socialbench.errors import InputError
from socialbench.forecast import tiers
from tests.socialbench.load_problems import problems_of

BUDGET = "municipality_code,year,intervention_code,planned_full_year_citizens,planned_unit_cost_dkk"
RATES = "intervention_code,support_level,provider_id,valid_from,daily_rate_dkk"
TIERS = "year,area,threshold_dkk,refund_share"


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "input"


def test_budget_plan_and_provider_rates_load(engine, write_csv, folder):
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv", folder=folder)
    write_csv("budget_plan.csv", BUDGET, "101,2026,SEL107,12.5,450000", folder=folder)
    write_csv("rates.csv", RATES, "SEL107,2,,2026-01-01,1000", "SEL107,2,P1,2026-01-01,1150.50", folder=folder)
    assert loading.load_path(engine, folder) == {"providers": 1, "budget_plan": 1, "rates": 2}
    assert rows(engine, "select planned_full_year_citizens, planned_unit_cost_dkk from budget_plan") == [
        (Decimal("12.5000"), Decimal("450000.00"))]
    # The general rate is stored with provider_id '' (part of the key).
    assert rows(engine, "select provider_id, daily_rate_dkk from rates order by provider_id") == [
        ("", Decimal("1000.00")), ("P1", Decimal("1150.50"))]
    # Loaded again: replaced in place, not doubled.
    write_csv("rates.csv", RATES, "SEL107,2,,2026-01-01,1001", "SEL107,2,P1,2026-01-01,1150.50", folder=folder)
    loading.load_path(engine, folder)
    assert rows(engine, "select provider_id, daily_rate_dkk from rates order by provider_id") == [
        ("", Decimal("1001.00")), ("P1", Decimal("1150.50"))]


def test_rates_without_provider_column_are_general_rates(engine, write_csv, folder):
    write_csv("rates.csv", "intervention_code,support_level,valid_from,daily_rate_dkk", "SEL107,2,2026-01-01,1000",
              folder=folder)
    assert loading.load_path(engine, folder) == {"rates": 1}
    write_csv("rates.csv", "intervention_code,support_level,valid_from,daily_rate_dkk", "SEL107,2,2026-01-01,999",
              folder=folder)
    loading.load_path(engine, folder)
    assert rows(engine, "select provider_id, daily_rate_dkk from rates") == [("", Decimal("999.00"))]


def test_bad_budget_rates_and_tiers_are_refused(engine, write_csv, folder):
    write_csv("budget_plan.csv", BUDGET, "101,2026,SEL107,-1,450000", "101,2026,SEL107,2,450000",
              "999,2026,NOPE,1,1", folder=folder)
    write_csv("rates.csv", RATES, "SEL107,2,P9,2026-01-01,1000", folder=folder)
    write_csv("refusion_tiers.csv", TIERS, "2026,adults,830000,1.5", "2026,elderly,830000,0.25", folder=folder)
    budget, rates_csv, tiers_csv = (folder / n for n in ("budget_plan.csv", "rates.csv", "refusion_tiers.csv"))
    found = problems_of(engine, folder)
    assert f"{budget}:2: planned_full_year_citizens: must be at least 0: -1" in found
    assert f"{tiers_csv}:2: refund_share: must be at most 1: 1.5" in found
    assert f"{tiers_csv}:3: area: must be one of children, adults" in found
    assert rows(engine, "select count(*) from budget_plan") == [(0,)]
    assert rows(engine, "select count(*) from rates") == [(0,)]


def test_unknown_provider_municipality_and_intervention_and_duplicates(engine, write_csv, folder):
    write_csv("budget_plan.csv", BUDGET, "101,2026,SEL107,2,450000", "101,2026,SEL107,3,450000",
              "999,2026,NOPE,1,1", folder=folder)
    write_csv("rates.csv", RATES, "SEL107,2,P9,2026-01-01,1000", folder=folder)
    budget, rates_csv = folder / "budget_plan.csv", folder / "rates.csv"
    found = problems_of(engine, folder)
    assert any(p.startswith(f"{budget}:3: municipality_code,year,intervention_code: duplicate key") for p in found), found
    assert any(p.startswith(f"{budget}:4: municipality_code: unknown") for p in found), found
    assert any(p.startswith(f"{budget}:4: intervention_code: unknown") for p in found), found
    assert any(p.startswith(f"{rates_csv}:2: provider_id: unknown") and "P9" in p and "providers.csv" in p
               for p in found), found
    assert rows(engine, "select count(*) from budget_plan") == [(0,)]


def test_refusion_tiers_are_shipped_and_a_correction_is_kept(engine, write_csv, folder):
    # 2020-level thresholds of Serviceloven § 176 (L 197, 2019/20): 25, 50 and 75 per cent.
    assert rows(engine, "select threshold_dkk, refund_share from refusion_tiers "
                        "where year = 2026 and area = 'adults' order by threshold_dkk") == [
        (Decimal("830000.00"), Decimal("0.2500")), (Decimal("1630000.00"), Decimal("0.5000")),
        (Decimal("2050000.00"), Decimal("0.7500"))]
    write_csv("refusion_tiers.csv", TIERS, "2026,adults,830000,0.30", folder=folder)
    loading.load_path(engine, folder)
    with engine.begin() as conn:
        assert tiers.seed(conn) == 0  # every shipped year has tiers: nothing re-seeded
    assert rows(engine, "select refund_share from refusion_tiers where year = 2026 and area = 'adults' "
                        "and threshold_dkk = 830000") == [(Decimal("0.3000"),)]


def test_rows_with_an_empty_provider_are_general_rates_and_refer_to_no_provider(engine):
    # Rows from a frame (the demo generator) carry the stored form '' rather than an empty
    # cell; '' names no provider, while 'P9' must still be a known provider.
    import pandas as pd

    def batch(provider_id):
        frame = pd.DataFrame({"intervention_code": ["SEL107"], "support_level": [2], "provider_id": [provider_id],
                              "valid_from": [pd.Timestamp("2026-01-01").date()], "daily_rate_dkk": [Decimal("1000")]})
        return [loading.Rows("rates", "rates.csv", frame, [2])]

    assert loading.load_batch(engine, batch("")) == {"rates": 1}
    assert rows(engine, "select provider_id, daily_rate_dkk from rates") == [("", Decimal("1000.00"))]
    with pytest.raises(InputError) as raised:
        loading.load_batch(engine, batch("P9"))
    assert [str(p) for p in raised.value.problems] == [
        "rates.csv:2: provider_id: unknown provider 'P9': load it in providers.csv"]
