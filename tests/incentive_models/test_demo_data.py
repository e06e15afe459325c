"""A settlement on the demo data's grants runs, and its statement opens (DuckDB only, once)."""
from __future__ import annotations

from decimal import Decimal
from importlib import resources

import pytest

from incentive_models import runs, statement
from socialbench import schema, warehouse


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    demo_data = pytest.importorskip("socialbench.demo_data")
    engine = warehouse.create_engine(f"duckdb:///{tmp_path_factory.mktemp('demo') / 'demo.duckdb'}")
    schema.init(engine)
    demo_data.load(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("name", ["bostoette-2025", "botilbud-108-2025"])
def test_shipped_model_settles_the_demo_grants(demo, name, tmp_path):
    model = runs.load_model(resources.files("incentive_models") / "models" / f"{name}.yml")
    first = runs.create_draft(demo, model, "2025-06-30")
    runs.approve(demo, first)
    second = runs.create_draft(demo, model, "2025-12-31")
    run = runs.get_run(demo, second)
    lines = runs.run_lines(demo, second)
    assert run["line_count"] == len(lines) > 0
    assert run["total_payout_dkk"] == sum(lines["payout_dkk"], Decimal(0)) > 0
    assert (lines["payout_dkk"] >= 0).all()
    assert (lines["previously_paid_dkk"] + lines["payout_dkk"] == lines["earned_dkk"] - lines["held_back_dkk"]).all()
    provider = lines.groupby("provider_id").size().idxmin()  # a small statement keeps the test fast
    for fmt in ("csv", "xlsx", "pdf"):
        path = statement.write_statement(demo, second, fmt, tmp_path / f"s.{fmt}", provider=provider)
        assert path.stat().st_size > 0
    assert (tmp_path / "s.pdf").read_bytes().startswith(b"%PDF")


def test_table_docs_match_the_tables_and_their_data_tests_hold(demo):
    import sqlalchemy as sa

    from tests.sql import dbt_tests

    model = runs.load_model(resources.files("incentive_models") / "models" / "bostoette-2025.yml")
    runs.approve(demo, runs.create_draft(demo, model, "2025-12-31"))
    docs = schema.docs("tables")
    with demo.connect() as conn:
        for name in ("settlement_run", "settlement_line", "settlement_approval", "settlement_scope"):
            returned = list(conn.execute(sa.text(f"select * from {name} where 1 = 0")).keys())
            assert [c["name"] for c in docs[name]["columns"]] == returned
            assert all(c["label"].strip() and c["description"].strip() for c in docs[name]["columns"])
            count = conn.execute(sa.text(f"select count(*) from {name}")).scalar_one()
            assert count > 0
            assert dbt_tests.failing(conn, docs[name]) == []
