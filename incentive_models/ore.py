"""Money as whole øre in integer columns, and the texts made from them.

The settlement sums, shares and caps in whole øre (int64, or Python ints where a product
could pass 2**63) and turns them into exact `Decimal` kroner, ledger text ("1234.50") or
Danish text ("1.234,50") only at the edge, a column at a time.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np

from incentive_models.rules import ORE

_CENTS = np.array([f"{n:02d}" for n in range(100)], dtype=object)


def of(amount) -> int:
    """An exact amount of kroner (Decimal, int or its text) as whole øre; more than 2
    decimals is an error, never rounded."""
    exact = Decimal(amount) * 100
    if exact != exact.to_integral_value():
        raise ValueError(f"an amount has more than 2 decimals: {amount}")
    return int(exact)


def column(values, missing_as_zero: bool = False) -> np.ndarray:
    """Amounts of kroner (Decimal, int or text) as an int64 array of øre; a missing
    amount (None or NaN) is an error unless `missing_as_zero`."""
    if missing_as_zero:
        return np.array([0 if v is None or v != v else of(v) for v in values], dtype=np.int64)
    return np.array([of(v) for v in values], dtype=np.int64)


def decimals(ore: np.ndarray) -> list[Decimal]:
    """Whole øre as exact Decimal kroner with 2 decimals (Decimal('34500.00'))."""
    return [Decimal(int(n)).scaleb(-2).quantize(ORE) for n in ore]


def _parts(ore: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ore = np.asarray(ore, dtype=np.int64)
    sign = np.where(ore < 0, "-", "").astype(object)
    whole, cents = np.divmod(np.abs(ore), 100)
    return sign, whole, _CENTS[cents]


def text(ore: np.ndarray) -> np.ndarray:
    """Whole øre as the ledger writes kroner: '1234.50', '-5500.00', '0.00'."""
    sign, whole, cents = _parts(ore)
    return sign + whole.astype(str).astype(object) + "." + cents


def danish(ore: np.ndarray) -> np.ndarray:
    """Whole øre as Danish kroner text without the unit: '1.234,50', '-5.500,00'
    (`incentive_models.danish.number`)."""
    sign, whole, cents = _parts(ore)
    grouped = np.array([f"{w:,}".replace(",", ".") for w in whole.tolist()], dtype=object)
    return sign + grouped + "," + cents


def kroner(ore: np.ndarray) -> np.ndarray:
    """Whole øre as '1.234,50 kr.' (`incentive_models.danish.kroner`)."""
    return danish(ore) + " kr."
