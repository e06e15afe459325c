"""Every column of the case-work views on the hand-made cases (tests/sql/dataset.py), with
the arithmetic written out:

    caseworkers  W1 101 Børn 1.0 from 2023-01-01      W2 101 Børn 0.5 2023-01-01 .. 2024-03-15
                 W3 147 Voksne 0.8 from 2024-01-01
    cases        K1 101 children 2023-10-02 school_daycare  open             W1
                 K2 101 children 2024-01-20 relatives       closed 02-29     W2
                 K3 101 children 2024-02-05 school_daycare  closed 03-01     W1
                 K4 147 adults   2024-03-04 own_application closed 05-27 (day 84), immediate effort  W3
                 K5 147 adults   2024-03-04 own_application closed 05-28 (day 85), immediate effort  W3
                 K6 147 adults   2024-05-20 health          open,                  immediate effort  W3
                 K7 101 adults   2024-01-10 relatives       granted, open,         immediate effort
    grants of cases  G2 (§ 108, ladder step 3) of K7, G5 (§ 85, step 1) of K6
    places       P1 (København's own) § 108: 3 from 2024-01-01, 2 from 2024-03-15
    investigations  U1 K1 2023-10-31 .. 2024-02-29   U2 K2 2024-01-20 .. 2024-05-21
                    U3 K3 2024-02-05 .. open          U4 K1 2024-01-31 .. open   U5 K2 2024-01-15 .. 2024-04-30

The reference date is 31 May 2024 (the grants' latest date; the latest case date is
28 May). The calendar runs from October 2023 (K1 received, U1 started) to May 2024.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from socialbench import schema, warehouse
from tests.conftest import ENGINES, empty_warehouse_url
from tests.sql import dataset
from tests.sql.rows import assert_rows, view_rows

REFERENCE = date(2024, 5, 31)
KBH, FRB = 101, 147


def test_case_reference_date(shared):
    assert view_rows(shared, "case_reference_date", ["reference_date"]) == {(REFERENCE,): {"reference_date": REFERENCE}}


def test_calendar_months_from_october_2023_to_may_2024(shared):
    month_ends = [date(2023, 10, 31), date(2023, 11, 30), date(2023, 12, 31), date(2024, 1, 31),
                  date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]
    expected = {
        (end.replace(day=1),): {
            "month": end.replace(day=1), "month_end": end, "calendar_year": end.year, "month_number": end.month,
            "days_in_month": end.day, "reference_date": REFERENCE,
        }
        for end in month_ends
    }
    assert_rows(view_rows(shared, "int_calendar_month", ["month"]), expected, "int_calendar_month")


def test_case_inflow(shared):
    def row(code, name, area, month, source, source_name, cases):
        return {"municipality_code": code, "municipality_name": name, "area": area, "month": month,
                "source": source, "source_name": source_name, "cases_received": cases}

    expected = {
        (KBH, "children", date(2023, 10, 1), "school_daycare"):
            row(KBH, "København", "children", date(2023, 10, 1), "school_daycare", "Skole/dagtilbud", 1),  # K1
        (KBH, "children", date(2024, 1, 1), "relatives"):
            row(KBH, "København", "children", date(2024, 1, 1), "relatives", "Pårørende", 1),  # K2
        (KBH, "children", date(2024, 2, 1), "school_daycare"):
            row(KBH, "København", "children", date(2024, 2, 1), "school_daycare", "Skole/dagtilbud", 1),  # K3
        (FRB, "adults", date(2024, 3, 1), "own_application"):
            row(FRB, "Frederiksberg", "adults", date(2024, 3, 1), "own_application", "Egen henvendelse", 2),  # K4, K5
        (FRB, "adults", date(2024, 5, 1), "health"):
            row(FRB, "Frederiksberg", "adults", date(2024, 5, 1), "health", "Sundhedsvæsen", 1),  # K6
        (KBH, "adults", date(2024, 1, 1), "relatives"):
            row(KBH, "København", "adults", date(2024, 1, 1), "relatives", "Pårørende", 1),  # K7
    }
    actual = view_rows(shared, "case_inflow", ["municipality_code", "area", "month", "source"])
    assert_rows(actual, expected, "case_inflow")


def test_investigation_deadline(shared):
    def row(month, due, on_time, late, open_overdue):
        return {"municipality_code": KBH, "municipality_name": "København", "month": month,
                "investigations_due": due, "completed_on_time": on_time, "completed_late": late,
                "open_overdue": open_overdue, "share_on_time": on_time / due}

    expected = {
        # U1: 31 October + 4 months = 29 February 2024 (February has no 31st; 2024 is a leap
        # year), completed that very day: on time.
        (KBH, date(2024, 2, 1)): row(date(2024, 2, 1), 1, 1, 0, 0),
        # Deadlines in May: U5 15 May (completed 30 April, on time), U2 20 May (completed
        # 21 May, late), U4 31 May = the reference date (open: overdue). U3's deadline,
        # 5 June, is after the reference date: not due. Share 1 / 3.
        (KBH, date(2024, 5, 1)): row(date(2024, 5, 1), 3, 1, 1, 1),
    }
    actual = view_rows(shared, "case_investigation_deadline", ["municipality_code", "month"])
    assert_rows(actual, expected, "case_investigation_deadline")


def test_the_deadline_of_the_31st_is_the_last_day_of_a_shorter_month(engine):
    """The issue's example: started 31 October 2025, the deadline is 28 February 2026."""
    cases = [("K1", "C5", 101, "children", "2025-10-01", "police", None, None, "false", None, None)]
    dataset.load(engine, cases=cases, investigations=[("U1", "K1", "2025-10-31", "2026-02-28")], caseworkers=[],
                 grant_cases={})
    rows = view_rows(engine, "case_investigation_deadline", ["month"])
    assert list(rows) == [(date(2026, 2, 1),)]
    assert rows[(date(2026, 2, 1),)]["completed_on_time"] == 1   # completed on the deadline itself


