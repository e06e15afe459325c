"""One CPR detector for every text that enters socialbench (loaders, the API, model YAML).

A Danish CPR number is DDMMYY followed by four digits, DDMMYY being a real calendar date
in some century. People write it in many ways, and an attacker writes it in more. The
rule, applied to any text:

1. Normalise. Remove every character that shows nothing between two digits: format
   characters (Unicode category Cf: zero-width space, joiners U+200B..U+200D, word
   joiner U+2060, byte-order mark U+FEFF, soft hyphen U+00AD, bidirectional marks),
   combining marks (Mn, Me: variation selectors, U+034F, a combining underline),
   control characters (Cc: DEL, ESC, ...) and the Hangul fillers; apply NFKC (fullwidth and other compatibility digits,
   NBSP, thin and other Unicode spaces), and read any remaining decimal digit of any
   script (category Nd) as its value 0-9.
2. Split into digit groups. A *separator run* is one or more characters that are
   whitespace, dashes (category Pd, e.g. hyphen, en dash, em dash), the minus sign
   U+2212, plus signs, middle dots, dots, slashes, backslashes or underscores. Digit groups joined by separator
   runs form a *chain*; anything else (a letter, a colon, a comma, the start or end of
   the text) ends a chain. So `CPR0101901234x` holds the chain `0101901234`, and
   `01-01-90-1234` the chain 01|01|90|1234. A time of day written after a space or `T`
   (`12:00`) is not a digit group: it ends the chain, so a timestamp such as
   `2001-01-01 12:00` or `01-01-2001 12:00` is not read as ten digits.
3. A chain holds a CPR number if some run of *whole consecutive groups* of it has
   exactly ten digits whose first six are a valid DDMMYY: day 01-31 valid for the month,
   month 01-12, 29 February when YY is divisible by 4 (a leap year in some century).
   No modulus-11 check: CPR numbers issued since 2007 do not satisfy it.

How ordinary ids stay unflagged: a group is never split, so a digit run longer than ten
digits (a 13-digit EAN, an account number) holds no CPR number, and neither does a run
of fewer than ten digits with nothing joined to it (`G000123`, `P018`, `C-0001`,
`5.28.22`, `2019-2020`, `2024-01-01`). Ten digits whose first six are not a date (most
phone and order numbers: `4512345678`, `1234567890`) are not flagged. What is knowingly
flagged: ten digits that are a date followed by four digits however they are grouped,
e.g. an eight-digit phone number written after a two-digit group (`31 12 90 12 34`),
or a decimal number with eight integer digits and two decimals (`29010000.00`, since a
dot is a separator); such values do not belong in the text fields of these inputs
(amounts are numeric columns and are not searched).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

CPR_MESSAGE = "looks like a CPR number"

CPR_DIGITS = 10
SEPARATORS = set(" ./\\_\u2212+\u00b7")
# Characters that show nothing between two digits: format characters (zero-width space,
# joiners, BOM, soft hyphen, bidirectional marks), combining marks (variation selectors,
# the combining grapheme joiner, a combining underline) and control characters; and the
# Hangul fillers, letters that render as blank.
INVISIBLE = {"Cf", "Mn", "Me", "Cc"}
FILLERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}
TIME_OF_DAY = re.compile(r"[\sT]\d{1,2}:\d{2}")  # ` 12:00` ends a date, as in `2001-01-01 12:00`


def _normalise(text: str) -> str:
    """Step 1: no format characters, NFKC, every decimal digit as ASCII."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in INVISIBLE and ch not in FILLERS)
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.category(ch) == "Nd" else ch for ch in text
    )


def _is_separator(ch: str) -> bool:
    return ch in SEPARATORS or ch.isspace() or unicodedata.category(ch) == "Pd"


def _chains(text: str) -> list[list[str]]:
    """Step 2: the chains of digit groups in a normalised text."""
    chains: list[list[str]] = []
    groups: list[str] = []
    digits = ""
    pending_separator = False
    for ch in text:
        if "0" <= ch <= "9":
            if pending_separator and digits:
                groups.append(digits)
                digits = ""
            digits += ch
            pending_separator = False
        elif _is_separator(ch) and (digits or groups):
            pending_separator = True
        else:
            if digits:
                groups.append(digits)
            if groups:
                chains.append(groups)
            groups, digits, pending_separator = [], "", False
    if digits:
        groups.append(digits)
    if groups:
        chains.append(groups)
    return chains


def is_ddmmyy(digits: str) -> bool:
    """Whether six digits are a real date DDMMYY in some century."""
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    try:
        dt.date(2000 + year, month, day)  # 2000 + YY is a leap year whenever YY % 4 == 0
    except ValueError:
        return False
    return True


def _chain_has_cpr(groups: list[str]) -> bool:
    """Step 3: whole consecutive groups with exactly ten digits, the first six a date."""
    for first in range(len(groups)):
        digits = ""
        for group in groups[first:]:
            digits += group
            if len(digits) >= CPR_DIGITS:
                break
        if len(digits) == CPR_DIGITS and is_ddmmyy(digits[:6]):
            return True
    return False


def looks_like_cpr(text: str) -> bool:
    """Whether the text holds a CPR number, however it is written (see the module's rule)."""
    if not isinstance(text, str) or not text:
        return False
    if not text.isascii() or not text.isprintable():
        text = _normalise(text)  # printable ASCII text is already normal
    if sum("0" <= ch <= "9" for ch in text) < CPR_DIGITS:
        return False  # fewer than ten digits cannot hold one
    return any(_chain_has_cpr(groups) for groups in _chains(TIME_OF_DAY.sub("|", text)))
