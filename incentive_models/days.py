"""Dates as whole day numbers since 1970-01-01 (int64), as the settlement engine and the
rate rule compute with them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from socialbench.dates import as_days


def day_numbers(values: pd.Series, open_value: np.int64 | None = None) -> np.ndarray:
    """Dates as whole day numbers since 1970-01-01; missing dates become open_value.

    A datetime64 column (as `incentive_models.inputs` reads it) converts as a whole;
    dates as objects (date, Timestamp or ISO text) one by one."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    days = array.astype("datetime64[D]") if np.issubdtype(array.dtype, np.datetime64) else as_days(array)
    numbers = days.astype(np.int64)
    missing = np.isnat(days)
    if missing.any():
        if open_value is None:
            raise ValueError("a required date is missing")
        numbers = np.where(missing, open_value, numbers)
    return numbers
