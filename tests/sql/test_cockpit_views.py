"""Every column of the grant case-flow views on the hand-made grants (tests/sql/dataset.py):

    G1  C1  101  § 108  2023-12-15 .. 2024-03-31
    G2  C2  101  § 108  2024-02-01 .. open
    G3  C3  101  § 108  2024-02-10 .. 2024-02-20
    G4  C1  101  § 108  2024-04-01 .. open
    G5  C4  147  § 85   2024-03-05 .. 2024-04-04

The latest date in the data is the assessment of G4 on 2024-05-31: the reference date.
"""
from __future__ import annotations

from datetime import date

from tests.sql.rows import assert_rows, view_rows

REFERENCE = date(2024, 5, 31)
KBH = {"municipality_code": 101, "municipality_name": "København", "region_name": "Region Hovedstaden"}
FRB = {"municipality_code": 147, "municipality_name": "Frederiksberg", "region_name": "Region Hovedstaden"}
SEL108 = {"intervention_code": "SEL108", "intervention_name": "Længerevarende botilbud (§ 108)", "area": "adults"}
SEL85 = {"intervention_code": "SEL85", "intervention_name": "Socialpædagogisk støtte (§ 85)", "area": "adults"}


def month_row(where, intervention, year, month, active, inflow, outflow):
    return {
        **where, **intervention,
        "month_start": date(year, month, 1),
        "calendar_year": year,
        "month_number": month,
        "active_grants_end_of_month": active,
        "inflow_grants": inflow,
        "outflow_grants": outflow,
        "reference_date": REFERENCE,
    }


def test_grant_month(shared):
    expected = {
        # 101 § 108, from G1's start month (December 2023, across the year end) to May 2024.
        (101, "SEL108", date(2023, 12, 1)): month_row(KBH, SEL108, 2023, 12, 1, 1, 0),   # G1 starts
        (101, "SEL108", date(2024, 1, 1)): month_row(KBH, SEL108, 2024, 1, 1, 0, 0),     # no events
        # G2 and G3 start; G3 also ends in February: 1 + 2 - 1 = 2 active (G1, G2)
        (101, "SEL108", date(2024, 2, 1)): month_row(KBH, SEL108, 2024, 2, 2, 2, 1),
        # G1 ends on 31 March, the last day: outflow of March, no longer active at its end
        (101, "SEL108", date(2024, 3, 1)): month_row(KBH, SEL108, 2024, 3, 1, 0, 1),
        (101, "SEL108", date(2024, 4, 1)): month_row(KBH, SEL108, 2024, 4, 2, 1, 0),     # G4 starts
        (101, "SEL108", date(2024, 5, 1)): month_row(KBH, SEL108, 2024, 5, 2, 0, 0),     # G2, G4 open
        # 147 § 85: G5 from 5 March to 4 April
        (147, "SEL85", date(2024, 3, 1)): month_row(FRB, SEL85, 2024, 3, 1, 1, 0),
        (147, "SEL85", date(2024, 4, 1)): month_row(FRB, SEL85, 2024, 4, 0, 0, 1),
        (147, "SEL85", date(2024, 5, 1)): month_row(FRB, SEL85, 2024, 5, 0, 0, 0),
    }
    actual = view_rows(shared, "cockpit_grant_month", ["municipality_code", "intervention_code", "month_start"])
    assert_rows(actual, expected, "cockpit_grant_month")


def test_active_at_month_end_counted_grant_by_grant(shared):
    """An independent count: a grant is active at the end of a month when it started on or
    before the month's last day and its end date (if any) is after that day."""
    from tests.sql.dataset import GRANTS

    actual = view_rows(shared, "cockpit_grant_month", ["municipality_code", "intervention_code", "month_start"])
    for (code, intervention, month_start), row in actual.items():
        next_month = date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
        active = sum(
            1
            for _, _, m, _, i, start, end, _ in GRANTS
            if m == code and i == intervention
            and date.fromisoformat(start) < next_month
            and (end is None or date.fromisoformat(end) >= next_month)
        )
        assert row["active_grants_end_of_month"] == active, (code, intervention, month_start)


