"""A small hand-made warehouse for the view tests; every expected value is computed from it by hand.

Price index 2023 = 100, 2024 = 104, 2025 = 110: the base year of fixed prices is 2025
(the latest year in the index, even though no expenditure is booked for 2025).

Municipalities: 101 København, 147 Frederiksberg, 151 Ballerup, 153 Brøndby, 157 Gentofte.
"""
from __future__ import annotations

from socialbench import loading

PRICE_INDEX = {2023: 100, 2024: 104, 2025: 110}
BASE = PRICE_INDEX[2025]

POPULATION = [
    # (municipality, year, age, persons)
    (101, 2023, 0, 10_000),
    (101, 2023, 17, 5_000),
    (101, 2023, 22, 8_000),     # in both 0-22 and 18-64
    (101, 2023, 23, 90_000),
    (101, 2023, 64, 200_000),
    (101, 2023, 65, 50_000),    # in neither
    (101, 2024, 0, 10_000),
    (101, 2024, 22, 13_500),
    (101, 2024, 40, 290_000),
    (147, 2023, 5, 7_000),
    (147, 2023, 30, 60_000),
    (147, 2024, 5, 7_100),      # population without expenditure: no row in the cost views
    (151, 2023, 10, 4_000),
    (151, 2023, 40, 30_000),
    (153, 2023, 10, 2_000),
    (153, 2023, 40, 15_000),
    # 157 has expenditure but no population
]

EXPENDITURE = [
    # (municipality, year, function, kind, amount)
    (101, 2023, "5.28.22", "actual", "60000000"),   # BU_PLEJEFAMILIE
    (101, 2023, "5.28.25", "actual", "40000000"),   # children, no intervention
    (101, 2023, "5.38.50", "actual", "50000000"),   # SEL108
    (101, 2023, "5.38.59", "actual", "12000000"),   # SEL104
    (101, 2023, "5.38.35", "actual", "10000000"),   # adults, no intervention
    (101, 2024, "5.28.22", "actual", "66000000"),
    (101, 2024, "5.28.25", "actual", "40000000"),
    (101, 2024, "5.38.50", "actual", "54000000"),
    (101, 2024, "5.38.59", "actual", "13000000"),
    (101, 2024, "5.38.35", "actual", "10000000"),
    (147, 2023, "5.28.22", "actual", "30000000"),
    (147, 2023, "5.38.50", "actual", "20000000"),
    (151, 2023, "5.28.22", "actual", "16000000"),
    (151, 2023, "5.38.50", "actual", "3000000.50"),
    (153, 2023, "5.28.22", "actual", "8000000"),
    (157, 2023, "5.28.22", "actual", "1000000"),
    # budgets
    (101, 2023, "5.28.22", "budget", "55000000"),
    (101, 2023, "5.28.25", "budget", "40000000"),
    (101, 2023, "5.38.50", "budget", "70000000"),
    (101, 2023, "5.38.59", "budget", "2000000"),
    (147, 2023, "5.28.22", "budget", "0"),
    (101, 2025, "5.28.22", "budget", "70000000"),   # budget year without accounts
]

FULL_YEAR_CITIZENS = [
    # (municipality, year, intervention, full-year citizens)
    (101, 2023, "BU_PLEJEFAMILIE", "150"),
    (101, 2024, "BU_PLEJEFAMILIE", "160"),
    (101, 2023, "SEL108", "100"),
    (101, 2024, "SEL108", "105.5"),
    (101, 2023, "SEL104", "40"),
    (101, 2024, "SEL104", "0"),         # zero full-year citizens: NULL unit cost
    (147, 2023, "BU_PLEJEFAMILIE", "75"),
    (147, 2023, "SEL108", "50"),
    (147, 2023, "SEL85", "12.5"),       # citizens but no expenditure on 5.38.38
    (151, 2023, "BU_PLEJEFAMILIE", "32"),
    (151, 2023, "SEL108", "7.5"),
    # 153 BU_PLEJEFAMILIE: expenditure but no count (missing): NULL unit cost
]

