"""The CPR detector: every way of writing a CPR number is found, ordinary ids are not.

Positive cases are generated from real dates and rendered the way people (and attackers)
write them; negative cases are generated from the shapes of ids the inputs hold.
"""
from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialbench import demo_data
from socialbench.cpr import CPR_MESSAGE, looks_like_cpr

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
SEPARATOR_CHARS = [
    " ", "-", ".", "/", "\\", "_", "\t",
    "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d",  # dashes, minus
    "\u00a0", "\u2009", "\u202f", "\u2002", "\u2003", "\u3000",  # Unicode spaces
]
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
ARABIC_INDIC = {str(d): chr(0x0660 + d) for d in range(10)}


def ddmmyy(day: dt.date) -> str:
    return day.strftime("%d%m") + f"{day.year % 100:02d}"


@st.composite
def written_cpr(draw) -> str:
    """A valid CPR number written with random grouping, separators, zero-width characters,
    digit forms, prefix and suffix."""
    digits = ddmmyy(draw(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))) + draw(
        st.text("0123456789", min_size=4, max_size=4)
    )
    cuts = sorted(draw(st.sets(st.integers(1, 9), max_size=9)))
    groups = [digits[a:b] for a, b in zip([0, *cuts], [*cuts, 10])]
    form = draw(st.sampled_from([{}, FULLWIDTH, ARABIC_INDIC]))
    groups = ["".join(form.get(ch, ch) for ch in g) for g in groups]
    separator = st.text(st.sampled_from(SEPARATOR_CHARS), min_size=1, max_size=3)
    text = groups[0] + "".join(draw(separator) + g for g in groups[1:])
    for _ in range(draw(st.integers(0, 4))):  # zero-width characters anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(ZERO_WIDTH)) + text[at:]
    # Any prefix or suffix that does not itself continue the digits (a digit run of more
    # than ten digits is by rule not a CPR number): no character whose NFKC form holds one.
    edge = st.text(
        st.characters(blacklist_categories=["Nd", "Nl", "No", "Cs"]).filter(
            lambda ch: not any(c.isdigit() for c in unicodedata.normalize("NFKC", ch))
        ),
        max_size=6,
    )
    prefix, suffix = draw(edge), draw(edge)
    prefix = draw(st.sampled_from(["", "CPR", "cpr: ", "Cpr-nr. ", prefix]))
    suffix = draw(st.sampled_from(["", "x", " (mor)", suffix]))
    return prefix + text + suffix


@settings(max_examples=1000, deadline=None)
@given(written_cpr())
def test_every_written_cpr_number_is_found(text):
    assert looks_like_cpr(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "0101901234", "010190-1234", "010190 1234", "010190\u20131234", "010190\u20141234", "010190\u22121234",
        "01-01-90-1234", "01.01.90.1234", "01/01/90/1234", "010190\u00a01234", "010190\u20091234",
        "CPR0101901234", "cpr: 010190-1234x", "0101\u200b901234", "01\u00ad0190\u20601234",
        "\uff10\uff11\uff10\uff11\uff19\uff10\uff11\uff12\uff13\uff14", "290200-1234", "311299 - 1234",
        "borger 010190-1234 og 020290-4321",
        # invisible between digits: a variation selector, the combining grapheme joiner, a
        # combining underline, DEL, a Hangul filler; and + or a middle dot as separator
        "0101\ufe0f901234", "0101\u034f901234", "0\u0332101901234", "0101\x7f901234", "0101\u3164901234",
        "010190+1234", "010190\u00b71234",
    ],
)
def test_known_spellings_are_found(text):
    assert looks_like_cpr(text)


@st.composite
def ordinary_id(draw) -> str:
    """Texts of the shapes the inputs really hold: none contains a CPR number."""
    digits = st.text("0123456789", min_size=1, max_size=9)
    shape = draw(st.sampled_from(["letter_id", "long_run", "years", "iso_date", "no_date", "decimal", "words"]))
    if shape == "letter_id":  # G000123, P018, C-0001, B-123456
        return draw(st.sampled_from(["G", "P", "C-", "B-", "SEL", "BU_"])) + draw(digits)
    if shape == "long_run":  # EAN-13, account numbers: more than ten digits in one run
        return draw(st.sampled_from(["", "EAN ", "konto "])) + draw(st.text("0123456789", min_size=11, max_size=20))
    if shape == "years":
        a = draw(st.integers(1900, 2100))
        return f"{a}-{a + draw(st.integers(0, 10))}"
    if shape == "iso_date":
        return draw(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))).isoformat() + draw(
            st.sampled_from(["", " 12:00", "T08:30"])
        )
    if shape == "no_date":  # ten digits whose first six are not a date, however grouped
        day = draw(st.sampled_from([f"{d:02d}" for d in [0, *range(32, 100)]]))
        rest = draw(st.text("0123456789", min_size=8, max_size=8))
        ten = day + rest
        sep = draw(st.sampled_from(["", " ", "-", "\u2013"]))
        return ten[:6] + sep + ten[6:]
    if shape == "decimal":  # up to nine digits (ten could be a date and four digits: see cpr.py)
        return str(draw(st.decimals(-10**7 + 1, 10**7 - 1, places=2, allow_nan=False)))
    return draw(st.text(st.characters(blacklist_categories=["Nd", "Cs"]), max_size=30))


@settings(max_examples=1000, deadline=None)
@given(ordinary_id())
def test_ordinary_ids_are_not_flagged(text):
    assert not looks_like_cpr(text), repr(text)


@pytest.mark.parametrize(
    "text",
    ["5701234567890", "G000123", "P018", "2019-2020", "2024-01-01", "4512345678", "1234567890",
     "320190-1234", "011390-1234", "290201-1234", "01019012345", "5.28.22", "", "SEL109_110", "Bo og Liv ApS",
     "2001-01-01 12:00", "01-01-2001 12:00", "1234567.89"],
)
def test_known_ordinary_values_are_not_flagged(text):
    assert not looks_like_cpr(text)


def test_no_text_of_the_demo_data_is_flagged():
    frames = demo_data.generate(demo_data.DEFAULT_SEED)
    flagged = {
        (table, column, value)
        for table, frame in frames.items()
        for column in frame.columns
        if frame[column].dtype == object
        for value in frame[column].dropna().unique()
        if isinstance(value, str) and looks_like_cpr(value)
    }
    assert flagged == set()
    assert frames["grants"]["citizen_key"].map(looks_like_cpr).sum() == 0


def test_the_message_is_the_documented_one():
    assert CPR_MESSAGE == "looks like a CPR number"
