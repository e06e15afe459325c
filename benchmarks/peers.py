"""Peer municipalities ("sammenligningskommuner").

Two methods, both pure functions from DataFrames to a DataFrame with the columns of the
`bm_peer` table (municipality_code, year, method, peer_code, peer_rank, distance):

- `nearest`: the k municipalities closest in Euclidean distance over z-scored structural
  indicators of the same year (KL's 2010 approach);
- `dst_group`: the other municipalities in the same Statistics Denmark municipality group.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

NEAREST = "nearest"
DST_GROUP = "dst_group"
METHODS = (NEAREST, DST_GROUP)
DEFAULT_K = 10

# Distances equal to this many decimals count as equal; ties then go to the lower code.
DISTANCE_DECIMALS = 9

PEER_COLUMNS = ["municipality_code", "year", "method", "peer_code", "peer_rank", "distance"]


def indicator_matrix(
    indicators: pd.DataFrame, year: int, names: Sequence[str] | None = None
) -> pd.DataFrame:
    """The wide matrix (one row per municipality, one column per indicator) of one year.

    `indicators` is long: municipality_code, year, indicator, value. The indicator set is
    `names`, or by default every indicator loaded for that year. Only municipalities with
    a value for every indicator of the set take part (complete cases); the rows are sorted
    by municipality code.
    """
    rows = indicators[indicators["year"] == year]
    chosen = sorted(rows["indicator"].unique()) if names is None else list(names)
    rows = rows[rows["indicator"].isin(chosen)]
    wide = rows.pivot(index="municipality_code", columns="indicator", values="value")
    wide = wide.reindex(columns=chosen).astype(float)
    return wide.dropna(how="any").sort_index()


def zscores(wide: pd.DataFrame) -> pd.DataFrame:
    """Each indicator z-scored across the municipalities in the matrix:
    z = (value − mean) / standard deviation, using the POPULATION standard deviation
    (divide by n, not n − 1). An indicator with the same value everywhere (deviation 0)
    cannot tell municipalities apart: its z-scores are 0.
    """
    values = wide.to_numpy(dtype=float)
    mean = values.mean(axis=0) if len(values) else np.zeros(values.shape[1])
    std = values.std(axis=0, ddof=0) if len(values) else np.zeros(values.shape[1])
    safe = np.where(std > 0, std, 1.0)
    z = np.where(std > 0, (values - mean) / safe, 0.0)
    return pd.DataFrame(z, index=wide.index, columns=wide.columns)


def nearest_peers(
    indicators: pd.DataFrame, k: int = DEFAULT_K, names: Sequence[str] | None = None
) -> pd.DataFrame:
    """Peers by the `nearest` method, for every year in `indicators`.

    For each year: take the municipalities that have every chosen structural indicator
    (`names`, default all indicators of that year), z-score each indicator across them
    (population standard deviation), and compute the Euclidean distance
    d(a, b) = sqrt(Σ_i (z_i(a) − z_i(b))²) with all indicators weighted equally. A
    municipality's peers are the k others with the smallest distance, ties (equal to
    9 decimals) broken by the lower municipality code; the municipality itself is never
    its own peer. With fewer than k + 1 municipalities, all the others are peers.
    `peer_rank` is 1 for the nearest peer; `distance` is rounded to 9 decimals.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    out = []
    for year in sorted(indicators["year"].unique()):
        z = zscores(indicator_matrix(indicators, int(year), names))
        codes = z.index.to_numpy()
        if len(codes) < 2:
            continue
        points = z.to_numpy()
        diff = points[:, None, :] - points[None, :, :]
        distance = np.round(np.sqrt((diff**2).sum(axis=2)), DISTANCE_DECIMALS)
        for i, code in enumerate(codes):
            others = [j for j in range(len(codes)) if j != i]
            # lexsort: last key is primary -> by distance, then by code
            order = np.lexsort((codes[others], distance[i, others]))[:k]
            for rank, pos in enumerate(order, start=1):
                j = others[pos]
                out.append((int(code), int(year), NEAREST, int(codes[j]), rank, float(distance[i, j])))
    return pd.DataFrame(out, columns=PEER_COLUMNS)


def dst_group_peers(municipalities: pd.DataFrame, years: Iterable[int]) -> pd.DataFrame:
    """Peers by the `dst_group` method: for each year, the other municipalities in the same
    Statistics Denmark municipality group (municipality.dst_municipality_group). The
    distance is NULL; `peer_rank` numbers the peers by municipality code.
    """
    groups = municipalities[["municipality_code", "dst_municipality_group"]]
    pairs = groups.merge(groups, on="dst_municipality_group", suffixes=("", "_peer"))
    pairs = pairs[pairs["municipality_code"] != pairs["municipality_code_peer"]]
    pairs = pairs.rename(columns={"municipality_code_peer": "peer_code"})
    pairs = pairs.sort_values(["municipality_code", "peer_code"])
    pairs["peer_rank"] = pairs.groupby("municipality_code").cumcount() + 1
    out = []
    for year in sorted({int(y) for y in years}):
        frame = pairs[["municipality_code", "peer_code", "peer_rank"]].copy()
        frame["year"] = year
        frame["method"] = DST_GROUP
        frame["distance"] = np.nan
        out.append(frame[PEER_COLUMNS])
    if not out:
        return pd.DataFrame(columns=PEER_COLUMNS)
    return pd.concat(out, ignore_index=True).astype({"municipality_code": int, "peer_code": int, "peer_rank": int, "year": int})
