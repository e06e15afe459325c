"""Text made a column at a time, for the ledger's fingerprints, files and explanations.

Concatenating object arrays part by part copies every growing row again for each part;
`rows` joins each row's parts once. `json_parts` quotes a column as `json.dumps` does
(ensure_ascii=False): when no value needs an escape, the quotes are parts of their own.
"""
from __future__ import annotations

import json
import re
from itertools import repeat

import numpy as np
import pandas as pd

# json.dumps(ensure_ascii=False) escapes exactly these; text without them is quoted as is.
_JSON_SPECIAL = re.compile(r'[\x00-\x1f"\\]')


def rows(parts: list, separator: str = "") -> list[str]:
    """Each row's parts joined: `parts` are columns (arrays or lists of str) or one str
    for every row."""
    merged: list = []
    for part in parts:  # neighbouring constants become one
        if isinstance(part, str) and merged and isinstance(merged[-1], str) and not separator:
            merged[-1] += part
        else:
            merged.append(part)
    n = max((len(p) for p in merged if not isinstance(p, str)), default=0)
    columns = [repeat(p, n) if isinstance(p, str) else (p.tolist() if isinstance(p, np.ndarray) else p) for p in merged]
    return list(map(separator.join, zip(*columns)))


def json_parts(values: np.ndarray, null: bool = False) -> list:
    """A column of text as JSON string literals, as parts for `rows`; a missing value
    (None) as `null` if `null`, else as the empty string."""
    values = np.asarray(values, dtype=object)
    missing = pd.isna(values)
    clean = np.where(missing, "", values) if missing.any() else values
    if _JSON_SPECIAL.search("".join(clean.tolist())):
        quoted = np.array([json.dumps(v, ensure_ascii=False) for v in clean], dtype=object)
    elif null and missing.any():
        quoted = '"' + clean + '"'
    else:
        return ['"', clean, '"']
    if null and missing.any():
        quoted[missing] = "null"
    return [quoted]


def by_unique(values: np.ndarray, write) -> np.ndarray:
    """`write(value)` for every value of an integer array, computed once per distinct
    value (dates and small numbers repeat a lot)."""
    values = np.asarray(values)
    if not len(values):
        return np.array([], dtype=object)
    low, high = int(values.min()), int(values.max())
    if high - low <= 4_000_000:  # a table over the range: no sort
        offset = values - low
        present = np.flatnonzero(np.bincount(offset, minlength=high - low + 1))
        table = np.empty(high - low + 1, dtype=object)
        table[present] = [write(int(v) + low) for v in present.tolist()]
        return table[offset]
    unique, where = np.unique(values, return_inverse=True)
    return np.array([write(v) for v in unique.tolist()], dtype=object)[where.reshape(-1)]
