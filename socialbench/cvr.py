"""CVR numbers: the eight-digit numbers of the Danish Central Business Register (CVR).

A CVR number is eight digits d1..d8, the first not 0, whose weighted sum with the weights
2, 7, 6, 5, 4, 3, 2, 1 is divisible by 11 (the modulus-11 check; the last digit is the
check digit). Example: 10150817 gives 2·1 + 7·0 + 6·1 + 5·5 + 4·0 + 3·8 + 2·1 + 1·7 = 66
= 6 × 11, so it passes; 10150818 gives 67 and does not.
"""
from __future__ import annotations

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def _weighted_sum(digits: str) -> int:
    """Σ weight × digit over the digits given (the first seven, or all eight)."""
    return sum(w * int(d) for w, d in zip(WEIGHTS, digits))


def problem(text: str) -> str | None:
    """Why `text` is not a CVR number, or None when it is one."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return "CVR number must be 8 digits"
    if text[0] == "0":
        return "CVR number cannot start with 0"
    if _weighted_sum(text) % 11:
        return "not a valid CVR number (the modulus-11 check fails: check the digits)"
    return None


def with_check_digit(first_seven: str) -> str | None:
    """The CVR number that starts with these seven digits, or None when none does (the
    check digit would have to be 10)."""
    remainder = _weighted_sum(first_seven) % 11
    digit = (11 - remainder) % 11
    return None if digit == 10 else f"{first_seven}{digit}"