def test_caseworker_load(shared):
    def row(code, team, end, open_cases, fte):
        return {"municipality_code": code, "team": team, "month_end": end, "open_cases": open_cases,
                "caseworker_fte": fte, "cases_per_fte": open_cases / fte}

    expected = {}
    # Børn (101): W1 1.0 + W2 0.5 = 1.5 FTE until W2 leaves on 15 March; 1.0 from the end of March.
    # Open at the month end: K1 from October on; K2 on 31 January (closed 29 February, the month end
    # itself: no longer open then); K3 on 29 February (closed 1 March).
    for end, open_cases, fte in [
        (date(2023, 10, 31), 1, 1.5), (date(2023, 11, 30), 1, 1.5), (date(2023, 12, 31), 1, 1.5),
        (date(2024, 1, 31), 2, 1.5), (date(2024, 2, 29), 2, 1.5),
        (date(2024, 3, 31), 1, 1.0), (date(2024, 4, 30), 1, 1.0), (date(2024, 5, 31), 1, 1.0),
    ]:
        expected[(KBH, "Børn", end)] = row(KBH, "Børn", end, open_cases, fte)
    # Voksne (147): W3 0.8 FTE from January 2024 (no row before: neither FTE nor cases). K4 and K5
    # are open at the ends of March and April (closed 27 and 28 May); K6 (received 20 May) at the
    # end of May: 2 / 0.8 = 2.5, then 1 / 0.8 = 1.25.
    for end, open_cases in [(date(2024, 1, 31), 0), (date(2024, 2, 29), 0), (date(2024, 3, 31), 2),
                            (date(2024, 4, 30), 2), (date(2024, 5, 31), 1)]:
        expected[(FRB, "Voksne", end)] = row(FRB, "Voksne", end, open_cases, 0.8)
    actual = view_rows(shared, "case_caseworker_load", ["municipality_code", "team", "month_end"])
    assert_rows(actual, {k: {**v, "caseworker_fte": _fte(v["caseworker_fte"])} for k, v in expected.items()},
                "case_caseworker_load")


