"""Money in exact kroner and whole øre: the one rounding rule and the conversions every
area uses (the settlement engine, the budget follow-up).

Amounts are exact (Decimal with 2 decimals, or whole øre as int); an amount is rounded
once, half-up (away from zero on a tie) to whole øre, by `round_ore`.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import numpy as np

ORE = Decimal("0.01")
_CENTS = np.array([f"{n:02d}" for n in range(100)], dtype=object)


def round_ore(value: Decimal | Fraction | int) -> Decimal:
    """Round an exact amount of kroner half-up (away from zero on a tie) to whole øre."""
    if isinstance(value, Fraction):
        sign = -1 if value < 0 else 1
        ore, remainder = divmod(abs(value.numerator) * 100, value.denominator)
        if 2 * remainder >= value.denominator:
            ore += 1
        return (Decimal(sign * ore) / 100).quantize(ORE)
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(value).quantize(ORE, rounding=ROUND_HALF_UP)


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


def kroner(ore: int) -> Decimal:
    """Whole øre as exact Decimal kroner with 2 decimals (Decimal('34500.00'))."""
    return Decimal(int(ore)).scaleb(-2).quantize(ORE)


def decimals(ore: np.ndarray) -> list[Decimal]:
    """Whole øre as exact Decimal kroner, a column at a time."""
    return [kroner(n) for n in ore]


def parts(ore: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sign '' or '-', whole kroner >= 0, øre as two digits) of whole øre, a column at a time."""
    ore = np.asarray(ore, dtype=np.int64)
    sign = np.where(ore < 0, "-", "").astype(object)
    whole, cents = np.divmod(np.abs(ore), 100)
    return sign, whole, _CENTS[cents]


def text(ore: np.ndarray) -> np.ndarray:
    """Whole øre as exact kroner text, as the ledger writes it and numeric columns take it:
    '1234.50', '-5500.00', '0.00' (a column at a time; no Decimal per value)."""
    sign, whole, cents = parts(ore)
    return sign + whole.astype(str).astype(object) + "." + cents
