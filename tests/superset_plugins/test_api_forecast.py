"""GET /api/v1/socialbench/forecast in a real (in-process) Superset: its own read permission,
a municipality's users get only their own rows, the same JSON as `socialbench forecast --json`.

The warehouse holds the hand-made fc_forecast rows of tests/forecast/test_forecast_cli.py
(on DuckDB and PostgreSQL); the expected rows are written out by hand there and here."""
from __future__ import annotations

import json

import pytest

from socialbench import cli, forecast_cli
from superset_plugins import api
from superset_plugins import config as plugin_config
from superset_plugins.roles import role_name
from tests.forecast import test_forecast_cli as hand
from tests.superset_plugins import inprocess_superset

pytestmark = pytest.mark.superset

FORECAST = "/api/v1/socialbench/forecast"
KBH = role_name(101, "København")
FBG = role_name(147, "Frederiksberg")

# 147's row as the endpoint returns it (from the hand-made row 147 SEL107).
JSON_147 = [
    {"municipality_code": 147, "municipality_name": "Frederiksberg", "year": 2026, "intervention_code": "SEL107",
     "as_of": "2026-06-30", "budget_dkk": "1000000.00", "planned_full_year_citizens": "2.0000",
     "planned_unit_cost_dkk": "500000.00", "actual_to_date_dkk": "400000.00", "committed_dkk": "500000.00",
     "expected_new_dkk": "0.10", "forecast_dkk": "900000.10", "deviation_dkk": "-99999.90",
     "forecast_full_year_citizens": 1.75, "forecast_unit_cost_dkk": "514285.77",
     "price_deviation_dkk": "26785.82", "quantity_deviation_dkk": "-126785.72"},
]


@pytest.fixture(scope="module")
def sup():
    sup = inprocess_superset.superset()
    with sup.app.app_context():
        from superset import db, security_manager

        def role_with(name: str, permission: str):
            role = security_manager.find_role(name) or security_manager.add_role(name)
            security_manager.add_permission_role(
                role, security_manager.find_permission_view_menu(permission, plugin_config.PERMISSION_VIEW)
            )
            return role

        role_with("Forecast readers", "can_read_forecast")
        role_with("Settlement readers only", "can_read")
        db.session.commit()
        inprocess_superset.add_user("fc_reader", "Gamma", "Forecast readers")
        inprocess_superset.add_user("fc_kbh", "Gamma", "Forecast readers", KBH)
        inprocess_superset.add_user("fc_kbh_fbg", "Gamma", "Forecast readers", KBH, FBG)
        inprocess_superset.add_user("fc_settlements", "Gamma", "Settlement readers only")
        inprocess_superset.add_user("fc_kommune_only", "Gamma", KBH)
        inprocess_superset.add_user("fc_gamma", "Gamma")
    return sup


@pytest.fixture
def forecast(sup, db_url, tmp_path):
    """The API pointed at a fresh warehouse (DuckDB file or PostgreSQL schema) holding the
    hand-made fc_forecast rows; pointed back afterwards."""
    from socialbench import schema, warehouse

    engine = warehouse.create_engine(db_url)
    schema.init(engine)
    hand.insert_rows(engine)
    engine.dispose()
    before = sup.app.config["SOCIALBENCH_DB"]
    sup.app.config["SOCIALBENCH_DB"] = db_url
    try:
        yield db_url
    finally:
        sup.app.config["SOCIALBENCH_DB"] = before
        from superset_plugins import settings

        for key in [k for k in settings._ENGINES if k[0] == db_url]:
            settings._ENGINES.pop(key).dispose()


def get(sup, username: str, query: str = ""):
    return inprocess_superset.Client(sup.app, username).get(FORECAST + query)


