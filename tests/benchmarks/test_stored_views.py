"""The cockpit and case-work views stored at refresh (benchmarks.refresh.STORED_VIEWS) on
both engines: after `refresh` each `<view>_stored` table holds exactly the view's rows,
value for value (on the hand-made data set and on the demo data), and follows the data at
the next refresh; its documentation, DDL, Superset dataset and row-level security are the
view's."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from benchmarks.refresh import STORED_VIEWS, refresh, store_views
from socialbench import demo_data, schema, warehouse
from tests.conftest import ENGINES, empty_warehouse_url
from tests.sql import dataset, dbt_tests

TABLE_DOCS = schema.docs("tables")
VIEW_DOCS = schema.docs("views")
# The case-work views of the dashboard "Sagsbehandling og tilgang" stored at refresh
# (migration 013); the others are the cockpit's (migration 006).
CASE_TABLES = ("case_own_home_share_stored", "case_occupancy_stored", "case_caseworker_load_stored")


def rows(engine, relation: str) -> list[tuple]:
    """Every row of the relation, its columns in the view's order, sorted (NULLs first)."""
    columns = [c["name"] for c in VIEW_DOCS[STORED_VIEWS.get(relation, relation)]["columns"]]
    with engine.connect() as conn:
        found = conn.execute(sa.text(f"select {', '.join(columns)} from {relation}")).fetchall()
    return sorted((tuple(row) for row in found), key=lambda row: [(v is not None, v) for v in row])


