"""The Jinja macros, rendered by Superset's own template processor and run on the warehouse."""
from __future__ import annotations

from decimal import Decimal

import pytest

from socialbench import warehouse
from tests.superset_plugins import inprocess_superset

pytestmark = pytest.mark.superset

@pytest.fixture(scope="module")
def sup():
    return inprocess_superset.superset()


@pytest.fixture(scope="module")
def render(sup):
    """Render SQL with Superset's template processor for the socialbench database."""
    from superset import db
    from superset.jinja_context import get_template_processor
    from superset.models.core import Database

    def render(sql: str) -> str:
        with sup.app.app_context():
            database = db.session.get(Database, sup.database_id)
            return get_template_processor(database=database).process_template(sql)

    return render


def run(sup, sql: str) -> list[tuple]:
    engine = warehouse.create_engine(sup.warehouse_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in warehouse.read_frame(conn, sql).itertuples(index=False)]
    finally:
        engine.dispose()


def template_error(render, sql: str) -> str:
    from superset.exceptions import SupersetTemplateException

    with pytest.raises(SupersetTemplateException) as caught:
        render(sql)
    return str(caught.value)


def test_peers_of_a_year_are_a_literal_list_ordered_by_code(sup, render):
    sql = render("select municipality_code from municipality where municipality_code in {{ socialbench_peers(101, 2024) }}")
    assert sql.endswith("in (147, 151, 153)")
    assert sorted(code for (code,) in run(sup, sql)) == [147, 151, 153]


def test_peers_default_to_the_latest_year_and_method_nearest(render):
    assert render("{{ socialbench_peers(101) }}") == "(157, 159)"
    assert render("{{ socialbench_peers('101', method='dst_group') }}") == "(165)"


def test_no_peers_is_a_clear_error_not_empty_sql(render):
    message = template_error(render, "{{ socialbench_peers(999, 2024) }}")
    assert "no peers for municipality 999 in 2024" in message


@pytest.fixture
def app_context(sup):
    with sup.app.app_context():
        yield


@pytest.mark.parametrize("bad", ["1); drop table x; --", "101 or 1=1", "1e3", "", None, True, 1.5])
def test_peers_reject_a_code_that_is_not_a_whole_number(app_context, bad):
    from superset.exceptions import SupersetTemplateException

    from superset_plugins.jinja_macros import socialbench_peers

    with pytest.raises(SupersetTemplateException, match="municipality_code must be a whole number"):
        socialbench_peers(bad)


@pytest.mark.parametrize("bad", ["2024); drop table x; --", "2024 or 1=1", True, 20.24])
def test_peers_reject_a_year_that_is_not_a_whole_number(app_context, bad):
    from superset.exceptions import SupersetTemplateException

    from superset_plugins.jinja_macros import socialbench_peers

    with pytest.raises(SupersetTemplateException, match="year must be a whole number"):
        socialbench_peers(101, bad)


def test_injection_through_the_template_is_refused(sup, render):
    message = template_error(render, "select 1 where 1 in {{ socialbench_peers('1); drop table grants; --') }}")
    assert "municipality_code must be a whole number" in message
    message = template_error(render, "{{ socialbench_peers(101, method=\"nearest' or '1'='1\") }}")
    assert "method must be one of nearest, dst_group" in message
    message = template_error(render, "select {{ socialbench_fixed_price('amount_dkk); drop table grants; --') }}")
    assert "expr must be a column name" in message
    message = template_error(render, "select {{ socialbench_fixed_price('amount_dkk', 'year; delete from grants') }}")
    assert "year_expr must be a column name" in message
    assert run(sup, "select count(*) from grants") == [(3,)]  # nothing was run


def test_fixed_price_converts_to_the_latest_year_of_the_index(sup, render):
    sql = render(
        "select year, {{ socialbench_fixed_price('e.amount_dkk', 'e.year') }} as fixed_dkk "
        "from expenditure as e order by year"
    )
    rows = {year: Decimal(str(value)).quantize(Decimal("0.01")) for year, value in run(sup, sql)}
    # price index 2023: 95, 2024: 98, 2025: 100 (base year = latest = 2025)
    assert rows == {
        2023: Decimal(950_000 * 100 / 95).quantize(Decimal("0.01")),
        2024: Decimal(490_000 * 100 / 98).quantize(Decimal("0.01")),
        2025: Decimal(700_000 * 100 / 100).quantize(Decimal("0.01")),
    }


def test_fixed_price_with_another_base_year(sup, render):
    sql = render("select {{ socialbench_fixed_price('amount_dkk', 'year', base_year=2024) }} from expenditure where year = 2025")
    assert Decimal(str(run(sup, sql)[0][0])).quantize(Decimal("0.01")) == Decimal(700_000 * 98 / 100).quantize(Decimal("0.01"))
    message = template_error(render, "{{ socialbench_fixed_price('amount_dkk', 'year', base_year=1999) }}")
    assert "base_year 1999 is not in the price index (2023-2025)" in message


def test_base_year_is_the_latest_index_year(render):
    assert render("{{ socialbench_base_year() }}") == "2025"


def test_macros_run_in_sql_lab_although_the_user_set_own_feature_flags(sup):
    """The test config sets FEATURE_FLAGS itself after the import line: templates stay on."""
    admin = inprocess_superset.Client(sup.app, "admin")
    response = admin.post(
        "/api/v1/sqllab/execute/",
        json={
            "database_id": sup.database_id,
            "sql": "select municipality_code from municipality "
            "where municipality_code in {{ socialbench_peers(101, 2024) }} order by municipality_code",
            "runAsync": False,
            "schema": "main",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [row["municipality_code"] for row in response.get_json()["data"]] == [147, 151, 153]


@pytest.fixture
def macros_on(sup, engine, db_url, tmp_path):
    """The macros reading another warehouse (each engine of tests/conftest.py) with the data set."""
    from superset_plugins import settings as plugin_settings

    inprocess_superset.load_data_set(engine, tmp_path / "csv")
    with sup.app.app_context():
        saved = sup.app.config["SOCIALBENCH_DB"]
        sup.app.config["SOCIALBENCH_DB"] = db_url
        try:
            yield engine
        finally:
            sup.app.config["SOCIALBENCH_DB"] = saved
            for key in [k for k in plugin_settings._ENGINES if k[0] == db_url]:
                plugin_settings._ENGINES.pop(key).dispose()


def test_macros_give_the_same_sql_results_on_each_engine(macros_on):
    from superset_plugins.jinja_macros import socialbench_fixed_price, socialbench_peers

    peers = socialbench_peers(101, 2024)
    fixed = socialbench_fixed_price("e.amount_dkk", "e.year", base_year=2024)
    with macros_on.connect() as conn:
        codes = warehouse.read_frame(
            conn, f"select municipality_code from municipality where municipality_code in {peers} order by 1"
        )
        amounts = warehouse.read_frame(conn, f"select e.year, {fixed} as fixed_dkk from expenditure as e order by 1")
    assert list(codes["municipality_code"]) == [147, 151, 153]
    got = {int(y): Decimal(str(v)).quantize(Decimal("0.01")) for y, v in amounts.values}
    # base year 2024 (index 98): 2023 index 95, 2025 index 100
    assert got == {
        2023: (Decimal(950_000) * 98 / 95).quantize(Decimal("0.01")),
        2024: Decimal("490000.00"),
        2025: (Decimal(700_000) * 98 / 100).quantize(Decimal("0.01")),
    }
