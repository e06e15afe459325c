"""Money as whole øre in integer columns, and the texts made from them.

The settlement sums, shares and caps in whole øre (int64, or Python ints where a product
could pass 2**63) and turns them into exact `Decimal` kroner, ledger text ("1234.50") or
Danish text ("1.234,50") only at the edge, a column at a time.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from incentive_models import text_columns
from socialbench.money import ORE, column, decimals, of, text  # noqa: F401 (shared with the forecast)
from socialbench.money import parts as _parts

_PAD3 = np.array([f"{n:03d}" for n in range(1000)], dtype=object)


def danish(ore: np.ndarray) -> np.ndarray:
    """Whole øre as Danish kroner text without the unit: '1.234,50', '-5.500,00'
    (`incentive_models.danish.number`)."""
    sign, whole, cents = _parts(ore)
    return np.array(text_columns.rows([sign, _thousands(whole), ",", cents]), dtype=object)


def _thousands(whole: np.ndarray) -> np.ndarray:
    """Whole numbers >= 0 with '.' between thousands: 1234567 -> '1.234.567'."""
    out = np.empty(len(whole), dtype=object)
    low, k = 0, 0
    while True:
        high = 1000 ** (k + 1)
        mask = whole >= low if high > 1 << 62 else (whole >= low) & (whole < high)
        if mask.any():
            w = whole[mask]
            parts = [(w // 1000**k).astype(str).astype(object)]
            for j in range(k - 1, -1, -1):
                parts += [".", _PAD3[(w // 1000**j) % 1000]]
            out[mask] = text_columns.rows(parts)
        if high > 1 << 62 or int(whole.max(initial=0)) < high:
            return out
        low, k = high, k + 1


def kroner(ore: np.ndarray) -> np.ndarray:
    """Whole øre as '1.234,50 kr.' (`incentive_models.danish.kroner`)."""
    return danish(ore) + " kr."
