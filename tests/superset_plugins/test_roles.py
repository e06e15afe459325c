"""Row-level security per municipality, checked through Superset's own chart data API."""
from __future__ import annotations

import pytest

from superset_plugins import roles
from tests.superset_plugins import inprocess_superset

pytestmark = pytest.mark.superset

# The views of the dashboard "Sagsbehandling og tilgang": each has municipality_code.
CASE_VIEWS = (
    "case_caseworker_load", "case_funnel", "case_immediate_effort", "case_inflow",
    "case_investigation_deadline", "case_occupancy", "case_own_home_share",
    "case_caseworker_load_stored", "case_occupancy_stored", "case_own_home_share_stored",
)
# The tables of the dashboard "Budgetopfølgning": municipality rows, and citizen rows in
# fc_grant_month and fc_expensive_cases; each has municipality_code.
FORECAST_TABLES = ("fc_expensive_cases", "fc_forecast", "fc_grant_month", "fc_month")

def test_restriction_by_municipality_code_or_by_grant():
    assert roles.restriction(101, ["municipality_code", "year"]) == ("municipality_code", "municipality_code = 101")
    assert roles.restriction(147, ["grant_id", "assessed_on"]) == (
        "grant_id",
        "grant_id in (select grant_id from grants where municipality_code = 147)",
    )
    assert roles.restriction(101, ["provider_id", "provider_name"]) is None
    assert roles.restriction(101, ["run_id", "model_id", "total_payout_dkk"], "settlement_run") == ("national totals", "1 = 0")
    assert roles.restriction(101, ["approval_no", "run_id", "inputs_gz"], "settlement_approval") == ("approval ledger", "1 = 0")
    assert roles.restriction(101, ["run_id", "municipality_code"], "settlement_run_municipality") == (
        "municipality_code", "municipality_code = 101",
    )


def test_benchmarks_and_public_statistics_stay_open():
    assert roles.is_open("bm_cost_per_child") and roles.is_open("bm_peer") and roles.is_open("expenditure")
    assert not roles.is_open("grants") and not roles.is_open("settlement_line") and not roles.is_open("cockpit_grant_month")


@pytest.fixture(scope="module")
def sup():
    sup = inprocess_superset.superset()
    with sup.app.app_context():
        from superset import db, security_manager
        from superset.connectors.sqla.models import SqlaTable
        from superset.models.core import Database

        database = db.session.get(Database, sup.database_id)
        # national and per-municipality run totals, and the case views
        for name in ("settlement_run", "settlement_run_municipality", *CASE_VIEWS, *FORECAST_TABLES):
            if db.session.query(SqlaTable).filter_by(table_name=name).one_or_none() is None:
                table = SqlaTable(table_name=name, database=database, schema="main")
                db.session.add(table)
                db.session.commit()
                table.fetch_metadata()
                db.session.commit()
        result = sup.app.test_cli_runner().invoke(args=["socialbench-roles", "--municipality", "101", "--municipality", "147"])
        assert result.exit_code == 0, result.output
        readers = security_manager.add_role("Grant readers")
        for table in db.session.query(SqlaTable).all():
            security_manager.add_permission_role(
                readers, security_manager.find_permission_view_menu("datasource_access", table.perm)
            )
        db.session.commit()
        inprocess_superset.add_user("kbh", "Gamma", "Grant readers", "Kommune 101 København")
        inprocess_superset.add_user("kbh_fbg", "Gamma", "Grant readers", "Kommune 101 København", "Kommune 147 Frederiksberg")
    return sup