def result(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert body["count"] == len(body["result"])
    return body["result"]


# --- permission -------------------------------------------------------------------------


def test_superset_init_gives_the_forecast_permission_to_admin_and_alpha_only(sup):
    from superset import security_manager

    with sup.app.app_context():
        def has(role: str) -> bool:
            return any(
                (p.permission.name, p.view_menu.name) == ("can_read_forecast", plugin_config.PERMISSION_VIEW)
                for p in security_manager.find_role(role).permissions
            )

        assert (has("Admin"), has("Alpha"), has("Gamma")) == (True, True, False)


@pytest.mark.parametrize("username", ["fc_gamma", "fc_settlements", "fc_kommune_only"])
def test_a_user_without_the_forecast_permission_is_refused(sup, forecast, username):
    response = get(sup, username)
    assert response.status_code == 403, response.get_data(as_text=True)[:300]
    assert "result" not in response.get_json()


def test_there_is_no_write_method(sup, forecast):
    admin = inprocess_superset.Client(sup.app, "admin")
    for method in (admin.post, admin.http.put, admin.http.delete):
        kwargs = {"json": {}} if method == admin.post else {"headers": admin.headers}
        assert method(FORECAST, **kwargs).status_code == 405


# --- rows -----------------------------------------------------------------------------------


def test_a_reader_without_a_kommune_role_gets_every_municipality(sup, forecast):
    assert result(get(sup, "fc_reader")) == hand.JSON_101 + JSON_147
    assert result(get(sup, "admin")) == hand.JSON_101 + JSON_147


def test_a_municipality_user_gets_only_its_own_rows(sup, forecast):
    assert result(get(sup, "fc_kbh")) == hand.JSON_101
    assert result(get(sup, "fc_kbh", "?municipality=147")) == []  # another's: filtered away, as on a dashboard
    assert result(get(sup, "fc_kbh", "?municipality=101")) == hand.JSON_101
    assert result(get(sup, "fc_kbh_fbg")) == hand.JSON_101 + JSON_147
    assert result(get(sup, "fc_kbh_fbg", "?municipality=147")) == JSON_147


def test_filters_by_municipality_and_year(sup, forecast):
    assert result(get(sup, "fc_reader", "?municipality=147")) == JSON_147
    assert result(get(sup, "fc_reader", "?year=2026&municipality=101")) == hand.JSON_101
    assert result(get(sup, "fc_reader", "?year=2025")) == []


def test_the_same_json_as_the_command(sup, forecast, monkeypatch, capsys):
    monkeypatch.setattr(forecast_cli, "_write_forecast", hand.stand_in_writer([]))
    assert cli.main(["forecast", "--db", forecast, "--as-of", "2026-06-30", "--json"]) == 0
    assert result(get(sup, "fc_reader")) == json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    "query, message",
    [
        ("?municipality=abc", "municipality: not a whole number"),
        ("?municipality=", "municipality: not a whole number"),
        ("?municipality=1.5", "municipality: not a whole number"),
        ("?municipality=" + "9" * 40, "municipality: must be a municipality code (a whole number)"),
        ("?year=0", "year: must be a year (a whole number)"),
        ("?colour=red", "colour: unknown field"),
    ],
)
def test_bad_query_is_a_400_naming_the_parameter(sup, forecast, query, message):
    response = get(sup, "fc_reader", query)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["message"] == message


def test_the_endpoint_is_in_supersets_openapi_spec(sup):
    response = inprocess_superset.Client(sup.app, "admin").get("/api/v1/_openapi")
    assert response.status_code == 200
    assert set(response.get_json()["paths"]["/api/v1/socialbench/forecast"]) == {"get"}


# --- Kommune roles ----------------------------------------------------------------------------


def test_own_municipalities_from_kommune_role_names():
    assert api.own_municipalities([role_name(101, "København"), "Gamma"]) == {101}
    assert api.own_municipalities([role_name(101, "København"), role_name(147, "Frederiksberg")]) == {101, 147}
    assert api.own_municipalities(["Gamma", "Alpha", "Kommunekontakt", "Kommune x"]) is None
    assert api.own_municipalities([]) is None
