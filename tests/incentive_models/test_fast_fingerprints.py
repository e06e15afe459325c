"""The fast fingerprints, readers and writers against the row-by-row originals.

`tests/incentive_models/slow_fingerprints.py` holds inputs_sha256, lines_sha256 and
pack_inputs as they were first written; the same data must give the same hashes (or
approvals stored by earlier versions would no longer verify), whether the frames come
from the test builders, from the warehouse (read natively, on each engine) or from the
inputs kept with an approval (packed the old way or the new way).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_models import inputs, line_store, runs
from incentive_models.engine import LINE_COLUMNS, PAID_COLUMNS, compute_lines, line_frame
from socialbench import warehouse
from socialbench.errors import RuleError
from tests.incentive_models import builders as b
from tests.incentive_models import slow_fingerprints as slow
from tests.incentive_models.test_properties import AS_OF, day, grants_and_assessments, models, rate_tables

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that a row-by-row fingerprint writes one way and a careless vectorised one another:
# quotes, separators, a NULL look-alike, non-ASCII, a leading space, an empty end reason.
AWKWARD = b.grants(
    b.grant("G1", "2025-01-01", "2025-03-31", "goal_achieved", citizen='C "quoted", with comma'),
    b.grant("G2", "2025-01-01", None, None, citizen="Ærø-Øster \\N ü 😀", provider="P,2"),
    b.grant("G3", "2024-12-01", "9999-12-31", "\\N", citizen=" leading space", intervention="SEL108"),
    b.grant("G4\\", "2025-02-01", "2025-02-01", "", citizen="line\nbreak\tand tab"),
    b.grant("g1", "2025-01-05", "2025-06-30", "moved", citizen="lower-case id", municipality=851),
)
AWKWARD_ASSESSMENTS = b.assessments(
    ("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G2", "2024-12-31", 4), ("G2", "2025-03-01", 0),
    ("G3", "2024-12-01", 1), ("G4\\", "2025-01-01", 2), ("g1", "2025-01-05", 3), ("g1", "2025-02-01", 1),
)
AWKWARD_RATES = pd.concat(
    [b.worked_example_rates(), b.rates((4, "2020-01-01", "1234.5"), (3, "2025-03-01", "0.07")),
     b.rates((1, "2019-06-30", 500), intervention="SEL108")],
    ignore_index=True,
)


def _old_read(conn, model):
    """The inputs as the first version read them: row by row, through SQLAlchemy."""
    codes = list(model.interventions)
    grants = warehouse.read_frame(
        conn,
        "select grant_id, citizen_key, municipality_code, provider_id, intervention_code,"
        " start_date, end_date, end_reason from grants where intervention_code in :codes order by grant_id",
        codes=codes,
    )
    assessments = warehouse.read_frame(
        conn,
        "select a.grant_id, a.assessed_on, a.support_level from assessments a join grants g on g.grant_id = a.grant_id"
        " where g.intervention_code in :codes order by a.grant_id, a.assessed_on",
        codes=codes,
    )
    rates = warehouse.read_frame(
        conn,
        "select intervention_code, support_level, valid_from, daily_rate_dkk from rates"
        " where intervention_code in :codes order by intervention_code, support_level, valid_from",
        codes=codes,
    )
    return grants, assessments, rates


def _old_stored_lines(conn, run_id):
    columns = ", ".join(LINE_COLUMNS)
    return warehouse.read_frame(conn, f"select {columns} from settlement_line where run_id = :r", r=run_id)


@SETTINGS
@given(models(), grants_and_assessments(), rate_tables())
def test_inputs_fingerprint_equals_the_row_by_row_one_on_builder_frames(model, frames, rates):
    grants, assessments = frames
    assert inputs.inputs_sha256(model, grants, assessments, rates) == slow.inputs_sha256(model, grants, assessments, rates)


@SETTINGS
@given(models(), grants_and_assessments(), rate_tables())
def test_packed_inputs_old_and_new_unpack_to_the_same_fingerprint(model, frames, rates):
    grants, assessments = frames
    expected = slow.inputs_sha256(model, grants, assessments, rates)
    assert inputs.inputs_sha256(model, *inputs.unpack_inputs(inputs.pack_inputs(grants, assessments, rates))) == expected
    if "provider_id" in rates:
        # A provider's own tariff: the old blob had no place for it; the new one keeps it.
        unpacked = inputs.unpack_inputs(inputs.pack_inputs(grants, assessments, rates))[2]
        assert sorted(unpacked["provider_id"]) == sorted(rates["provider_id"])
        return
    # General rates only: an old blob unpacks to the same fingerprint (its rates as general
    # rates), and the new blob holds the same rows as the old one, value for value.
    old = inputs.unpack_inputs(slow.pack_inputs(grants, assessments, rates))
    assert inputs.inputs_sha256(model, *old) == expected
    assert set(old[2]["provider_id"]) <= {""}
    new = inputs.unpack_inputs(inputs.pack_inputs(grants, assessments, rates))
    assert all(n.equals(o) for n, o in zip(new, old))


def test_awkward_text_fingerprints_alike_from_builders_blobs_and_both_engines(engine):
    model = b.model(interventions=["SEL85", "SEL108"], exit_reasons=["goal_achieved", "moved"])
    expected = slow.inputs_sha256(model, AWKWARD, AWKWARD_ASSESSMENTS, AWKWARD_RATES)
    assert inputs.inputs_sha256(model, AWKWARD, AWKWARD_ASSESSMENTS, AWKWARD_RATES) == expected
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "grants", AWKWARD)
        warehouse.insert_frame(conn, "assessments", AWKWARD_ASSESSMENTS)
        warehouse.insert_frame(conn, "rates", AWKWARD_RATES)
    with engine.begin() as conn:
        old = _old_read(conn, model)
        new = inputs.read_inputs(conn, model)
    assert slow.inputs_sha256(model, *old) == expected  # the data went in unchanged
    assert inputs.inputs_sha256(model, *new) == expected
    assert inputs.inputs_sha256(model, *inputs.unpack_inputs(inputs.pack_inputs(*new))) == expected
    assert inputs.inputs_sha256(model, *inputs.unpack_inputs(slow.pack_inputs(*old))) == expected
    grants = new[0].set_index("grant_id")
    assert grants.loc["G3", "end_reason"] == "\\N" and grants.loc["G4\\", "end_reason"] == ""
    assert grants.loc["G2", "end_reason"] is None and pd.isna(grants.loc["G2", "end_date"])
    assert str(grants.loc["G3", "end_date"])[:10] == "9999-12-31"
    assert grants.loc["G4\\", "citizen_key"] == "line\nbreak\tand tab"
    assert list(new[2].sort_values(["support_level", "valid_from"])["daily_rate_dkk"])[-1] == Decimal("1234.50")
    # The engine settles the natively read frames as it settles the builders' frames.
    as_of = date(2025, 12, 31)
    expected_lines = compute_lines(model, as_of, AWKWARD, AWKWARD_ASSESSMENTS, AWKWARD_RATES)
    assert len(expected_lines) > 0
    assert compute_lines(model, as_of, *new).equals(expected_lines)


def _lines_or_none(model, as_of, grants, assessments, rates, paid=None):
    try:
        return line_frame(model, as_of, grants, assessments, rates, paid)
    except RuleError:
        return None


@SETTINGS
@given(models(), grants_and_assessments(), rate_tables(), AS_OF)
def test_lines_fingerprint_equals_the_row_by_row_one(model, frames, rates, as_of_offset):
    grants, assessments = frames
    as_of = day(as_of_offset)
    earlier = _lines_or_none(model, as_of - timedelta(days=30), grants, assessments, rates)
    if earlier is None:
        return
    old = compute_lines(model, as_of - timedelta(days=30), grants, assessments, rates)
    paid = old.assign(previously_paid_dkk=old["payout_dkk"] + Decimal("10.00"))[PAID_COLUMNS]
    paid = pd.concat([paid, b.paid(("G0", "2023-06-01", "99.99"))], ignore_index=True)
    lines = _lines_or_none(model, as_of, grants, assessments, rates, paid)
    if lines is None:
        return
    assert line_store.lines_sha256(lines) == slow.lines_sha256(compute_lines(model, as_of, grants, assessments, rates, paid))
    assert line_store.lines_sha256(earlier) == slow.lines_sha256(old)


def test_lines_written_in_bulk_read_back_and_hash_as_the_row_by_row_ledger(engine):
    """Awkward text in every text column, negative adjustments, caps, a line that no
    longer qualifies (no qualification day), on each engine."""
    model = b.model(interventions=["SEL85", "SEL108"], exit_reasons=["goal_achieved", "moved"],
                    cap_per_episode_dkk="30000", cap_per_provider_per_run_dkk="25000.01")
    as_of = date(2025, 12, 31)
    paid = b.paid(("G1", "2025-02-01", "99999.99"), ("G2", "2023-06-01", "12.34", 'P "x"'), ("Gone", "2024-01-01", "5.00"))
    lines = line_frame(model, as_of, AWKWARD, AWKWARD_ASSESSMENTS, AWKWARD_RATES, paid)
    expected = compute_lines(model, as_of, AWKWARD, AWKWARD_ASSESSMENTS, AWKWARD_RATES, paid)
    assert (expected["adjustment_dkk"] < 0).any() and expected["qualified_on"].isna().any()
    assert expected["capped_by"].notna().any()
    with engine.begin() as conn:
        conn.execute(sa.text(
            "insert into settlement_run (run_id, model_id, as_of, status, created_at, inputs_sha256, line_count,"
            " total_saving_dkk, total_earned_dkk, total_payout_dkk, total_held_back_dkk, total_adjustment_dkk, model_yaml)"
            " values ('R1', 'm', '2025-12-31', 'draft', '2026-01-01 00:00:00', 'x', 0, 0, 0, 0, 0, 0, '')"
        ))
        assert line_store.write_lines(conn, "R1", lines) == len(expected)
    with engine.connect() as conn:
        stored_old = _old_stored_lines(conn, "R1")
        stored_new = line_store.read_lines(conn, "R1")
    assert slow.lines_sha256(stored_old) == slow.lines_sha256(expected)
    assert line_store.lines_sha256(stored_new) == slow.lines_sha256(expected)
    assert runs.run_lines(engine, "R1").drop(columns="run_id").equals(expected.reset_index(drop=True))
