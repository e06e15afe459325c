"""`socialbench demo-data --scale national`: ten years of grants in all 98 municipalities.

On top of the ordinary demo data, about params.NATIONAL_GRANTS grants of SEL85, SEL104,
SEL107 and SEL108 starting 2016-2025, with about eight assessments each, their providers
and the rates every grant day needs. Drawn by the demo grants' own functions
(grants.primary_grants, grants.simulate) with a national `Scheme`, one municipality at a
time from the municipality's own random stream, so the files do not depend on how many
municipalities are generated at once, and memory holds one chunk, never the whole.

`write(folder, ...)` writes tidy CSV files in the loader's format (providers.csv,
grants.csv, assessments.csv, rates.csv); `load(engine, ...)` loads the ordinary demo data,
then those files through `loading.load_path`, and marks them synthetic.

Ids never meet the ordinary demo data's (`G-`, `B-`, `P`): grants `N101-G000001`,
citizens `N101-B000001` (municipality code, then the number within the municipality; a
letter between the digit groups, so no id is ever read as a CPR number), providers `NP001`.
"""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from socialbench import loading, progress, reference
from socialbench.demo_data import grants as g
from socialbench.demo_data import params as p
from socialbench.demo_data import population

TABLES = ("providers", "grants", "assessments", "rates")
CHUNK_CITIZENS = 5_000  # municipalities are generated and written in groups of about this many citizens (København alone: about 12,000)

SCHEME = g.Scheme(
    interventions={code: p.GRANT_INTERVENTIONS[code] for code in p.NATIONAL_INTERVENTIONS},
    first_day=p.NATIONAL_FIRST_GRANT_DAY,
    cutoff=p.DATA_CUTOFF,
    first_review_days=p.NATIONAL_FIRST_REVIEW_DAYS,
    review_days=p.NATIONAL_REVIEW_DAYS,
    max_reviews=p.NATIONAL_MAX_REVIEWS,
    level_up_probability=p.NATIONAL_LEVEL_UP_PROBABILITY,
)


def source(seed: int, grants: int = p.NATIONAL_GRANTS) -> str:
    return f"socialbench demo-data --scale national (synthetic, seed {seed}, about {grants} grants)"


# ---------------------------------------------------------------- providers and rates


def providers(seed: int) -> tuple[pd.DataFrame, g.Pool]:
    """Every demo provider that offers one of the national interventions, once in each
    region (`Bostedet Solsikken ApS – Nordjylland`), with its own chance of lowering the
    level; the frame in the loader's columns and the pool grants draw from."""
    regions = reference.frame("municipality")[["region_code", "region_name"]].drop_duplicates().sort_values("region_code")
    templates = [(name, tuple(c for c in offers if c in SCHEME.interventions)) for name, offers in p.PROVIDERS]
    templates = [(name, offers) for name, offers in templates if offers]
    names, offers, region = [], [], []
    for code, region_name in regions.itertuples(index=False):
        for name, offered in templates:
            names.append(f"{name} – {region_name.removeprefix('Region ')}")
            offers.append(offered)
            region.append(code)
    rng = p.rng(seed, "national_providers")
    pool = g.Pool(offers=tuple(offers), region=np.array(region), down=rng.uniform(*p.NATIONAL_LEVEL_DOWN_PROBABILITY, len(names)))
    frame = pd.DataFrame({"provider_id": [f"NP{k:03d}" for k in range(1, len(names) + 1)], "provider_name": names})
    return frame, pool


def rates() -> pd.DataFrame:
    """The demo rates (grants.rates_frame) of the national interventions, every level,
    valid from 1 January 2016-2025; the 2019-2025 rows equal the demo data's."""
    return g.rates_frame(p.NATIONAL_RATE_YEARS, p.NATIONAL_INTERVENTIONS)


# ---------------------------------------------------------------- grants, one municipality at a time


def citizens_per_municipality(municipalities: pd.DataFrame, grants: int) -> np.ndarray:
    """Citizens of each municipality, ∝ population × socio-economic index (as the demo
    grants), summing to grants / NATIONAL_GRANTS_PER_CITIZEN (largest remainders)."""
    total = int(round(grants / p.NATIONAL_GRANTS_PER_CITIZEN))
    weight = municipalities["population_2026"].to_numpy() * municipalities["sei_2025"].to_numpy()
    exact = total * weight / weight.sum()
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[: total - counts.sum()]] += 1
    return counts


def municipality_grants(seed: int, municipalities: pd.DataFrame, row: int, citizens: int, pool: g.Pool) -> g.Grants:
    """The grants of one municipality (row in the traits frame), in id order."""
    code = int(municipalities["municipality_code"].iloc[row])
    rng = p.rng(seed, "national_grants", code)
    primary = g.primary_grants(rng, citizens, SCHEME, municipality=row)
    return g.in_id_order(g.simulate(rng, primary, municipalities["region_code"].to_numpy(), pool, SCHEME))