def rows(sup, username: str, dataset: str, *columns: str) -> list:
    """The rows of a dataset as the user sees them (chart data API): values, or tuples."""
    from superset import db
    from superset.connectors.sqla.models import SqlaTable

    with sup.app.app_context():
        table_id = db.session.query(SqlaTable).filter_by(table_name=dataset).one().id
    client = inprocess_superset.Client(sup.app, username)
    response = client.post(
        "/api/v1/chart/data",
        json={
            "datasource": {"id": table_id, "type": "table"},
            "queries": [
                {"columns": list(columns), "metrics": [], "orderby": [[c, True] for c in columns], "row_limit": 1000}
            ],
            "result_format": "json",
            "result_type": "full",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()["result"][0]["data"]
    return [tuple(row[c] for c in columns) if len(columns) > 1 else row[columns[0]] for row in data]


def test_roles_and_filters_exist_for_each_municipality(sup):
    from superset import db, security_manager
    from superset.connectors.sqla.models import RowLevelSecurityFilter

    with sup.app.app_context():
        role = security_manager.find_role("Kommune 101 København")
        filters = db.session.query(RowLevelSecurityFilter).filter(RowLevelSecurityFilter.roles.contains(role)).all()
        by_clause = {f.clause: sorted(t.table_name for t in f.tables) for f in filters}
        assert by_clause == {
            "municipality_code = 101": sorted(
                ["grants", "settlement_line", "settlement_run_municipality", *CASE_VIEWS, *FORECAST_TABLES]
            ),
            "grant_id in (select grant_id from grants where municipality_code = 101)": ["assessments"],
            "1 = 0": ["settlement_run"],
        }
        assert {str(f.filter_type) for f in filters} == {"Regular"}
        assert security_manager.find_role("Kommune 147 Frederiksberg") is not None


def test_running_again_changes_nothing(sup):
    from superset import db
    from superset.connectors.sqla.models import RowLevelSecurityFilter

    with sup.app.app_context():
        before = sorted((f.name, f.clause, len(f.tables), len(f.roles)) for f in db.session.query(RowLevelSecurityFilter))
        roles.municipality_roles([101, 147])
        after = sorted((f.name, f.clause, len(f.tables), len(f.roles)) for f in db.session.query(RowLevelSecurityFilter))
    assert after == before and len(before) == 6  # 2 municipalities x (by code, by grant, national totals)


def test_a_municipality_user_sees_only_its_own_grants(sup):
    # grants: G1 and G3 in 101 (København), G2 in 147 (Frederiksberg)
    assert rows(sup, "kbh", "grants", "grant_id") == ["G1", "G3"]
    assert rows(sup, "admin", "grants", "grant_id") == ["G1", "G2", "G3"]


def test_assessments_are_filtered_through_their_grant(sup):
    # G1 has 3 assessments, G3 has 1; G2's 2 are Frederiksberg's
    assert [g for g, _ in rows(sup, "kbh", "assessments", "grant_id", "assessed_on")] == ["G1", "G1", "G1", "G3"]


def test_every_case_dataset_of_the_bundle_is_restricted_by_municipality_code():
    from superset_plugins.bundle import dataset_column_names, load_assets

    case_datasets = {t: s for t, s in load_assets().datasets.items() if t.startswith("case_")}
    assert sorted(case_datasets) == sorted(CASE_VIEWS)
    for table, spec in case_datasets.items():
        assert not roles.is_open(table), table
        assert roles.restriction(101, dataset_column_names(spec), table) == ("municipality_code", "municipality_code = 101")


def test_every_forecast_dataset_of_the_bundle_is_restricted_by_municipality_code():
    from superset_plugins.bundle import dataset_column_names, load_assets

    forecast_datasets = {t: s for t, s in load_assets().datasets.items() if t.startswith("fc_")}
    assert sorted(forecast_datasets) == sorted(FORECAST_TABLES)
    for table, spec in forecast_datasets.items():
        assert not roles.is_open(table), table
        assert roles.restriction(101, dataset_column_names(spec), table) == ("municipality_code", "municipality_code = 101")


def test_a_municipality_user_sees_only_its_own_cases(sup):
    # cases: C1 (adults, February) and C2 (children, March) in 101, C3 (adults, February) in 147
    assert rows(sup, "kbh", "case_inflow", "municipality_code", "area", "source") == [
        (101, "adults", "own_application"), (101, "children", "school_daycare"),
    ]
    assert rows(sup, "admin", "case_inflow", "municipality_code", "source") == [
        (101, "own_application"), (101, "school_daycare"), (147, "relatives"),
    ]
    assert rows(sup, "kbh", "case_funnel", "municipality_code", "area", "cases_received") == [
        (101, "adults", 1), (101, "children", 1),
    ]
    # C3 is 147's immediate-effort case: 101's users see no row of the view
    assert rows(sup, "kbh", "case_immediate_effort", "municipality_code") == []
    assert rows(sup, "admin", "case_immediate_effort", "municipality_code", "immediate_effort_cases") == [(147, 1)]


@pytest.fixture(scope="module")
def forecast(sup):
    """The forecast tables written as of 2025-06-30 from the hand-made grants."""
    import datetime as dt

    from socialbench import warehouse
    from socialbench.forecast.store import write_forecast

    engine = warehouse.create_engine(sup.warehouse_url)
    try:
        with engine.begin() as conn:
            write_forecast(conn, as_of=dt.date(2025, 6, 30))
    finally:
        engine.dispose()


# As of 2025-06-30 (SEL85 rates: level 3 = 1,000, 2 = 600, 1 = 300 kr. a day), each grant open:
# borger-a (G1, 101): to date 31 x 1,000 + (28 + 31 + 30 + 31) x 600 + 30 x 300, committed 184 x 300;
# borger-c (G3, 101, from 1 April): 91 x 600 to date, committed 184 x 600; borger-b (G2) is 147's.
GROSS_A = 31 * 1000 + (28 + 31 + 30 + 31) * 600 + 30 * 300 + 184 * 300
GROSS_C = 91 * 600 + 184 * 600


def test_a_municipality_user_sees_only_its_own_forecast_and_citizens(sup, forecast):
    assert sorted(set(rows(sup, "kbh", "fc_grant_month", "grant_id"))) == ["G1", "G3"]
    assert sorted(set(rows(sup, "admin", "fc_grant_month", "grant_id"))) == ["G1", "G2", "G3"]
    own = rows(sup, "kbh", "fc_expensive_cases", "municipality_code", "citizen_key", "gross_cost_dkk", "refund_dkk")
    assert own == [(101, "borger-a", GROSS_A, 0), (101, "borger-c", GROSS_C, 0)]
    everyone = rows(sup, "admin", "fc_expensive_cases", "municipality_code", "citizen_key")
    assert everyone == [(101, "borger-a"), (101, "borger-c"), (147, "borger-b")]
    assert rows(sup, "kbh", "fc_forecast", "municipality_code", "intervention_code") == [(101, "SEL85")]
    assert rows(sup, "kbh_fbg", "fc_forecast", "municipality_code", "intervention_code") == [(101, "SEL85"), (147, "SEL85")]
    assert set(rows(sup, "kbh", "fc_month", "municipality_code")) == {101}
    assert set(rows(sup, "admin", "fc_month", "municipality_code")) == {101, 147}


def test_a_user_of_two_municipalities_sees_both(sup):
    assert rows(sup, "kbh_fbg", "grants", "grant_id") == ["G1", "G2", "G3"]


def test_a_municipality_user_sees_only_its_own_settlement_lines(sup):
    import datetime as dt

    from incentive_models.model import parse_model
    from incentive_models.runs import create_draft
    from socialbench import warehouse

    model = "model_id: rls\ninterventions: [SEL85]\nshare: 0.5\nqualifying_days: 90\nhorizon_days: 365\n"
    engine = warehouse.create_engine(sup.warehouse_url)
    try:
        run_id = create_draft(engine, parse_model(model), dt.date(2025, 6, 30))
    finally:
        engine.dispose()
    lines = [line for line in rows(sup, "kbh", "settlement_line", "run_id", "grant_id") if line[0] == run_id]
    everything = [line for line in rows(sup, "admin", "settlement_line", "run_id", "grant_id") if line[0] == run_id]
    # G1 (101) and G2 (147) have episodes by 2025-06-30; G3 (101) has none
    assert [grant for _, grant in everything] == ["G1", "G2"]
    assert [grant for _, grant in lines] == ["G1"]


def test_benchmark_tables_stay_open_to_municipality_users(sup):
    # bm_peer holds rows of 101 (6) and of 147 (1)
    seen = rows(sup, "kbh", "bm_peer", "municipality_code", "year", "method", "peer_code")
    assert [code for code, *_ in seen] == [101] * 6 + [147]


def test_unknown_municipality_is_refused_by_the_command(sup):
    result = sup.app.test_cli_runner().invoke(args=["socialbench-roles", "--municipality", "998"])
    assert result.exit_code != 0
    assert "unknown municipality code(s): 998" in result.output


# --- run totals: national totals hidden, each municipality's own shown ------------------


@pytest.fixture(scope="module")
def totals_run(sup):
    import datetime as dt

    from incentive_models.model import parse_model
    from incentive_models.runs import create_draft
    from socialbench import warehouse

    model = "model_id: rls-totals\ninterventions: [SEL85]\nshare: 0.5\nqualifying_days: 90\nhorizon_days: 365\n"
    engine = warehouse.create_engine(sup.warehouse_url)
    try:
        return create_draft(engine, parse_model(model), dt.date(2025, 6, 30))
    finally:
        engine.dispose()


# Earned as of 2025-06-30 (rates SEL85: level 3 = 1,000, 2 = 600, 1 = 300; share 0.5), whatever
# other modules' runs have paid already: G1 (101): 0.5 x (120 x 400 + 30 x 700);
# G2 (147): 0.5 x (31 + 30 + 31 + 30) x 300; G3 (101): no episode.
EARNED_101 = 0.5 * (120 * 400 + 30 * 700)
EARNED_147 = 0.5 * (31 + 30 + 31 + 30) * 300


def test_a_municipality_user_sees_no_national_run_totals(sup, totals_run):
    assert rows(sup, "kbh", "settlement_run", "run_id", "total_earned_dkk") == []
    assert rows(sup, "kbh_fbg", "settlement_run", "run_id", "total_earned_dkk") == []
    national = dict(rows(sup, "admin", "settlement_run", "run_id", "total_earned_dkk"))
    assert national[totals_run] == EARNED_101 + EARNED_147


def test_a_municipality_user_sees_only_its_own_run_totals(sup, totals_run):
    columns = ("run_id", "municipality_code", "line_count", "total_earned_dkk")
    own = [r[1:] for r in rows(sup, "kbh", "settlement_run_municipality", *columns) if r[0] == totals_run]
    assert own == [(101, 1, EARNED_101)]
    assert {r[1] for r in rows(sup, "kbh", "settlement_run_municipality", *columns)} == {101}
    both = [r[1:] for r in rows(sup, "kbh_fbg", "settlement_run_municipality", *columns) if r[0] == totals_run]
    assert both == [(101, 1, EARNED_101), (147, 1, EARNED_147)]
    everything = [r[1:] for r in rows(sup, "admin", "settlement_run_municipality", *columns) if r[0] == totals_run]
    assert everything == both


# --- SQL Lab: bypasses row-level security, so municipality users have none ------------


def sql_lab(sup, username: str, sql: str):
    client = inprocess_superset.Client(sup.app, username)
    return client.post(
        "/api/v1/sqllab/execute/",
        json={"database_id": sup.database_id, "sql": sql, "runAsync": False, "schema": "main"},
    )


def test_a_municipality_user_cannot_run_sql(sup):
    refused = sql_lab(sup, "kbh", "select grant_id from grants")
    assert refused.status_code == 403, refused.get_data(as_text=True)[:300]
    assert "G2" not in refused.get_data(as_text=True)
    # The same request works for a user with SQL Lab: the refusal is the permission.
    allowed = sql_lab(sup, "admin", "select grant_id from grants order by grant_id")
    assert allowed.status_code == 200, allowed.get_data(as_text=True)[:300]
    assert [r["grant_id"] for r in allowed.get_json()["data"]] == ["G1", "G2", "G3"]


def test_kommune_roles_carry_no_sql_lab_permission_and_a_rerun_takes_one_away(sup):
    from superset import db, security_manager

    with sup.app.app_context():
        role = security_manager.find_role("Kommune 101 København")
        assert roles.sql_lab_permissions(role) == []
        assert {(p.permission.name, p.view_menu.name) for p in role.permissions} == set()
        security_manager.add_permission_role(role, security_manager.find_permission_view_menu("can_execute_sql_query", "SQLLab"))
        security_manager.add_permission_role(role, security_manager.find_permission_view_menu("menu_access", "SQL Lab"))
        db.session.commit()
    # The hole this closes: with SQL Lab the user runs SQL; RLS_IN_SQLLAB (on by the import
    # line) still filters the grants dataset, but not tables or views without a dataset.
    opened = sql_lab(sup, "kbh", "select grant_id from grants order by grant_id")
    assert opened.status_code == 200, opened.get_data(as_text=True)[:300]
    assert [r["grant_id"] for r in opened.get_json()["data"]] == ["G1", "G3"]
    result = sup.app.test_cli_runner().invoke(args=["socialbench-roles", "--municipality", "101"])
    assert result.exit_code == 0, result.output
    assert (
        "Kommune 101 København: removed SQL Lab permissions (SQL Lab bypasses row-level security): "
        "can_execute_sql_query on SQLLab, menu_access on SQL Lab"
    ) in result.output
    with sup.app.app_context():
        assert roles.sql_lab_permissions(security_manager.find_role("Kommune 101 København")) == []
    assert sql_lab(sup, "kbh", "select grant_id from grants").status_code == 403