PROVIDERS = [("P1", "Bo og Liv"), ("P2", "Dagcenter Nord")]
# The municipality that runs a provider itself (case_occupancy): P1 is København's own.
PROVIDER_OWNERS = {"P1": 101}

GRANTS = [
    # (grant, citizen, municipality, provider, intervention, start, end, end reason)
    ("G1", "C1", 101, "P1", "SEL108", "2023-12-15", "2024-03-31", "moved"),
    ("G2", "C2", 101, "P1", "SEL108", "2024-02-01", None, None),
    ("G3", "C3", 101, "P1", "SEL108", "2024-02-10", "2024-02-20", "ended"),
    ("G4", "C1", 101, "P1", "SEL108", "2024-04-01", None, None),
    ("G5", "C4", 147, "P2", "SEL85", "2024-03-05", "2024-04-04", "goal reached"),
]

ASSESSMENTS = [
    # (grant, date, level)
    ("G1", "2023-12-15", 3),
    ("G1", "2024-03-01", 2),
    ("G4", "2024-04-01", 3),
    ("G4", "2024-05-31", 1),    # the latest date in the data: the reference date
    ("G2", "2024-02-01", 2),
    ("G2", "2024-04-15", 3),
    ("G3", "2024-02-10", 1),
    ("G5", "2024-03-05", 2),
    ("G5", "2024-04-04", 1),
]
REFERENCE_DATE = "2024-05-31"

# Case work (tests/sql/test_case_views.py computes every figure from these by hand). The
# latest case date is 28 May 2024, so the case figures' reference date is that of the
# grants, 31 May 2024; the calendar starts in October 2023 (K1 received, U1 started).
CASEWORKERS = [
    # (caseworker, municipality, team, fte, employed from, employed to)
    ("W1", 101, "Børn", "1", "2023-01-01", None),
    ("W2", 101, "Børn", "0.5", "2023-01-01", "2024-03-15"),   # leaves in mid-March
    ("W3", 147, "Voksne", "0.8", "2024-01-01", None),
]

CASES = [
    # (case, citizen, municipality, area, received, source, decided, decision, immediate effort, closed, caseworker)
    ("K1", "C5", 101, "children", "2023-10-02", "school_daycare", "2024-02-01", "granted", "false", None, "W1"),
    ("K2", "C6", 101, "children", "2024-01-20", "relatives", None, None, "false", "2024-02-29", "W2"),
    ("K3", "C7", 101, "children", "2024-02-05", "school_daycare", "2024-03-01", "rejected", "false", "2024-03-01", "W1"),
    # Immediate effort: received 4 March, day 84 is 27 May.
    ("K4", "C8", 147, "adults", "2024-03-04", "own_application", "2024-03-10", "other_offer", "true", "2024-05-27", "W3"),
    ("K5", "C9", 147, "adults", "2024-03-04", "own_application", None, None, "true", "2024-05-28", "W3"),
    ("K6", "C4", 147, "adults", "2024-05-20", "health", None, None, "true", None, "W3"),
    # Immediate effort in København, still open: due since 3 April (day 84), not a success.
    ("K7", "C2", 101, "adults", "2024-01-10", "relatives", "2024-01-25", "granted", "true", None, None),
]

# The case that led to a grant (grants.case_id): G2 (§ 108, ladder step 3) followed K7,
# G5 (§ 85, step 1) followed K6.
GRANT_CASES = {"G2": "K7", "G5": "K6"}

INVESTIGATIONS = [
    # (investigation, case, started, completed)
    ("U1", "K1", "2023-10-31", "2024-02-29"),   # deadline 29 February 2024 (a leap year), completed that day
    ("U2", "K2", "2024-01-20", "2024-05-21"),   # deadline 20 May, completed a day late
    ("U3", "K3", "2024-02-05", None),           # deadline 5 June, after the reference date: not due
    ("U4", "K1", "2024-01-31", None),           # deadline 31 May, the reference date: due, open
    ("U5", "K2", "2024-01-15", "2024-04-30"),   # deadline 15 May, on time
]

