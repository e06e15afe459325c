from sqlalchemy.engine.url import make_url

from superset_plugins.config import DB_CONNECTION_MUTATOR


def test_supersets_duckdb_engines_ask_to_wait_for_a_busy_file():
    uri = make_url("duckdb:////srv/socialbench.duckdb")
    same_uri, params = DB_CONNECTION_MUTATOR(uri, {"connect_args": {"read_only": True}}, "admin", None, None)
    assert same_uri is uri
    assert params == {"connect_args": {"read_only": True}, "plugins": ["socialbench_wait"]}


def test_other_engines_are_left_alone():
    uri = make_url("postgresql://reader@127.0.0.1/warehouse")
    assert DB_CONNECTION_MUTATOR(uri, {"pool_pre_ping": True}, "admin", None, None) == (uri, {"pool_pre_ping": True})