def count(engine, relation: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {relation}")).scalar_one()


@pytest.fixture
def refreshed(engine):
    """The hand-made data set of tests/sql/dataset.py, loaded and refreshed."""
    dataset.load(engine)
    refresh(engine)
    return engine


def test_each_stored_table_holds_exactly_its_views_rows(refreshed):
    for table, view in STORED_VIEWS.items():
        assert count(refreshed, view) > 0, view
        assert rows(refreshed, table) == rows(refreshed, view), table


def test_the_refresh_reports_the_stored_rows(engine):
    dataset.load(engine)
    result = refresh(engine)
    for table, view in STORED_VIEWS.items():
        assert result["rows"][table] == count(engine, view), table
    assert set(result["seconds"]) == {"benchmarks", "stored_views", "forecast"}


def test_a_load_shows_on_the_dashboards_after_the_next_refresh(refreshed):
    """Stored rows are those of the last refresh: a new grant is in the view at once and in
    the stored table after the refresh that follows a load (rows replaced, not added)."""
    before = {table: count(refreshed, table) for table in STORED_VIEWS}
    grant = ("G9", "C9", 147, "P1", "SEL85", date(2024, 5, 1), None, None)
    with refreshed.begin() as conn:
        conn.execute(
            sa.text("insert into grants (grant_id, citizen_key, municipality_code, provider_id, intervention_code,"
                    " start_date, end_date, end_reason) values (:g, :c, :m, :p, :i, :s, :e, :r)"),
            dict(zip("gcmpisre", grant)),
        )
        conn.execute(sa.text("insert into assessments values ('G9', date '2024-05-01', 2)"))
    assert rows(refreshed, "cockpit_grant_duration") != rows(refreshed, "cockpit_grant_duration_stored")
    assert {table: count(refreshed, table) for table in STORED_VIEWS} == before
    refresh(refreshed)
    for table, view in STORED_VIEWS.items():
        assert rows(refreshed, table) == rows(refreshed, view), table
    assert count(refreshed, "cockpit_grant_duration_stored") == before["cockpit_grant_duration_stored"] + 1
    # 147 § 85 had one citizen, C4 (G5: level 2, then 1: down); C9 is the second, assessed
    # once: unchanged. G9 runs from 1 May to the reference date 31 May 2024: 31 days, and it
    # is the one grant active at the end of May.
    with refreshed.connect() as conn:
        need = conn.execute(
            sa.text(
                "select citizens_assessed, citizens_need_down, citizens_need_unchanged, citizens_need_up,"
                " share_need_down from cockpit_support_need_stored"
                " where municipality_code = 147 and intervention_code = 'SEL85'"
            )
        ).one()
        may = conn.execute(
            sa.text(
                "select active_grants_end_of_month, inflow_grants, outflow_grants from cockpit_grant_month_stored"
                " where municipality_code = 147 and intervention_code = 'SEL85' and month_start = date '2024-05-01'"
            )
        ).one()
        days = conn.execute(
            sa.text("select duration_days from cockpit_grant_duration_stored where grant_id = 'G9'")
        ).scalar_one()
    assert tuple(need) == (2, 1, 1, 0, 0.5)
    assert tuple(may) == (1, 1, 0)
    assert days == 31


def test_a_load_shows_in_the_stored_case_figures_after_the_next_refresh(refreshed):
    """The case-work tables follow the data at the next refresh too: a new § 108 grant at
    København's own provider P1 (10 to 31 May 2024, the reference month) and a new case of
    Frederiksberg's caseworker W3 (received 2 May, open) change the views at once and the
    stored tables only after the refresh."""
    before = {table: rows(refreshed, table) for table in CASE_TABLES}
    with refreshed.begin() as conn:
        conn.execute(
            sa.text("insert into grants (grant_id, citizen_key, municipality_code, provider_id, intervention_code,"
                    " start_date, end_date, end_reason) values ('G10', 'C10', 101, 'P1', 'SEL108',"
                    " date '2024-05-10', null, null)")
        )
        conn.execute(
            sa.text("insert into cases (case_id, citizen_key, municipality_code, area, received_on, source,"
                    " decided_on, decision, immediate_effort, closed_on, caseworker_id) values ('K8', 'C11', 147,"
                    " 'adults', date '2024-05-02', 'own_application', null, null, false, null, 'W3')")
        )
    for table in CASE_TABLES:
        assert rows(refreshed, STORED_VIEWS[table]) != before[table], table
        assert rows(refreshed, table) == before[table], table
    refresh(refreshed)
    for table in CASE_TABLES:
        assert rows(refreshed, table) == rows(refreshed, STORED_VIEWS[table]), table
    with refreshed.connect() as conn:
        home = conn.execute(
            sa.text("select citizens_own_home, citizens_housing, own_home_share from case_own_home_share_stored"
                    " where municipality_code = 101 and month_end = date '2024-05-31'")
        ).one()
        occupancy = conn.execute(
            sa.text("select municipality_code, places, place_days, occupied_days, occupancy, empty_places"
                    " from case_occupancy_stored where provider_id = 'P1' and intervention_code = 'SEL108'"
                    " and month = date '2024-05-01'")
        ).one()
        load = conn.execute(
            sa.text("select open_cases, caseworker_fte, cases_per_fte from case_caseworker_load_stored"
                    " where municipality_code = 147 and team = 'Voksne' and month_end = date '2024-05-31'")
        ).one()
    # 101 in May: C1 (G4) and C2 (G2) in housing, now also C10.
    assert tuple(home) == (0, 3, 0.0)
    # P1 has 2 places in May (62 place days); G2 and G4 fill them all month (62 days), G10
    # adds 22 days: overfull, so occupancy above 1 and negative empty places.
    assert tuple(occupancy[:4]) == (101, 2, 62, 84)
    assert occupancy[4] == pytest.approx(84 / 62) and occupancy[5] == pytest.approx(-22 / 31)
    # Voksne (W3, 0.8 FTE) at the end of May: K6 and now K8 open.
    assert (load[0], float(load[1]), load[2]) == (2, 0.8, pytest.approx(2.5))


def test_the_stored_case_tables_keep_the_views_empty_figures(refreshed):
    """Rows whose ratio is empty (NULL) are stored as such, not dropped or made 0:
    Frederiksberg's own-home share after its one § 85 grant ended (April and May 2024)."""
    with refreshed.connect() as conn:
        empty = conn.execute(
            sa.text("select municipality_code, month_end, citizens_own_home, citizens_housing"
                    " from case_own_home_share_stored where own_home_share is null order by month_end")
        ).fetchall()
    assert [tuple(row) for row in empty] == [(147, date(2024, 4, 30), 0, 0), (147, date(2024, 5, 31), 0, 0)]
    assert count(refreshed, "case_occupancy_stored") == 5
    assert count(refreshed, "case_caseworker_load_stored") == 13


@pytest.fixture(scope="module", params=ENGINES)
def demo(request, tmp_path_factory):
    """The synthetic demo data set (default seed) on each engine, with the stored tables
    filled as refresh fills them."""
    with empty_warehouse_url(request.param, tmp_path_factory.mktemp("demo")) as url:
        engine = warehouse.create_engine(url)
        schema.init(engine)
        demo_data.load(engine)
        with engine.begin() as conn:
            store_views(conn)
        yield engine
        engine.dispose()


def test_each_stored_table_holds_exactly_its_views_rows_on_the_demo_data(demo):
    """Thousands of rows per table, all 98 municipalities, every column type (dates,
    decimals, empty ratios): still the view's rows, value for value."""
    for table, view in STORED_VIEWS.items():
        assert rows(demo, table) == rows(demo, view), table
    for table in CASE_TABLES:
        assert count(demo, table) > 1000, table


def test_stored_tables_are_documented_as_their_views(engine):
    with engine.connect() as conn:
        for table, view in STORED_VIEWS.items():
            doc, view_doc = TABLE_DOCS[table], VIEW_DOCS[view]
            assert doc["columns"] == view_doc["columns"], table
            assert doc.get("tests") == view_doc.get("tests"), table
            assert warehouse.table_columns(conn, table) == [c["name"] for c in view_doc["columns"]], table
            returned = list(conn.execute(sa.text(f"select * from {view} where 1 = 0")).keys())
            assert warehouse.table_columns(conn, table) == returned, table


def test_documented_data_tests_hold_on_the_stored_tables(refreshed):
    with refreshed.connect() as conn:
        failures = [f for table in STORED_VIEWS for f in dbt_tests.failing(conn, TABLE_DOCS[table])]
    assert failures == []


@pytest.mark.parametrize("version", [6, 13])
def test_the_migration_runs_again_without_harm(refreshed, version):
    """006 and 013 are idempotent (`create table if not exists`): replayed on a refreshed
    warehouse they neither fail nor touch the stored rows."""
    (migration,) = [m for m in schema.migrations() if m.version == version]
    before = {table: rows(refreshed, table) for table in STORED_VIEWS}
    with refreshed.begin() as conn:
        for statement in schema.split_statements(migration.sql_for(warehouse.dialect(conn))):
            conn.execute(sa.text(statement))
    assert {table: rows(refreshed, table) for table in STORED_VIEWS} == before


def test_the_charts_read_the_stored_tables_with_the_views_metrics():
    from superset_plugins.bundle import load_assets

    assets = load_assets()
    for table, view in STORED_VIEWS.items():
        stored, live = assets.datasets[table], assets.datasets[view]
        assert stored["metrics"] == live["metrics"], table
        assert {k: v for k, v in stored.items() if k not in ("table", "docs")} == {
            k: v for k, v in live.items() if k not in ("table", "docs")
        }, table
    used = {c["dataset"] for d in assets.dashboards for c in d["charts"]}
    assert used & set(STORED_VIEWS.values()) == set()
    assert set(STORED_VIEWS) <= used


def test_row_level_security_covers_the_stored_tables():
    from superset_plugins import roles

    for table, view in STORED_VIEWS.items():
        columns = [c["name"] for c in TABLE_DOCS[table]["columns"]]
        assert not roles.is_open(table)
        assert roles.restriction(101, columns, table) == ("municipality_code", "municipality_code = 101")
