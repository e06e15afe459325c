import pytest

from tests.sql import dataset


@pytest.fixture
def loaded(engine):
    """An initialised warehouse on each engine holding the hand-made data set."""
    dataset.load(engine)
    return engine