def _fte(value: float):
    from decimal import Decimal

    return Decimal(str(value))


def test_caseworker_load_counts_open_cases_at_the_month_end_independently(shared):
    """An independent count, case by case and day by day: a case is open at a month end when
    received on or before it and not closed on or before it."""
    by_caseworker = {w[0]: (w[1], w[2]) for w in dataset.CASEWORKERS}
    actual = view_rows(shared, "case_caseworker_load", ["municipality_code", "team", "month_end"])
    for (code, team, end), row in actual.items():
        count = 0
        for case in dataset.CASES:
            received, closed, worker = date.fromisoformat(case[4]), case[9], case[10]
            if by_caseworker.get(worker) == (code, team) and received <= end and (
                closed is None or date.fromisoformat(closed) > end
            ):
                count += 1
        assert row["open_cases"] == count, (code, team, end)


@pytest.fixture(scope="module", params=ENGINES)
def with_own_home(request, tmp_path_factory):
    """The hand-made data set plus two § 85 grants: C2 (in housing on G2 since February) gets
    § 85 from 10 April, and C5 gets § 85 from 1 May (and nothing else)."""
    grants = dataset.GRANTS + [
        ("G6", "C2", 101, "P2", "SEL85", "2024-04-10", None, None),
        ("G7", "C5", 101, "P2", "SEL85", "2024-05-01", None, None),
    ]
    with empty_warehouse_url(request.param, tmp_path_factory.mktemp("own-home")) as url:
        engine = warehouse.create_engine(url)
        schema.init(engine)
        dataset.load(engine, grants=grants)
        yield engine
        engine.dispose()


def test_own_home_share(with_own_home):
    def row(code, end, own, housing):
        return {"municipality_code": code, "month_end": end, "citizens_own_home": own,
                "citizens_housing": housing, "own_home_share": own / (own + housing) if own + housing else None}

    expected = {
        # 101 from G1's month (December 2023). Active at a month end: started on or before it, not
        # ended on or before it. Housing (§ 108): C1 on G1 to 31 March (not active at the end of
        # March), C2 on G2 from February, C3 on G3 only 10-20 February, C1 again on G4 from April.
        (KBH, date(2023, 12, 31)): row(KBH, date(2023, 12, 31), 0, 1),   # C1
        (KBH, date(2024, 1, 31)): row(KBH, date(2024, 1, 31), 0, 1),     # C1
        (KBH, date(2024, 2, 29)): row(KBH, date(2024, 2, 29), 0, 2),     # C1, C2
        (KBH, date(2024, 3, 31)): row(KBH, date(2024, 3, 31), 0, 1),     # C2
        # C2 also has § 85 from 10 April but is in housing: counted in housing only.
        (KBH, date(2024, 4, 30)): row(KBH, date(2024, 4, 30), 0, 2),     # C1, C2
        (KBH, date(2024, 5, 31)): row(KBH, date(2024, 5, 31), 1, 2),     # C5 at home; 1 / 3
        # 147 from G5's month: § 85 for C4 from 5 March to 4 April.
        (FRB, date(2024, 3, 31)): row(FRB, date(2024, 3, 31), 1, 0),     # share 1
        (FRB, date(2024, 4, 30)): row(FRB, date(2024, 4, 30), 0, 0),     # nobody: share empty
        (FRB, date(2024, 5, 31)): row(FRB, date(2024, 5, 31), 0, 0),
    }
    actual = view_rows(with_own_home, "case_own_home_share", ["municipality_code", "month_end"])
    assert_rows(actual, expected, "case_own_home_share")


