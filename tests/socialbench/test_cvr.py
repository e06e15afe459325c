"""CVR numbers in providers.csv: eight digits, the first not 0, passing the modulus-11
check (weights 2, 7, 6, 5, 4, 3, 2, 1); a bad one is refused with file:line: column and
nothing is written."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from socialbench import cvr, loading
from socialbench.errors import InputError

# 1 0 1 5 0 8 1 7 · 2 7 6 5 4 3 2 1 = 2 + 0 + 6 + 25 + 0 + 24 + 2 + 7 = 66 = 6 × 11: valid.
VALID = "10150817"
# 2 1 8 4 3 5 6 0 · 2 7 6 5 4 3 2 1 = 4 + 7 + 48 + 20 + 12 + 15 + 12 + 0 = 118 = 10 × 11 + 8: invalid.
INVALID = "21843560"


def test_the_modulus_11_check_by_hand():
    assert cvr.problem(VALID) is None
    assert cvr.problem(INVALID) == "not a valid CVR number (the modulus-11 check fails: check the digits)"
    # 2 1 8 4 3 5 6 d: 118 - 0 + d must be divisible by 11, so d = 3 (121 = 11 × 11).
    assert cvr.with_check_digit("2184356") == "21843563" and cvr.problem("21843563") is None
    # 1 0 0 0 0 0 2 d: 2 + 4 = 6, d would have to be 5: 11. And 1 0 0 0 0 0 0 d: 2, d = 9.
    assert cvr.with_check_digit("1000002") == "10000025"
    assert cvr.with_check_digit("1000000") == "10000009"
    # 1 0 0 0 0 0 5 d: 2 + 10 = 12 = 11 + 1, d would be 10: no such number.
    assert cvr.with_check_digit("1000005") is None


@pytest.mark.parametrize("text, message", [
    ("1015081", "CVR number must be 8 digits"),
    ("101508170", "CVR number must be 8 digits"),
    ("1015O817", "CVR number must be 8 digits"),                  # a letter O
    ("\uff11\uff10\uff11\uff15\uff10\uff18\uff11\uff17", "CVR number must be 8 digits"),  # fullwidth digits
    ("01015081", "CVR number cannot start with 0"),
])
def test_what_is_not_a_cvr_number(text, message):
    assert cvr.problem(text) == message


def test_every_single_digit_error_of_a_valid_number_is_found():
    """Each weight is 1-7, prime to 11, so changing one digit changes the sum by a
    non-multiple of 11."""
    for position in range(8):
        for digit in "0123456789":
            changed = VALID[:position] + digit + VALID[position + 1:]
            if changed != VALID and changed[0] != "0":
                assert cvr.problem(changed) is not None, changed


def test_providers_csv_with_cvr_numbers(engine, write_csv, tmp_path):
    path = write_csv("providers.csv", "provider_id,provider_name,cvr", f"P1,Bo og Liv ApS,{VALID}", "P2,Egebakken,")
    loading.load_path(engine, path)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select provider_id, cvr from providers order by 1")).fetchall() == [("P1", VALID), ("P2", None)]
    # a re-load without the column keeps the stored number
    loading.load_path(engine, write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv A/S"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("select provider_name, cvr from providers where provider_id = 'P1'")).one() == ("Bo og Liv A/S", VALID)


def test_a_bad_cvr_number_is_refused_and_nothing_is_written(engine, write_csv):
    path = write_csv("providers.csv", "provider_id,provider_name,cvr", f"P1,Bo og Liv ApS,{VALID}", f"P2,Egebakken,{INVALID}")
    with pytest.raises(InputError) as raised:
        loading.load_path(engine, path)
    assert [(p.file, p.line, p.column, p.message) for p in raised.value.problems] == [
        (str(path), 3, "cvr", "not a valid CVR number (the modulus-11 check fails: check the digits)"),
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from providers")).scalar_one() == 0
