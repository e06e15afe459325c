"""The provider-aware rate rule (socialbench/rate_rule.py), by hand."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from socialbench.rate_rule import rates_on
from incentive_models.rules import RuleError

D = Decimal
RATES = pd.DataFrame(
    [
        ("SEL107", 2, "", date(2026, 1, 1), D("1000.00")),
        ("SEL107", 2, "", date(2026, 7, 1), D("1100.00")),   # general rate change
        ("SEL107", 2, "P1", date(2026, 3, 1), D("1150.00")),  # P1's own tariff from March
        ("SEL107", 3, "", date(2026, 1, 1), D("1500.00")),
    ],
    columns=["intervention_code", "support_level", "provider_id", "valid_from", "daily_rate_dkk"],
)


def q(*rows):
    return pd.DataFrame(rows, columns=["intervention_code", "support_level", "provider_id", "day"])


def test_general_and_provider_rates():
    got = rates_on(RATES, q(
        ("SEL107", 2, "P2", date(2026, 6, 30)),   # P2 has no own tariff: general 1000
        ("SEL107", 2, "P2", date(2026, 7, 1)),    # general from July: 1100
        ("SEL107", 2, "P1", date(2026, 7, 1)),    # P1's own row (latest on or before): 1150
        ("SEL107", 3, "P1", date(2026, 7, 1)),    # P1 has no level-3 row: general 1500
        ("SEL107", 2, None, date(2026, 1, 1)),    # no provider: general 1000
    ))
    assert list(got) == [D("1000.00"), D("1100.00"), D("1150.00"), D("1500.00"), D("1000.00")]


def test_a_provider_with_own_rows_has_no_rate_before_its_first_row():
    # P1 has rows for (SEL107, 2), so its grants use only them: none before 1 March.
    with pytest.raises(RuleError, match="intervention SEL107 level 2 provider P1 on 2026-02-28"):
        rates_on(RATES, q(("SEL107", 2, "P1", date(2026, 2, 28))))


def test_a_missing_general_rate_names_intervention_level_provider_and_date():
    with pytest.raises(RuleError, match="intervention SEL107 level 4 provider P2 on 2026-05-01"):
        rates_on(RATES, q(("SEL107", 4, "P2", date(2026, 5, 1)), ("SEL107", 2, "P2", date(2026, 5, 1))))