def _days(values: np.ndarray) -> np.ndarray:
    """datetime64[D] as ISO text, NaT as empty."""
    text = np.datetime_as_string(values, unit="D")
    return np.where(np.isnat(values), "", text)


def grant_frames(grants: g.Grants, code: int, provider_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grants and assessments of one municipality as text columns in the loader's order."""
    numbers = np.char.zfill(np.arange(1, len(grants.start) + 1).astype(str), 6)
    ids = np.char.add(f"N{code:03d}-G", numbers)
    frame = pd.DataFrame(
        {
            "grant_id": ids,
            "citizen_key": np.char.add(f"N{code:03d}-B", np.char.zfill(grants.citizen.astype(str), 6)),
            "municipality_code": code,
            "provider_id": provider_ids[grants.provider],
            "intervention_code": grants.intervention.astype(str),
            "start_date": _days(grants.start),
            "end_date": _days(grants.end),
            "end_reason": np.where(grants.end_reason == None, "", grants.end_reason).astype(str),  # noqa: E711
        }
    )
    rows, cols = np.nonzero(grants.reviewed)
    assessments = pd.DataFrame(
        {
            "grant_id": ids[rows],
            "assessed_on": _days(grants.review_days[rows, cols]),
            "support_level": grants.levels[rows, cols],
        }
    )
    # Optional columns (a grant's case) are left out of the files: the national grants have no cases.
    return frame[list(loading.TABLES["grants"].required_columns)], assessments[list(loading.TABLES["assessments"].columns)]


def chunks(seed: int, grants: int, chunk_citizens: int = CHUNK_CITIZENS) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """(grants, assessments) frames of consecutive municipalities, about chunk_citizens
    citizens at a time (at least one municipality), in municipality-code order."""
    municipalities = population.traits(seed)
    provider_frame, pool = providers(seed)
    provider_ids = provider_frame["provider_id"].to_numpy()
    counts = citizens_per_municipality(municipalities, grants)
    held: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    size = 0
    for row in progress.track(range(len(municipalities)), label="National grants", total=len(municipalities)):
        code = int(municipalities["municipality_code"].iloc[row])
        held.append(grant_frames(municipality_grants(seed, municipalities, row, int(counts[row]), pool), code, provider_ids))
        size += int(counts[row])
        if size >= chunk_citizens or row == len(municipalities) - 1:
            yield (pd.concat([h[0] for h in held], ignore_index=True), pd.concat([h[1] for h in held], ignore_index=True))
            held, size = [], 0


# ---------------------------------------------------------------- files


def _csv(frame: pd.DataFrame, handle, header: bool) -> None:
    frame.to_csv(handle, index=False, header=header, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def write(
    folder: Path, seed: int = p.DEFAULT_SEED, grants: int = p.NATIONAL_GRANTS, chunk_citizens: int = CHUNK_CITIZENS
) -> dict[str, int]:
    """Write providers.csv, grants.csv, assessments.csv and rates.csv into folder (made if
    missing; these four files replaced only when all are written); returns rows per file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    partial = {t: folder / f".{t}.csv.partial" for t in TABLES}
    counts = dict.fromkeys(TABLES, 0)
    try:
        handles = {t: partial[t].open("w", encoding="utf-8", newline="") for t in TABLES}
        try:
            provider_frame = providers(seed)[0]
            rate_frame = rates()
            _csv(provider_frame, handles["providers"], True)
            _csv(rate_frame, handles["rates"], True)
            counts["providers"], counts["rates"] = len(provider_frame), len(rate_frame)
            first = True
            for grant_frame, assessment_frame in chunks(seed, grants, chunk_citizens):
                _csv(grant_frame, handles["grants"], first)
                _csv(assessment_frame, handles["assessments"], first)
                counts["grants"] += len(grant_frame)
                counts["assessments"] += len(assessment_frame)
                first = False
        finally:
            for handle in handles.values():
                handle.close()
        for t in TABLES:
            os.replace(partial[t], folder / f"{t}.csv")
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)
    return counts


# ---------------------------------------------------------------- loading


def load(engine: Engine, seed: int = p.DEFAULT_SEED, grants: int = p.NATIONAL_GRANTS) -> dict[str, dict[str, int]]:
    """The ordinary demo data (demo_data.load: replaces earlier demo and national grants),
    then the national files through the ordinary loader, marked synthetic.

    Rows loaded per table: {"demo": {...}, "national": {...}}. Three transactions (see
    docs/demo-data.md): the demo data, the national files (all or nothing), their marking.
    """
    from socialbench import demo_data

    demo = demo_data.load(engine, seed)
    with tempfile.TemporaryDirectory(prefix="socialbench-national-") as folder:
        write(Path(folder), seed, grants)
        national = loading.load_path(engine, Path(folder))
    with engine.connect() as conn, conn.begin():
        loading.record_sources(conn, {table: source(seed, grants) for table in national}, synthetic=True)
    return {"demo": demo, "national": national}
