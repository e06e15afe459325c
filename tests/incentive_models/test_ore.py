"""Money in whole øre as text: the same text as the Decimal formatting it replaces."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from incentive_models import ore
from incentive_models.danish import kroner, number

AMOUNTS = st.lists(st.one_of(st.integers(-10**15, 10**15), st.integers(-2000, 2000), st.sampled_from([0, 999_99, 1000_00, -1000_00, 10**16])),
                   max_size=40)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_ore_texts_equal_the_decimal_formats(amounts):
    values = np.array(amounts, dtype=np.int64)
    decimals = [Decimal(a) / 100 for a in amounts]
    assert list(ore.text(values)) == [format(d.quantize(Decimal("0.01")), "f") for d in decimals]
    assert list(ore.danish(values)) == [number(d) for d in decimals]
    assert list(ore.kroner(values)) == [kroner(d) for d in decimals]
    assert ore.decimals(values) == decimals


def test_examples_written_out():
    assert list(ore.danish(np.array([123456789, -550000, 50, 0]))) == ["1.234.567,89", "-5.500,00", "0,50", "0,00"]
    assert list(ore.text(np.array([3450000, -5]))) == ["34500.00", "-0.05"]


def test_a_grants_earlier_payment_stays_on_its_own_lines():
    """Rule 9: what was paid for episodes a grant no longer has is carried by that grant's
    current lines, never by another grant's (found by the property test against the
    oracle: three grants of one citizen, the first with nothing paid)."""
    import pandas as pd

    from incentive_models.engine import allocate_paid

    lines = pd.DataFrame({
        "grant_id": ["G0", "G1", "G2"], "episode_start": [100, 100, 100], "earned_ore": [0, 0, 0],
        "municipality_code": [101] * 3, "baseline_level": [2] * 3, "days_counted": [0] * 3, "exit_days": [0] * 3,
        "qualified_on": [0] * 3,
    })
    paid = pd.DataFrame({"grant_id": ["G1", "G2"], "episode_start": [50, 60], "paid_ore": [1000, 2000]})
    out = allocate_paid(lines, paid).set_index("grant_id")
    assert out["previously_paid_ore"].to_dict() == {"G0": 0, "G1": 1000, "G2": 2000}
