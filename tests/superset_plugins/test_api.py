"""The socialbench REST API in a real (in-process) Superset: permissions, input, results."""
from __future__ import annotations

from decimal import Decimal

import pytest

from incentive_models import runs
from superset_plugins import config as plugin_config
from tests.superset_plugins import inprocess_superset

pytestmark = pytest.mark.superset

RUNS = "/api/v1/socialbench/runs"

MODEL = """\
model_id: {model_id}
interventions: [SEL85]
share: 0.5
qualifying_days: 90
horizon_days: 365
"""

# As of 2025-06-30 with the hand-made data set (rates SEL85: level 3 = 1,000, 2 = 600, 1 = 300):
# G1 (P1): the settlement issue's worked example: 0.5 x (120 x 400 + 30 x 700)
G1_PAYOUT = Decimal("0.5") * (120 * 400 + 30 * 700)
# G2 (P2): level 2 -> 1 from 2025-03-01, qualified on day 90; 2025-03-01..06-30 = 31+30+31+30 days of 300
G2_PAYOUT = Decimal("0.5") * ((31 + 30 + 31 + 30) * 300)
# G3 stays at its baseline: no episode.


@pytest.fixture(scope="module")
def sup():
    sup = inprocess_superset.superset()
    with sup.app.app_context():
        from superset import db, security_manager

        readers = security_manager.add_role("Settlement readers")
        security_manager.add_permission_role(
            readers, security_manager.find_permission_view_menu("can_read", plugin_config.PERMISSION_VIEW)
        )
        db.session.commit()
        inprocess_superset.add_user("reader", "Gamma", "Settlement readers")
        inprocess_superset.add_user("alpha", "Alpha")
        inprocess_superset.add_user("gamma", "Gamma")
        result = sup.app.test_cli_runner().invoke(args=["socialbench-approvers", "Økonomi"])
        assert result.exit_code == 0, result.output
        inprocess_superset.add_user("finance", "Gamma", "Økonomi")
    return sup


@pytest.fixture(scope="module")
def admin(sup):
    return inprocess_superset.Client(sup.app, "admin")


def client(sup, username):
    return inprocess_superset.Client(sup.app, username)


def draft(client, model_id: str, as_of: str = "2025-06-30"):
    return client.post(RUNS, json={"model": MODEL.format(model_id=model_id), "as_of": as_of})


# --- the import line ----------------------------------------------------------------


