"""The problems `socialbench load` reports for a file or folder, as the lines users read."""
from __future__ import annotations

import pytest

from socialbench import loading
from socialbench.errors import InputError


def problems_of(engine, path, **kwargs) -> list[str]:
    """Load path, expect it refused, and return its problems as `file:line: column: message`."""
    with pytest.raises(InputError) as info:
        loading.load_path(engine, path, **kwargs)
    return [str(p) for p in info.value.problems]
