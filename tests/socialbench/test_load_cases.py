"""Bad case-work input is refused with `file:line: column: message` and nothing is written:
dates out of order, unknown cases, caseworkers and providers, a caseworker of another
municipality than the case, values outside their lists and bounds, CPR-like keys."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from socialbench import loading
from socialbench.cpr import CPR_MESSAGE
from tests.socialbench.load_problems import problems_of

CASEWORKERS = "caseworker_id,municipality_code,team,fte,employed_from,employed_to"
CASES = ("case_id,citizen_key,municipality_code,area,received_on,source,decided_on,decision,"
         "immediate_effort,closed_on,caseworker_id")
INVESTIGATIONS = "investigation_id,case_id,started_on,completed_on"
PLACES = "provider_id,intervention_code,valid_from,places"


def nothing_written(engine) -> bool:
    with engine.connect() as conn:
        return all(
            conn.execute(sa.text(f"select count(*) from {t}")).scalar_one() == 0
            for t in ("cases", "investigations", "caseworkers", "housing_places", "providers")
        )


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "input"


def good_files(write_csv, folder):
    write_csv("caseworkers.csv", CASEWORKERS, "W1,101,Børn,1,2024-01-01,", "W2,147,Voksne,0.5,2024-01-01,2024-06-30",
              folder=folder)
    write_csv("cases.csv", CASES, "K1,B-1,101,children,2024-02-01,school_daycare,2024-03-01,granted,false,,W1",
              "K2,B-2,147,adults,2024-02-02,own_application,,,TRUE,2024-04-01,W2", folder=folder)
    write_csv("investigations.csv", INVESTIGATIONS, "U1,K1,2024-02-05,2024-05-01", folder=folder)
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv", folder=folder)
    write_csv("housing_places.csv", PLACES, "P1,SEL108,2024-01-01,12", folder=folder)


def test_good_case_files_load_on_both_engines(engine, write_csv, folder):
    good_files(write_csv, folder)
    assert loading.load_path(engine, folder) == {
        "providers": 1, "caseworkers": 2, "cases": 2, "housing_places": 1, "investigations": 1,
    }
    with engine.connect() as conn:
        stored = conn.execute(sa.text("select case_id, immediate_effort, decision from cases order by case_id")).fetchall()
        fte = conn.execute(sa.text("select fte from caseworkers where caseworker_id = 'W2'")).scalar_one()
    assert [tuple(r) for r in stored] == [("K1", False, "granted"), ("K2", True, None)]
    assert str(fte) == "0.500"


def test_dates_out_of_order_are_refused(engine, write_csv, folder):
    good_files(write_csv, folder)
    write_csv("caseworkers.csv", CASEWORKERS, "W1,101,Børn,1,2024-01-01,2023-12-31", "W2,147,Voksne,0.5,2024-01-01,",
              folder=folder)
    write_csv("cases.csv", CASES, "K1,B-1,101,children,2024-02-01,school_daycare,2024-01-31,granted,false,,W1",
              "K2,B-2,147,adults,2024-02-02,own_application,,,true,2024-02-01,W2", folder=folder)
    write_csv("investigations.csv", INVESTIGATIONS, "U1,K1,2024-02-05,2024-02-04", folder=folder)
    assert problems_of(engine, folder) == [   # by file, then line
        f"{folder / 'cases.csv'}:2: decided_on: decided_on 2024-01-31 is before received_on 2024-02-01",
        f"{folder / 'cases.csv'}:3: closed_on: closed_on 2024-02-01 is before received_on 2024-02-02",
        f"{folder / 'caseworkers.csv'}:2: employed_to: employed_to 2023-12-31 is before employed_from 2024-01-01",
        f"{folder / 'investigations.csv'}:2: completed_on: completed_on 2024-02-04 is before started_on 2024-02-05",
    ]
    assert nothing_written(engine)


def test_unknown_case_caseworker_provider_and_source(engine, write_csv, folder):
    good_files(write_csv, folder)
    write_csv("cases.csv", CASES, "K1,B-1,101,children,2024-02-01,newspaper,,,false,,W9", folder=folder)
    write_csv("investigations.csv", INVESTIGATIONS, "U1,K7,2024-02-05,", folder=folder)
    write_csv("housing_places.csv", PLACES, "P9,SEL108,2024-01-01,12", folder=folder)
    found = problems_of(engine, folder)
    assert found == [
        f"{folder / 'cases.csv'}:2: source: unknown source_code 'newspaper'",
        f"{folder / 'cases.csv'}:2: caseworker_id: unknown caseworker_id 'W9': load it in caseworkers.csv",
        f"{folder / 'housing_places.csv'}:2: provider_id: unknown provider 'P9': load it in providers.csv",
        f"{folder / 'investigations.csv'}:2: case_id: unknown case_id 'K7': load it in cases.csv",
    ]
    assert nothing_written(engine)


def test_a_caseworker_of_another_municipality_is_refused(engine, write_csv, folder):
    good_files(write_csv, folder)
    write_csv("cases.csv", CASES, "K1,B-1,101,children,2024-02-01,school_daycare,,,false,,W2", folder=folder)
    write_csv("investigations.csv", INVESTIGATIONS, "U1,K1,2024-02-05,", folder=folder)
    assert problems_of(engine, folder) == [
        f"{folder / 'cases.csv'}:2: caseworker_id: caseworker_id 'W2' belongs to municipality_code 147 in "
        "caseworkers.csv, not municipality_code 101",
    ]
    assert nothing_written(engine)


def test_a_caseworker_stored_earlier_is_checked_against_a_new_case(engine, write_csv, tmp_path):
    """The caseworker may be in the warehouse already; a re-load of the caseworker that moves
    them to another municipality is checked against the stored cases' municipality too."""
    first = tmp_path / "first"
    write_csv("caseworkers.csv", CASEWORKERS, "W1,101,Børn,1,2024-01-01,", folder=first)
    loading.load_path(engine, first)
    second = tmp_path / "second"
    write_csv("cases.csv", CASES, "K1,B-1,147,adults,2024-02-01,health,,,false,,W1", folder=second)
    assert problems_of(engine, second) == [
        f"{second / 'cases.csv'}:2: caseworker_id: caseworker_id 'W1' belongs to municipality_code 101 in "
        "caseworkers.csv, not municipality_code 147",
    ]