def test_own_home_share_recounted_citizen_by_citizen(with_own_home):
    """The same figures from the grants directly, day by day: which citizens hold an active
    § 107/§ 108 grant, and which an active § 85 grant, at each month end."""
    grants = dataset.GRANTS + [
        ("G6", "C2", 101, "P2", "SEL85", "2024-04-10", None, None),
        ("G7", "C5", 101, "P2", "SEL85", "2024-05-01", None, None),
    ]
    actual = view_rows(with_own_home, "case_own_home_share", ["municipality_code", "month_end"])
    for (code, end), row in actual.items():
        def active(g):
            start = date.fromisoformat(g[5])
            stop = date.fromisoformat(g[6]) if g[6] else None
            return g[2] == code and start <= end and (stop is None or stop > end)

        housing = {g[1] for g in grants if active(g) and g[4] in ("SEL107", "SEL108")}
        home = {g[1] for g in grants if active(g) and g[4] == "SEL85"} - housing
        assert (row["citizens_own_home"], row["citizens_housing"]) == (len(home), len(housing)), (code, end)
        assert end + timedelta(days=1) == (end.replace(day=1) + timedelta(days=32)).replace(day=1)  # a month end


def _recount_own_home(grants, code, end):
    """(citizens in the own home, citizens in housing) of a municipality at a month end,
    from the grants directly: the sets of citizens with an active grant of each kind."""
    def active(g):
        start = date.fromisoformat(g[5])
        stop = date.fromisoformat(g[6]) if g[6] else None
        return g[2] == code and start <= end and (stop is None or stop > end)

    housing = {g[1] for g in grants if active(g) and g[4] in ("SEL107", "SEL108")}
    home = {g[1] for g in grants if active(g) and g[4] == "SEL85"} - housing
    return len(home), len(housing)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("engine_name", ENGINES)
def test_own_home_share_of_random_overlapping_grants(engine_name, seed, tmp_path):
    """Random grants of few citizens, so that a citizen's grants overlap, touch, repeat,
    end on their first day or stay open, in both kinds and across municipalities: the
    view's counts equal the recount citizen by citizen at every month end (the view merges
    a citizen's grants into periods and counts them with running sums)."""
    import random

    rng = random.Random(seed)
    first = date(2023, 12, 1)
    grants = list(dataset.GRANTS)
    for n in range(40):
        start = first + timedelta(days=rng.randrange(0, 180))
        stop = rng.choice([None, start, start + timedelta(days=rng.randrange(1, 31)), start + timedelta(days=rng.randrange(1, 120))])
        grants.append((
            f"R{n}", rng.choice(["C1", "C2", "C3", "C5", "C6"]), rng.choice([101, 147]), rng.choice(["P1", "P2"]),
            rng.choice(["SEL85", "SEL85", "SEL107", "SEL108"]), start.isoformat(),
            stop.isoformat() if stop else None, "ended" if stop else None,
        ))
    with empty_warehouse_url(engine_name, tmp_path) as url:
        engine = warehouse.create_engine(url)
        schema.init(engine)
        dataset.load(engine, grants=grants)
        actual = view_rows(engine, "case_own_home_share", ["municipality_code", "month_end"])
        engine.dispose()
    assert len(actual) > 10
    assert any(row["citizens_own_home"] and row["citizens_housing"] for row in actual.values())
    for (code, end), row in actual.items():
        assert (row["citizens_own_home"], row["citizens_housing"]) == _recount_own_home(grants, code, end), (seed, code, end)


def funnel_row(code, area, year, received, decided, with_grant, step_1=0, step_2=0, step_3=0):
    return {"municipality_code": code, "area": area, "year": year, "cases_received": received,
            "cases_decided": decided, "cases_without_grant": received - with_grant, "cases_with_grant": with_grant,
            "highest_step_1": step_1, "highest_step_2": step_2, "highest_step_3": step_3}


def test_funnel(shared):
    expected = {
        (KBH, "children", 2023): funnel_row(KBH, "children", 2023, 1, 1, 0),            # K1 granted, no grant loaded
        (KBH, "children", 2024): funnel_row(KBH, "children", 2024, 2, 1, 0),            # K2 undecided, K3 rejected
        (KBH, "adults", 2024): funnel_row(KBH, "adults", 2024, 1, 1, 1, step_3=1),      # K7 with G2 (§ 108)
        # K4 other offer, K5 undecided, K6 undecided but with G5 (§ 85): one case at step 1.
        (FRB, "adults", 2024): funnel_row(FRB, "adults", 2024, 3, 1, 1, step_1=1),
    }
    assert_rows(view_rows(shared, "case_funnel", ["municipality_code", "area", "year"]), expected, "case_funnel")