HOUSING_PLACES = [
    # (provider, intervention, valid from, places)
    ("P1", "SEL108", "2024-01-01", "3"),
    ("P1", "SEL108", "2024-03-15", "2"),
]


def _text(value):
    return None if value is None else str(value)


def _records(columns, rows):
    return [(i + 2, {c: _text(v) for c, v in zip(columns, row)}) for i, row in enumerate(rows)]


def batch(
    expenditure=EXPENDITURE, population=POPULATION, citizens=FULL_YEAR_CITIZENS, price_index=PRICE_INDEX,
    grants=GRANTS, assessments=ASSESSMENTS, cases=CASES, investigations=INVESTIGATIONS,
    caseworkers=CASEWORKERS, housing_places=HOUSING_PLACES, grant_cases=GRANT_CASES,
):
    tables = {
        "price_index": _records(["year", "index_value"], sorted(price_index.items())),
        "population": _records(["municipality_code", "year", "age", "persons"], population),
        "expenditure": _records(["municipality_code", "year", "function_code", "kind", "amount_dkk"], expenditure),
        "full_year_citizens": _records(
            ["municipality_code", "year", "intervention_code", "full_year_citizens"], citizens
        ),
        "providers": _records(
            ["provider_id", "provider_name", "owner_municipality_code"],
            [(*provider, PROVIDER_OWNERS.get(provider[0])) for provider in PROVIDERS],
        ),
        "grants": _records(
            ["grant_id", "citizen_key", "municipality_code", "provider_id", "intervention_code",
             "start_date", "end_date", "end_reason", "case_id"],
            [(*grant, grant_cases.get(grant[0])) for grant in grants],
        ),
        "assessments": _records(["grant_id", "assessed_on", "support_level"], assessments),
        "caseworkers": _records(
            ["caseworker_id", "municipality_code", "team", "fte", "employed_from", "employed_to"], caseworkers
        ),
        "cases": _records(
            ["case_id", "citizen_key", "municipality_code", "area", "received_on", "source", "decided_on",
             "decision", "immediate_effort", "closed_on", "caseworker_id"],
            cases,
        ),
        "investigations": _records(["investigation_id", "case_id", "started_on", "completed_on"], investigations),
        "housing_places": _records(["provider_id", "intervention_code", "valid_from", "places"], housing_places),
    }
    rows, problems = [], []
    for table, records in tables.items():
        validated, found = loading.validate_records(table, f"{table}.csv", records)
        rows.append(validated)
        problems += found
    assert problems == [], problems
    return rows


def load(engine, **overrides) -> None:
    """Load the hand-made data set (optionally with some tables replaced) through the loader."""
    loading.load_batch(engine, batch(**overrides), source="tests/sql/dataset.py")


# § 108 day rates by support level, for one settlement run over the grants above.
RATES = [(3, 1000), (2, 600), (1, 300), (0, 0)]


def settle(engine) -> str:
    """One draft settlement run as of the reference date, so that the settlement views have
    rows: a model for § 108 paying half the saving after 30 qualifying days. Only G1 earns:
    C1 went from level 3 to 2 on 1 March 2024 and the grant ended on 31 March, so 31 days ×
    (1,000 − 600) × 0.5 = 6,200.00 kr. for municipality 101 (G4 falls from 3 to 1 on 31 May,
    too late to qualify; G2 rose, G3 has one assessment)."""
    from incentive_models import runs
    from incentive_models.model import parse_model

    records = _records(
        ["intervention_code", "support_level", "valid_from", "daily_rate_dkk"],
        [("SEL108", level, "2020-01-01", rate) for level, rate in RATES],
    )
    rates, problems = loading.validate_records("rates", "rates.csv", records)
    assert problems == [], problems
    loading.load_batch(engine, [rates], source="tests/sql/dataset.py")
    model = parse_model(
        "model_id: sql-views\ninterventions: [SEL108]\nshare: 0.5\nqualifying_days: 30\nhorizon_days: 365\n",
        "tests/sql/dataset.py",
    )
    return runs.create_draft(engine, model, REFERENCE_DATE)