def test_import_line_sets_danish_format_macros_and_template_processing(sup):
    from superset import feature_flag_manager

    with sup.app.app_context():
        assert sup.app.config["D3_FORMAT"] == {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."]}
        assert sup.app.config["D3_TIME_FORMAT"]["months"][0] == "januar"
        assert {"socialbench_peers", "socialbench_fixed_price"} <= set(sup.app.config["JINJA_CONTEXT_ADDONS"])
        # the test config sets its own FEATURE_FLAGS after the import line: both hold
        assert feature_flag_manager.is_feature_enabled("ENABLE_TEMPLATE_PROCESSING")
        assert feature_flag_manager.is_feature_enabled("DASHBOARD_RBAC")
        assert feature_flag_manager.is_feature_enabled("RLS_IN_SQLLAB")


def test_merge_keeps_the_users_own_choices():
    config = {
        "FEATURE_FLAGS": {"ENABLE_TEMPLATE_PROCESSING": False, "ALERT_REPORTS": True},
        "JINJA_CONTEXT_ADDONS": {"mine": len, "socialbench_peers": max},
        "D3_FORMAT": {"decimal": "."},
    }
    plugin_config._merge_settings(config)
    assert config["FEATURE_FLAGS"] == {"ENABLE_TEMPLATE_PROCESSING": False, "ALERT_REPORTS": True, "RLS_IN_SQLLAB": True}
    assert config["JINJA_CONTEXT_ADDONS"]["mine"] is len
    assert config["JINJA_CONTEXT_ADDONS"]["socialbench_peers"] is max  # the user's own wins
    assert config["JINJA_CONTEXT_ADDONS"]["socialbench_fixed_price"] is plugin_config.MACROS["socialbench_fixed_price"]
    assert config["D3_FORMAT"] == {"decimal": "."}


def test_rls_in_sql_lab_is_on_unless_the_user_switches_it_off():
    config = {"FEATURE_FLAGS": {"RLS_IN_SQLLAB": False}}
    plugin_config._merge_settings(config)
    assert config["FEATURE_FLAGS"] == {"RLS_IN_SQLLAB": False, "ENABLE_TEMPLATE_PROCESSING": True}
    config = {}
    plugin_config._merge_settings(config)
    assert config["FEATURE_FLAGS"] == {"ENABLE_TEMPLATE_PROCESSING": True, "RLS_IN_SQLLAB": True}


def test_chain_mutators_calls_each_in_order():
    calls = []
    mutator = plugin_config.chain_mutators(lambda app: calls.append(("first", app)), None, lambda app: calls.append(("second", app)))
    mutator("app")
    assert calls == [("first", "app"), ("second", "app")]


def test_importing_the_config_imports_nothing_heavy():
    import subprocess
    import sys

    code = (
        "import sys; from superset_plugins.config import *; "
        "heavy = [m for m in ('superset', 'pandas', 'flask_appbuilder', 'superset_plugins.api') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- permissions --------------------------------------------------------------------


def permissions(sup, role: str) -> set[str]:
    from superset import security_manager

    with sup.app.app_context():
        found = security_manager.find_role(role)
        return {p.permission.name for p in found.permissions if p.view_menu.name == plugin_config.PERMISSION_VIEW}


def test_superset_init_gives_admin_everything_alpha_drafts_gamma_nothing(sup):
    assert permissions(sup, "Admin") == {"can_read", "can_write", "can_approve", "can_read_forecast"}
    assert permissions(sup, "Alpha") == {"can_read", "can_write", "can_read_forecast"}
    assert permissions(sup, "Gamma") == set()
    assert permissions(sup, "Økonomi") == {"can_read", "can_approve"}


def test_a_user_without_the_approve_permission_is_refused(sup, admin):
    created = draft(admin, "api-refused")
    assert created.status_code == 201, created.get_data(as_text=True)
    run_id = created.get_json()["result"]["run_id"]
    reader = client(sup, "reader")
    assert reader.get(RUNS).status_code == 200
    assert reader.post(f"{RUNS}/{run_id}/approve").status_code == 403
    assert draft(reader, "api-refused-2").status_code == 403  # no can_write either
    alpha = client(sup, "alpha")
    assert alpha.post(f"{RUNS}/{run_id}/approve").status_code == 403
    assert client(sup, "gamma").get(RUNS).status_code == 403
    status = {r["run_id"]: r["status"] for r in admin.get(RUNS).get_json()["result"]}
    assert status[run_id] == "draft"


def test_admin_and_a_granted_role_can_approve(sup, admin, ledger):
    # On a fresh ledger: approvals pay the grants, which would leave later tests' drafts at 0.
    first = draft(admin, "api-approve-admin").get_json()["result"]["run_id"]
    approved = admin.post(f"{RUNS}/{first}/approve")
    assert approved.status_code == 200, approved.get_data(as_text=True)
    assert approved.get_json()["result"]["status"] == "approved"
    again = admin.post(f"{RUNS}/{first}/approve")
    assert again.status_code == 409 and again.get_json()["message"]

    # One model per intervention: the granted role approves the same model's next run.
    second = draft(admin, "api-approve-admin", as_of="2025-07-31").get_json()["result"]["run_id"]
    approved = client(sup, "finance").post(f"{RUNS}/{second}/approve")
    assert approved.status_code == 200, approved.get_data(as_text=True)

    other_model = draft(admin, "api-approve-copy", as_of="2025-08-31").get_json()["result"]["run_id"]
    refused = client(sup, "finance").post(f"{RUNS}/{other_model}/approve")
    assert refused.status_code == 409 and "api-approve-admin" in refused.get_json()["message"]


# --- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field, text",
    [
        ({"model": MODEL.format(model_id="x")}, "as_of", "missing (required)"),
        ({"model": MODEL.format(model_id="x"), "as_of": "2025-13-01"}, "as_of", "not a date YYYY-MM-DD"),
        ({"model": MODEL.format(model_id="x"), "as_of": "30-06-2025"}, "as_of", "not a date YYYY-MM-DD"),
        ({"as_of": "2025-06-30"}, "model", "missing (required)"),
        ({"model": MODEL.format(model_id="x").replace("0.5", "2"), "as_of": "2025-06-30"}, "model.share", "must be above 0"),
        ({"model": {"model_id": "x", "interventions": ["SEL85"], "share": 0.5, "qualifying_days": 0, "horizon_days": 10}, "as_of": "2025-06-30"}, "model.qualifying_days", "must be at least 1"),
        ({"model": MODEL.format(model_id="x") + "colour: red\n", "as_of": "2025-06-30"}, "model.colour", "unknown field"),
        ({"model": 42, "as_of": "2025-06-30"}, "model", "must be the model as YAML text or as an object"),
        ({"model": MODEL.format(model_id="x"), "as_of": "2025-06-30", "extra": 1}, "extra", "unknown field"),
    ],
)
def test_bad_draft_input_is_a_clear_400_naming_the_field(admin, body, field, text):
    response = admin.post(RUNS, json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    message = response.get_json()["message"]
    assert f"{field}: {text}" in message


def test_a_model_the_warehouse_cannot_settle_is_a_400(admin):
    response = admin.post(RUNS, json={"model": MODEL.format(model_id="x").replace("SEL85", "NOPE"), "as_of": "2025-06-30"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "interventions: unknown intervention code NOPE" in response.get_json()["message"]


def test_a_body_that_is_not_json_is_a_400(admin):
    response = admin.post(RUNS, data="model_id: x", content_type="text/plain")
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["message"]


def test_unknown_run_is_404(admin):
    for response in (
        admin.get(f"{RUNS}/no-such-run"),
        admin.get(f"{RUNS}/no-such-run/lines"),
        admin.post(f"{RUNS}/no-such-run/approve"),
        admin.get(f"{RUNS}/no-such-run/statement?format=csv"),
    ):
        assert response.status_code == 404
        assert response.get_json()["message"] == "no settlement run 'no-such-run'"


def test_bad_statement_format_is_a_400(admin):
    response = admin.get(f"{RUNS}/any/statement?format=docx")
    assert response.status_code == 400
    assert "format: must be one of csv, xlsx, pdf" in response.get_json()["message"]
    response = admin.get(f"{RUNS}/any/statement")
    assert "format: missing (required)" in response.get_json()["message"]


# --- results ------------------------------------------------------------------------


def test_a_draft_made_through_the_api_equals_the_librarys_run(sup, admin):
    from incentive_models.model import parse_model
    from socialbench import warehouse

    created = draft(admin, "api-equal")
    assert created.status_code == 201, created.get_data(as_text=True)
    run = created.get_json()["result"]
    assert Decimal(run["total_payout_dkk"]) == G1_PAYOUT + G2_PAYOUT
    assert run["status"] == "draft" and run["as_of"] == "2025-06-30" and run["model_id"] == "api-equal"
    lines = admin.get(f"{RUNS}/{run['run_id']}/lines").get_json()["result"]
    assert {(l["grant_id"], l["provider_id"], Decimal(l["payout_dkk"])) for l in lines} == {
        ("G1", "P1", G1_PAYOUT),
        ("G2", "P2", G2_PAYOUT),
    }

    # The same model through the library directly (it replaces the draft): same totals and lines.
    engine = warehouse.create_engine(sup.warehouse_url)
    try:
        import datetime as dt

        run_id = runs.create_draft(engine, parse_model(MODEL.format(model_id="api-equal")), dt.date(2025, 6, 30))
        stored = runs.list_runs(engine)
        row = stored[stored["run_id"].astype(str) == str(run_id)].iloc[0]
        library_lines = runs.run_lines(engine, run_id)
    finally:
        engine.dispose()
    assert Decimal(str(row["total_payout_dkk"])) == Decimal(run["total_payout_dkk"])
    assert Decimal(str(row["total_saving_dkk"])) == Decimal(run["total_saving_dkk"])
    assert sorted((str(g), Decimal(str(p))) for g, p in library_lines[["grant_id", "payout_dkk"]].values) == sorted(
        (l["grant_id"], Decimal(l["payout_dkk"])) for l in lines
    )


@pytest.mark.parametrize("fmt, magic", [("csv", None), ("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_statement_download_returns_the_file(sup, admin, fmt, magic):
    run_id = draft(admin, "api-statement").get_json()["result"]["run_id"]
    response = admin.get(f"{RUNS}/{run_id}/statement?format={fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith(plugin_config_mimetype(fmt))
    assert f"afregning-{run_id}.{fmt}" in response.headers["Content-Disposition"]
    body = response.get_data()
    if magic:
        assert body.startswith(magic)
    else:
        text = body.decode("utf-8-sig")
        assert "Bo Godt ApS" in text and "Trinet A/S" in text


def test_statement_for_one_provider(sup, admin):
    run_id = draft(admin, "api-statement-p1").get_json()["result"]["run_id"]
    response = admin.get(f"{RUNS}/{run_id}/statement?format=csv&provider=P1")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert f"afregning-{run_id}-P1.csv" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    assert "Bo Godt ApS" in text and "Trinet A/S" not in text
    assert "34500,00" in text  # G1's payout, decimal comma: 0.5 x (120 x 400 + 30 x 700)


def test_statement_for_a_provider_without_lines_is_a_400(admin):
    run_id = draft(admin, "api-statement-p9").get_json()["result"]["run_id"]
    response = admin.get(f"{RUNS}/{run_id}/statement?format=pdf&provider=P9")
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("provider: provider 'P9' has no lines in run")


def plugin_config_mimetype(fmt: str) -> str:
    from superset_plugins.api import STATEMENT_FORMATS

    return STATEMENT_FORMATS[fmt].split(";")[0]


def test_the_api_is_described_in_supersets_openapi_spec(admin):
    response = admin.get("/api/v1/_openapi")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    paths = response.get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/socialbench/runs"])
    assert "post" in paths["/api/v1/socialbench/runs/{run_id}/approve"]
    assert "get" in paths["/api/v1/socialbench/runs/{run_id}/statement"]


# --- hostile input ------------------------------------------------------------------


def test_a_body_over_256_kb_is_a_413_with_a_short_message(admin):
    model = MODEL.format(model_id="big") + "# " + "x" * (256 * 1024) + "\n"
    response = admin.post(RUNS, json={"model": model, "as_of": "2025-06-30"})
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.get_json()["message"] == "the body is larger than 256 KB; a model is at most 64 KB"


def test_a_30_mb_model_is_refused_and_never_stored(admin):
    before = admin.get(RUNS).get_json()["count"]
    model = MODEL.format(model_id="huge") + "exit_reasons:\n" + "  - goal_achieved_but_padded_to_be_long\n" * (30 * 1024 * 1024 // 38)
    response = admin.post(RUNS, json={"model": model, "as_of": "2025-06-30"})
    assert response.status_code == 413 and len(response.get_data()) < 500
    assert admin.get(RUNS).get_json()["count"] == before


def test_an_alias_bomb_is_a_short_400_naming_its_lines(admin):
    from tests.incentive_models.test_model import alias_bomb

    response = admin.post(RUNS, json={"model": alias_bomb(), "as_of": "2025-06-30"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert len(body) < 2_000 and "lol" not in body
    assert "model.a: YAML anchors (&name) are not accepted" in response.get_json()["message"]


def test_a_model_object_over_64_kb_is_a_400(admin):
    model = {"model_id": "m", "interventions": ["SEL85"], "share": 0.5, "qualifying_days": 90, "horizon_days": 365,
             "exit_reasons": [f"reason_{i:06d}" for i in range(10_000)]}
    response = admin.post(RUNS, json={"model": model, "as_of": "2025-06-30"})
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "(64 KB) are accepted" in response.get_json()["message"]


@pytest.mark.parametrize("where", ["yaml", "object"])
def test_a_cpr_number_in_a_model_is_a_400_that_does_not_repeat_it(admin, where):
    text = MODEL.format(model_id="cpr") + "exit_reasons: [goal_achieved, '010190\u20131234']\n"
    model = text if where == "yaml" else {**yaml_fields(text)}
    response = admin.post(RUNS, json={"model": model, "as_of": "2025-06-30"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "model.exit_reasons: looks like a CPR number"


def yaml_fields(text: str) -> dict:
    import yaml

    return yaml.safe_load(text)


def test_a_long_unknown_field_name_is_not_echoed(admin):
    response = admin.post(RUNS, json={"model": MODEL.format(model_id="x"), "as_of": "2025-06-30", "k" * 100_000: 1})
    assert response.status_code == 400
    assert len(response.get_json()["message"]) < 100 and response.get_json()["message"].endswith(": unknown field")


def test_deeply_nested_json_is_a_400(admin):
    body = '{"model": ' + "[" * 100_000 + "]" * 100_000 + ', "as_of": "2025-06-30"}'
    response = admin.post(RUNS, data=body, content_type="application/json")
    assert response.status_code in (400, 413), response.get_data(as_text=True)[:300]
    # Deep enough for the YAML writer to give up, shallow enough for the JSON reader.
    body = '{"model": {"model_id": "x", "exit_reasons": ' + "[" * 900 + "]" * 900 + '}, "as_of": "2025-06-30"}'
    response = admin.post(RUNS, data=body, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


# --- GET /runs with any mix of runs, on both engines -----------------------------------


@pytest.fixture
def ledger(sup, db_url, tmp_path):
    """The API pointed at a fresh warehouse (DuckDB file or PostgreSQL schema) holding the
    hand-made data set and no runs; pointed back afterwards."""
    from socialbench import schema, warehouse

    engine = warehouse.create_engine(db_url)
    schema.init(engine)
    inprocess_superset.load_data_set(engine, tmp_path / "csv")
    engine.dispose()
    before = sup.app.config["SOCIALBENCH_DB"]
    sup.app.config["SOCIALBENCH_DB"] = db_url
    try:
        yield db_url
    finally:
        sup.app.config["SOCIALBENCH_DB"] = before
        forget_engines([db_url])


def forget_engines(urls) -> None:
    """Dispose of the API's cached engines of these warehouses (after pointing it back)."""
    from superset_plugins import settings

    for key in [k for k in settings._ENGINES if k[0] in urls]:
        settings._ENGINES.pop(key).dispose()


def test_get_runs_on_an_empty_ledger(admin, ledger):
    response = admin.get(RUNS)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["result"] == [] and response.get_json()["count"] == 0


def test_get_runs_with_an_approved_and_a_draft_run(admin, ledger):
    first = draft(admin, "mix", as_of="2025-05-31")
    assert first.status_code == 201, first.get_data(as_text=True)
    first_id = first.get_json()["result"]["run_id"]
    assert admin.post(f"{RUNS}/{first_id}/approve").status_code == 200
    second = draft(admin, "mix", as_of="2025-06-30")
    assert second.status_code == 201, second.get_data(as_text=True)

    response = admin.get(RUNS)
    assert response.status_code == 200, response.get_data(as_text=True)
    found = {r["run_id"]: r for r in response.get_json()["result"]}
    assert response.get_json()["count"] == 2 and set(found) == {first_id, second.get_json()["result"]["run_id"]}
    approved, drafted = found[first_id], found[second.get_json()["result"]["run_id"]]
    assert (approved["status"], approved["as_of"], drafted["status"], drafted["as_of"]) == ("approved", "2025-05-31", "draft", "2025-06-30")
    assert approved["approved_at"] is not None and drafted["approved_at"] is None
    # As of 31 May: G1 qualified on 1 May (Feb..May = 28 + 31 + 30 + 31 days of 400 saved),
    # G2 on 29 May (Mar..May = 31 + 30 + 31 days of 300); the share is 0.5.
    paid_may = Decimal("0.5") * ((28 + 31 + 30 + 31) * 400 + (31 + 30 + 31) * 300)
    assert Decimal(approved["total_payout_dkk"]) == paid_may
    assert Decimal(drafted["total_payout_dkk"]) == G1_PAYOUT + G2_PAYOUT - paid_may  # earned to June less paid
    assert all("model_yaml" not in r for r in found.values())
    one = admin.get(f"{RUNS}/{first_id}").get_json()["result"]
    assert one["model_yaml"] == MODEL.format(model_id="mix")


def test_get_runs_with_only_an_approved_run(admin, ledger):
    run_id = draft(admin, "only-approved").get_json()["result"]["run_id"]
    assert admin.post(f"{RUNS}/{run_id}/approve").status_code == 200
    [run] = admin.get(RUNS).get_json()["result"]
    assert run["status"] == "approved" and Decimal(run["total_payout_dkk"]) == G1_PAYOUT + G2_PAYOUT


@pytest.mark.parametrize("as_of", ["2030-12-31", "9999-12-31"])
def test_a_run_as_of_a_future_date_is_a_400_and_stores_nothing(admin, as_of):
    before = admin.get(RUNS).get_json()["count"]
    response = draft(admin, "api-future", as_of=as_of)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["message"].startswith(f"as-of date: {as_of} is after ")
    assert admin.get(RUNS).get_json()["count"] == before