@pytest.fixture(scope="module", params=ENGINES)
def two_steps(request, tmp_path_factory):
    """K7 leads to two grants at different steps: G2 (§ 108, step 3) and G7 (§ 85, step 1)."""
    grants = dataset.GRANTS + [("G7", "C2", 101, "P2", "SEL85", "2024-05-01", None, None)]
    with empty_warehouse_url(request.param, tmp_path_factory.mktemp("two-steps")) as url:
        engine = warehouse.create_engine(url)
        schema.init(engine)
        dataset.load(engine, grants=grants, grant_cases={**dataset.GRANT_CASES, "G7": "K7"})
        yield engine
        engine.dispose()


def test_a_case_with_two_grants_counts_once_at_its_highest_step(two_steps):
    rows = view_rows(two_steps, "case_funnel", ["municipality_code", "area", "year"])
    assert rows[(KBH, "adults", 2024)] == funnel_row(KBH, "adults", 2024, 1, 1, 1, step_3=1)


def test_immediate_effort(shared):
    expected = {
        # K4 received 4 March, closed 27 May: day 84, no grant: a success. K5 closed 28 May: day
        # 85, too late. K6 received 20 May: 84 days not passed by 31 May and open: not due.
        (FRB, 2024): {"municipality_code": FRB, "year": 2024, "immediate_effort_cases": 3, "cases_due": 2,
                      "closed_within_12_weeks_without_grant": 1, "share_closed_within_12_weeks": 0.5},
        # K7 received 10 January, open: due since 3 April; no success.
        (KBH, 2024): {"municipality_code": KBH, "year": 2024, "immediate_effort_cases": 1, "cases_due": 1,
                      "closed_within_12_weeks_without_grant": 0, "share_closed_within_12_weeks": 0.0},
    }
    assert_rows(view_rows(shared, "case_immediate_effort", ["municipality_code", "year"]), expected,
                "case_immediate_effort")
    assert date(2024, 3, 4) + timedelta(days=84) == date(2024, 5, 27)   # K4's last day


def test_occupancy_of_own_places(shared):
    def row(month, places, place_days, occupied, days):
        return {"municipality_code": KBH, "provider_id": "P1", "intervention_code": "SEL108", "month": month,
                "places": places, "place_days": place_days, "occupied_days": occupied,
                "occupancy": occupied / place_days, "empty_places": (place_days - occupied) / days}

    expected = {
        # January: 3 places × 31 days; G1 all month.
        ("P1", "SEL108", date(2024, 1, 1)): row(date(2024, 1, 1), 3, 3 * 31, 31, 31),
        # February (29 days): G1 29 + G2 29 (from the 1st) + G3 11 (10th-20th).
        ("P1", "SEL108", date(2024, 2, 1)): row(date(2024, 2, 1), 3, 3 * 29, 29 + 29 + 11, 29),
        # March: 3 places 1st-14th, 2 from the 15th: 3 × 14 + 2 × 17; G1 (to the 31st) + G2.
        ("P1", "SEL108", date(2024, 3, 1)): row(date(2024, 3, 1), 2, 3 * 14 + 2 * 17, 31 + 31, 31),
        # April and May: 2 places; G2 and G4 (from 1 April), both open: full.
        ("P1", "SEL108", date(2024, 4, 1)): row(date(2024, 4, 1), 2, 2 * 30, 30 + 30, 30),
        ("P1", "SEL108", date(2024, 5, 1)): row(date(2024, 5, 1), 2, 2 * 31, 31 + 31, 31),
    }
    actual = view_rows(shared, "case_occupancy", ["provider_id", "intervention_code", "month"])
    assert_rows(actual, expected, "case_occupancy")
