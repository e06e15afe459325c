"""Row-level security per municipality, checked through Superset's own chart data API."""
from __future__ import annotations

import pytest

from superset_plugins import roles
from tests.superset_plugins import inprocess_superset

pytestmark = pytest.mark.superset

def test_restriction_by_municipality_code_or_by_grant():
    assert roles.restriction(101, ["municipality_code", "year"]) == ("municipality_code", "municipality_code = 101")
    assert roles.restriction(147, ["grant_id", "assessed_on"]) == (
        "grant_id",
        "grant_id in (select grant_id from grants where municipality_code = 147)",
    )
    assert roles.restriction(101, ["provider_id", "provider_name"]) is None


def test_benchmarks_and_public_statistics_stay_open():
    assert roles.is_open("bm_cost_per_child") and roles.is_open("bm_peer") and roles.is_open("expenditure")
    assert not roles.is_open("grants") and not roles.is_open("settlement_line") and not roles.is_open("cockpit_grant_month")


@pytest.fixture(scope="module")
def sup():
    sup = inprocess_superset.superset()
    with sup.app.app_context():
        from superset import db, security_manager
        from superset.connectors.sqla.models import SqlaTable

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
            "municipality_code = 101": ["grants", "settlement_line"],
            "grant_id in (select grant_id from grants where municipality_code = 101)": ["assessments"],
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
    assert after == before and len(before) == 4  # 2 municipalities x (by code, by grant)


def test_a_municipality_user_sees_only_its_own_grants(sup):
    # grants: G1 and G3 in 101 (København), G2 in 147 (Frederiksberg)
    assert rows(sup, "kbh", "grants", "grant_id") == ["G1", "G3"]
    assert rows(sup, "admin", "grants", "grant_id") == ["G1", "G2", "G3"]


def test_assessments_are_filtered_through_their_grant(sup):
    # G1 has 3 assessments, G3 has 1; G2's 2 are Frederiksberg's
    assert [g for g, _ in rows(sup, "kbh", "assessments", "grant_id", "assessed_on")] == ["G1", "G1", "G1", "G3"]


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
