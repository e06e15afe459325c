"""The shipped tiers of the state refusion of expensive single cases
(socialbench/data/refusion_tiers.csv, source in docs/forecast.md).

Seeded only for years the warehouse has no tiers of: a user's corrections (loaded from
refusion_tiers.csv like any table) are never overwritten by `init`."""
from __future__ import annotations

from importlib import resources

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialbench import warehouse


def shipped() -> pd.DataFrame:
    with resources.files("socialbench.data").joinpath("refusion_tiers.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"year": int, "area": str, "threshold_dkk": str, "refund_share": str})


def seed(conn: Connection) -> int:
    """Insert the shipped tiers of every year without tiers; returns the rows inserted."""
    if not sa.inspect(conn).has_table("refusion_tiers"):
        return 0
    have = {row[0] for row in conn.execute(sa.text("select distinct year from refusion_tiers"))}
    frame = shipped()
    frame = frame[~frame["year"].isin(have)]
    if frame.empty:
        return 0
    conn.execute(
        sa.text("insert into refusion_tiers (year, area, threshold_dkk, refund_share) "
                "values (:year, :area, cast(:threshold_dkk as numeric(14, 2)), cast(:refund_share as numeric(6, 4)))"),
        [{k: (int(v) if k == "year" else v) for k, v in row.items()} for row in frame.to_dict("records")],
    )
    return len(frame)
