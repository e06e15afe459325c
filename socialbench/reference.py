"""Reference data shipped with the package: municipalities, interventions (with their step
on the intervention ladder), account functions, the sources of a case.

The mapping from account functions (5.28.xx, 5.38.xx) to area and intervention lives in
`socialbench/data/account_functions.csv`, not in code, so it can be corrected as data.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd
from sqlalchemy.engine import Connection

from socialbench import warehouse

AREAS = ("children", "adults")

# table -> (packaged file, key)
REFERENCE_TABLES = {
    "municipality": ("municipalities.csv", ["municipality_code"]),
    "intervention": ("interventions.csv", ["intervention_code"]),
    "account_function": ("account_functions.csv", ["function_code"]),
    "case_source": ("case_sources.csv", ["source_code"]),
}


@lru_cache(maxsize=None)
def frame(table: str) -> pd.DataFrame:
    """A reference table as shipped (read-only: callers must copy before changing it)."""
    filename, _ = REFERENCE_TABLES[table]
    with resources.files("socialbench.data").joinpath(filename).open("r", encoding="utf-8") as fh:
        data = pd.read_csv(fh, dtype=str, keep_default_na=False)
    data = data.replace({"": None})
    for col in data.columns:
        if col in ("municipality_code", "region_code", "dst_municipality_group", "population_2026", "ladder_step"):
            data[col] = data[col].astype(int)
    return data


def municipality_codes() -> set[int]:
    return set(frame("municipality")["municipality_code"])


def intervention_codes() -> set[str]:
    return set(frame("intervention")["intervention_code"])


def function_codes() -> set[str]:
    return set(frame("account_function")["function_code"])


def seed(conn: Connection) -> None:
    """Upsert the shipped reference rows (rows a user added with other keys are kept)."""
    for table, (_, key) in REFERENCE_TABLES.items():
        warehouse.upsert_frame(conn, table, frame(table).copy(), key)
