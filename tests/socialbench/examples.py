"""One valid row of every loadable table, as CSV text (None = an empty cell); together they
load as one consistent batch (the grant's provider, the assessment's grant, ...)."""
from __future__ import annotations

ROWS = {
    "providers": {"provider_id": "P1", "provider_name": "Bo og Liv ApS", "owner_municipality_code": None, "cvr": "10150817"},
    "grants": {
        "grant_id": "G1", "citizen_key": "C1", "municipality_code": "101", "provider_id": "P1",
        "intervention_code": "SEL85", "start_date": "2025-01-01", "end_date": None, "end_reason": None,
        "case_id": None,
    },
    "assessments": {"grant_id": "G1", "assessed_on": "2025-01-01", "support_level": "3"},
    "rates": {"intervention_code": "SEL85", "support_level": "3", "provider_id": "P1", "valid_from": "2020-01-01",
              "daily_rate_dkk": "1000.00"},
    "budget_plan": {"municipality_code": "101", "year": "2025", "intervention_code": "SEL85",
                    "planned_full_year_citizens": "12.5", "planned_unit_cost_dkk": "450000.00"},
    "refusion_tiers": {"year": "2030", "area": "adults", "threshold_dkk": "830000.00", "refund_share": "0.25"},
    "population": {"municipality_code": "101", "year": "2024", "age": "7", "persons": "6500"},
    "expenditure": {"municipality_code": "101", "year": "2024", "function_code": "5.28.20", "kind": "actual", "amount_dkk": "-12.50"},
    "full_year_citizens": {"municipality_code": "101", "year": "2024", "intervention_code": "SEL85", "full_year_citizens": "12.5"},
    "price_index": {"year": "2024", "index_value": "101.5"},
    "structural_indicators": {"municipality_code": "101", "year": "2024", "indicator": "socioeconomic_index", "value": "0.25"},
    "caseworkers": {
        "caseworker_id": "W1", "municipality_code": "101", "team": "Børn og unge", "fte": "0.8",
        "employed_from": "2024-01-01", "employed_to": None,
    },
    "cases": {
        "case_id": "K1", "citizen_key": "C1", "municipality_code": "101", "area": "adults", "received_on": "2024-11-04",
        "source": "own_application", "decided_on": "2024-12-16", "decision": "granted", "immediate_effort": "false",
        "closed_on": None, "caseworker_id": None,
    },
    "investigations": {"investigation_id": "U1", "case_id": "K1", "started_on": "2024-11-11", "completed_on": None},
    "housing_places": {"provider_id": "P1", "intervention_code": "SEL108", "valid_from": "2025-01-01", "places": "4"},
}
