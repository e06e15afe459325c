import re

import sqlalchemy as sa

from socialbench import schema, warehouse


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()


def test_init_seeds_reference_data(engine):
    assert count(engine, "municipality") == 98
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("select municipality_name, region_name, dst_municipality_group from municipality where municipality_code = 101")
        ).one()
        mapping = dict(conn.execute(sa.text("select function_code, intervention_code from account_function")).fetchall())
    assert tuple(row) == ("København", "Region Hovedstaden", 1)
    assert mapping["5.28.20"] == "BU_OPHOLDSSTED"
    assert mapping["5.38.38"] == "SEL85"
    assert mapping["5.38.50"] == "SEL108"
    assert mapping["5.38.42"] == "SEL109_110"
    assert mapping["5.28.25"] is None  # counts in the children total, no intervention


def test_init_twice_changes_nothing_and_keeps_data(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("insert into providers (provider_id, provider_name) values ('P1', 'Bo og Liv')"))
    versions_before = count(engine, "schema_version")
    assert schema.init(engine) == []
    assert count(engine, "schema_version") == versions_before
    assert count(engine, "providers") == 1
    assert count(engine, "municipality") == 98


def test_init_upgrades_an_older_warehouse_in_place(db_url):
    engine = warehouse.create_engine(db_url)
    first = schema.migrations()[0]
    # A warehouse made by the first version: only migration 001 applied, with data in it.
    with engine.begin() as conn:
        conn.execute(sa.text("create table schema_version (version integer primary key, name varchar not null, applied_at timestamp not null)"))
        for statement in schema.split_statements(first.sql):
            conn.execute(sa.text(statement))
        conn.execute(sa.text("insert into schema_version values (1, 'core', current_timestamp)"))
        conn.execute(sa.text("insert into price_index (year, index_value) values (2024, 100)"))
    done = schema.init(engine)
    assert done == [f"applied migration {m.version:03d}_{m.name}" for m in schema.migrations()[1:]]
    assert count(engine, "price_index") == 1
    assert count(engine, "schema_version") == len(schema.migrations())


def test_views_come_after_the_views_they_select_from():
    names = [v.name for v in schema.views()]
    for i, view in enumerate(schema.views()):
        later = [n for n in names[i + 1:] if re.search(rf"\b{n}\b", view.sql)]
        assert later == [], f"{view.name} selects from {later}, created after it"
