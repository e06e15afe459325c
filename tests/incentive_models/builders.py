"""Small builders for settlement inputs, so that tests read like the rules."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd

from incentive_models.engine import ASSESSMENT_COLUMNS, GRANT_COLUMNS, PAID_COLUMNS, RATE_COLUMNS
from incentive_models.model import parse_model

D = Decimal


def d(text: str | date) -> date:
    return text if isinstance(text, date) else date.fromisoformat(text)


def model(**fields):
    """A model with the worked example's settings, overridden by fields."""
    values = {
        "model_id": "test-model",
        "interventions": ["SEL85"],
        "share": 0.5,
        "qualifying_days": 90,
        "horizon_days": 365,
        **fields,
    }
    lines = []
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            value = "[" + ", ".join(str(v) for v in value) + "]"
        elif value is None:
            value = "null"
        lines.append(f"{key}: {value}")
    return parse_model("\n".join(lines) + "\n", "test.yml")


def grant(grant_id="G1", start="2025-01-01", end=None, end_reason=None, citizen="C1", provider="P1",
          intervention="SEL85", municipality=101):
    return {
        "grant_id": grant_id, "citizen_key": citizen, "municipality_code": municipality,
        "provider_id": provider, "intervention_code": intervention,
        "start_date": d(start), "end_date": d(end) if end else None, "end_reason": end_reason,
    }


def grants(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=GRANT_COLUMNS)


def assessments(*rows) -> pd.DataFrame:
    """rows: (grant_id, 'YYYY-MM-DD', level)."""
    return pd.DataFrame([(g, d(on), lvl) for g, on, lvl in rows], columns=ASSESSMENT_COLUMNS)


def rates(*rows, intervention="SEL85", provider=None) -> pd.DataFrame:
    """rows: (level, 'YYYY-MM-DD', 'rate') or (intervention, level, date, rate); with
    `provider`, the provider's own tariff (a provider_id column), else general rates."""
    out = []
    for row in rows:
        if len(row) == 3:
            row = (intervention, *row)
        code, level, valid_from, rate = row
        out.append((code, level, d(valid_from), D(str(rate)).quantize(D("0.01"))))
    frame = pd.DataFrame(out, columns=RATE_COLUMNS)
    return frame if provider is None else frame.assign(provider_id=provider)


def with_tariffs(*frames: pd.DataFrame) -> pd.DataFrame:
    """General and own-tariff rate frames as one (general rows get provider_id '')."""
    return pd.concat([f if "provider_id" in f else f.assign(provider_id="") for f in frames], ignore_index=True)


def worked_example_rates() -> pd.DataFrame:
    """SEL85: level 3 = 1,000, level 2 = 600, level 1 = 300 kr./day (and level 0 = 0)."""
    return rates((3, "2020-01-01", 1000), (2, "2020-01-01", 600), (1, "2020-01-01", 300), (0, "2020-01-01", 0))


def paid(*rows) -> pd.DataFrame:
    """rows: (grant_id, episode_start, amount[, provider])."""
    out = []
    for row in rows:
        grant_id, start, amount, provider = (*row, "P1") if len(row) == 3 else row
        out.append((grant_id, d(start), D(str(amount)), provider, 101, "SEL85", "C1", 3))
    return pd.DataFrame(out, columns=PAID_COLUMNS)
