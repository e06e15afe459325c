import pytest

from socialbench import schema, warehouse
from tests.conftest import ENGINES, empty_warehouse_url
from tests.sql import dataset


@pytest.fixture
def loaded(engine):
    """An initialised warehouse on each engine holding the hand-made data set (own copy)."""
    dataset.load(engine)
    return engine


@pytest.fixture(scope="module", params=ENGINES)
def shared(request, tmp_path_factory):
    """The hand-made data set on each engine, with one settlement run, shared by the
    read-only tests of a module."""
    with empty_warehouse_url(request.param, tmp_path_factory.mktemp("views")) as url:
        engine = warehouse.create_engine(url)
        schema.init(engine)
        dataset.load(engine)
        dataset.settle(engine)
        yield engine
        engine.dispose()