def duration_row(grant, where, intervention, provider, start, end, reason):
    measured_to = end or REFERENCE
    return {
        "grant_id": grant, **where, **intervention,
        "provider_id": provider,
        "start_date": start,
        "start_year": start.year,
        "end_date": end,
        "end_reason": reason,
        "is_open": 1 if end is None else 0,
        "reference_date": REFERENCE,
        "measured_to": measured_to,
        "duration_days": (measured_to - start).days + 1,
    }


def test_grant_duration(shared):
    expected = {
        # 17 days of December + 31 + 29 (leap year) + 31 = 108 days
        ("G1",): duration_row("G1", KBH, SEL108, "P1", date(2023, 12, 15), date(2024, 3, 31), "moved"),
        ("G2",): duration_row("G2", KBH, SEL108, "P1", date(2024, 2, 1), None, None),   # open: to 31 May
        ("G3",): duration_row("G3", KBH, SEL108, "P1", date(2024, 2, 10), date(2024, 2, 20), "ended"),
        ("G4",): duration_row("G4", KBH, SEL108, "P1", date(2024, 4, 1), None, None),
        ("G5",): duration_row("G5", FRB, SEL85, "P2", date(2024, 3, 5), date(2024, 4, 4), "goal reached"),
    }
    assert expected[("G1",)]["duration_days"] == 17 + 31 + 29 + 31
    assert expected[("G2",)]["duration_days"] == 29 + 31 + 30 + 31
    actual = view_rows(shared, "cockpit_grant_duration", ["grant_id"])
    assert_rows(actual, expected, "cockpit_grant_duration")


def test_support_need(shared):
    expected = {
        # C1: first 3 (G1, 2023-12-15), latest 1 (G4, 2024-05-31) -> down, over two grants
        # C2: 2 then 3 -> up;  C3: one assessment (1) -> unchanged
        (101, "SEL108"): {
            **KBH, **SEL108,
            "citizens_assessed": 3,
            "citizens_reassessed": 2,
            "citizens_need_down": 1,
            "citizens_need_unchanged": 1,
            "citizens_need_up": 1,
            "share_need_down": 1 / 3,
        },
        # C4: 2 then 1 -> down
        (147, "SEL85"): {
            **FRB, **SEL85,
            "citizens_assessed": 1,
            "citizens_reassessed": 1,
            "citizens_need_down": 1,
            "citizens_need_unchanged": 0,
            "citizens_need_up": 0,
            "share_need_down": 1 / 1,
        },
    }
    actual = view_rows(shared, "cockpit_support_need", ["municipality_code", "intervention_code"])
    assert_rows(actual, expected, "cockpit_support_need")


def test_same_day_assessments_of_one_citizen_are_ordered_by_grant_id(loaded):
    from tests.sql import dataset

    # C2 gets a second § 108 grant G6, assessed at level 1 on the day G2 was assessed at 3.
    # G6 sorts after G2, so C2's latest level is 1 < first level 2: down instead of up.
    dataset.load(
        loaded,
        grants=[("G6", "C2", 101, "P1", "SEL108", "2024-04-15", None, None)],
        assessments=[("G6", "2024-04-15", 1)],
    )
    row = view_rows(loaded, "cockpit_support_need", ["municipality_code", "intervention_code"])[(101, "SEL108")]
    assert (row["citizens_assessed"], row["citizens_need_down"], row["citizens_need_up"]) == (3, 2, 0)
    assert row["share_need_down"] == 2 / 3


def test_reference_date_is_the_latest_grant_or_assessment_date(shared):
    # The hand-made data set's latest date is an assessment or grant date of 31 May 2024.
    assert view_rows(shared, "cockpit_reference_date", ["reference_date"]) == {(REFERENCE,): {"reference_date": REFERENCE}}
