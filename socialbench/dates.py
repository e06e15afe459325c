"""Dates as whole days, for vectorised comparisons.

pandas timestamps count nanoseconds and end in 2262, but case systems write open-ended
grants as 9999-12-31; NumPy's day precision covers every ISO date.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def as_days(values: Iterable) -> np.ndarray:
    """datetime64[D] array of dates (date, Timestamp or ISO text); missing values become NaT."""
    return np.asarray([None if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in values],
                      dtype="datetime64[D]")