def test_values_outside_their_lists_and_bounds(engine, write_csv, folder):
    good_files(write_csv, folder)
    write_csv("caseworkers.csv", CASEWORKERS, "W1,101,Børn,0,2024-01-01,", "W2,147,Voksne,1.5,2024-01-01,",
              folder=folder)
    write_csv("cases.csv", CASES, "K1,B-1,101,kids,2024-02-01,school_daycare,2024-03-01,approved,maybe,,W1",
              folder=folder)
    (folder / "investigations.csv").unlink()
    write_csv("housing_places.csv", PLACES, "P1,SEL108,2024-01-01,-1", folder=folder)
    assert problems_of(engine, folder) == [
        f"{folder / 'cases.csv'}:2: area: must be one of children, adults",
        f"{folder / 'cases.csv'}:2: decision: must be one of granted, other_offer, rejected, withdrawn",
        f"{folder / 'cases.csv'}:2: immediate_effort: must be true or false: 'maybe'",
        f"{folder / 'caseworkers.csv'}:2: fte: must be greater than 0: 0",
        f"{folder / 'caseworkers.csv'}:3: fte: must be at most 1: 1.5",
        f"{folder / 'housing_places.csv'}:2: places: must be at least 0: -1",
    ]
    assert nothing_written(engine)


def test_cpr_like_keys_are_refused(engine, write_csv, folder):
    good_files(write_csv, folder)
    write_csv("cases.csv", CASES, "K1,010190-1234,101,children,2024-02-01,school_daycare,,,false,,W1", folder=folder)
    (folder / "investigations.csv").unlink()
    assert problems_of(engine, folder) == [f"{folder / 'cases.csv'}:2: citizen_key: {CPR_MESSAGE}"]
    assert nothing_written(engine)


# ---------------------------------------------------------------- optional columns

GRANTS_OLD = "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason"


def stored(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


def test_files_without_the_optional_columns_still_load_and_keep_what_is_stored(engine, write_csv, tmp_path):
    first = tmp_path / "first"
    good_files(write_csv, first)
    write_csv("providers.csv", "provider_id,provider_name,owner_municipality_code", "P1,Bo og Liv,101", folder=first)
    write_csv("grants.csv", GRANTS_OLD + ",case_id", "G1,B-1,101,P1,SEL108,2024-03-01,,,K1", "G2,B-2,147,P1,SEL108,2024-03-01,,,",
              folder=first)
    loading.load_path(engine, first)
    assert stored(engine, "select grant_id, case_id from grants order by grant_id") == [("G1", "K1"), ("G2", None)]

    # An old grants.csv (no case_id) replaces G1 and adds G3: G1 keeps its case, G3 has none.
    second = tmp_path / "second"
    write_csv("grants.csv", GRANTS_OLD, "G1,B-1,101,P1,SEL108,2024-03-01,2024-06-30,moved", "G3,B-3,101,P1,SEL108,2024-04-01,,",
              folder=second)
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv ApS", folder=second)
    assert loading.load_path(engine, second) == {"providers": 1, "grants": 2}
    assert stored(engine, "select grant_id, case_id, end_reason from grants order by grant_id") == [
        ("G1", "K1", "moved"), ("G2", None, None), ("G3", None, None),
    ]
    assert stored(engine, "select provider_name, owner_municipality_code from providers") == [("Bo og Liv ApS", 101)]

    # A file with the column sets it, also to empty.
    third = tmp_path / "third"
    write_csv("grants.csv", GRANTS_OLD + ",case_id", "G1,B-1,101,P1,SEL108,2024-03-01,2024-06-30,moved,", folder=third)
    loading.load_path(engine, third)
    assert stored(engine, "select case_id from grants where grant_id = 'G1'") == [(None,)]


def test_an_unknown_case_or_owner_is_refused(engine, write_csv, folder):
    good_files(write_csv, folder)
    write_csv("providers.csv", "provider_id,provider_name,owner_municipality_code", "P1,Bo og Liv,999", folder=folder)
    write_csv("grants.csv", GRANTS_OLD + ",case_id", "G1,B-1,101,P1,SEL108,2024-03-01,,,K9", folder=folder)
    assert problems_of(engine, folder) == [
        f"{folder / 'grants.csv'}:2: case_id: unknown case_id 'K9': load it in cases.csv",
        f"{folder / 'providers.csv'}:2: owner_municipality_code: unknown municipality code 999",
    ]
    assert nothing_written(engine)
