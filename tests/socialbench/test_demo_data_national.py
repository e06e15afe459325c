"""National-scale demo data at a small size: deterministic files in the loader's format,
independent of the chunk size, a rate for every grant day, no key shared with the demo
data, loadable on both engines, and settleable.

The figures are recomputed here from the written files, not taken from the generator.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from socialbench import cli, loading
from socialbench.cpr import looks_like_cpr
from socialbench.demo_data import grants as demo_grants
from socialbench.demo_data import national, population

SEED = 2026
GRANTS = 1500
CUTOFF = dt.date(2025, 12, 31)
FILES = ("providers", "grants", "assessments", "rates")
NATIONAL_INTERVENTIONS = {"SEL85", "SEL104", "SEL107", "SEL108"}


def read(folder) -> dict[str, pd.DataFrame]:
    """The files as the loader sees them: text, empty = missing."""
    return {t: pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False) for t in FILES}


def file_bytes(folder) -> dict[str, bytes]:
    return {t: (folder / f"{t}.csv").read_bytes() for t in FILES}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    national.write(out, SEED, GRANTS)
    return out


@pytest.fixture(scope="module")
def files(folder):
    return read(folder)


@pytest.fixture(scope="module")
def demo():
    """The ordinary demo data's providers, grants, assessments and rates (same seed)."""
    return demo_grants.generate(SEED, population.traits(SEED))


# --- determinism and size --------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(folder, tmp_path):
    national.write(tmp_path / "again", SEED, GRANTS)
    assert file_bytes(tmp_path / "again") == file_bytes(folder)
    national.write(tmp_path / "other", SEED + 1, GRANTS)
    other = file_bytes(tmp_path / "other")
    assert other["grants"] != file_bytes(folder)["grants"]
    assert other["assessments"] != file_bytes(folder)["assessments"]


def test_chunked_generation_writes_the_same_files_as_one_chunk(folder, tmp_path):
    national.write(tmp_path / "small", SEED, GRANTS, chunk_citizens=1)  # one municipality per chunk
    national.write(tmp_path / "one", SEED, GRANTS, chunk_citizens=10**9)  # everything in one chunk
    assert file_bytes(tmp_path / "small") == file_bytes(folder)
    assert file_bytes(tmp_path / "one") == file_bytes(folder)


def test_files_have_the_loader_header_and_nothing_else_is_left_in_the_folder(folder):
    for table in FILES:
        header = (folder / f"{table}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        # Every column a file must have; the optional ones (a grant's case, a provider's
        # owner) are left out: national grants have no cases.
        assert header == ",".join(loading.TABLES[table].required_columns)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.csv" for t in FILES)


def test_sizes_scale_with_the_number_of_grants(files, tmp_path):
    national.write(tmp_path / "double", SEED, 2 * GRANTS)
    double = read(tmp_path / "double")
    for got, wanted in ((files, GRANTS), (double, 2 * GRANTS)):
        assert abs(len(got["grants"]) - wanted) <= 0.06 * wanted
        per_grant = len(got["assessments"]) / len(got["grants"])
        assert 6.5 <= per_grant <= 10.5  # about 1,000,000 assessments for 120,000 grants
    assert 1.8 <= len(double["assessments"]) / len(files["assessments"]) <= 2.2
    # Providers and rates do not grow with the grants: 30 demo providers offering these
    # interventions × 5 regions; 4 interventions × 5 levels × 10 years.
    assert len(double["providers"]) == len(files["providers"]) == 150
    assert len(double["rates"]) == len(files["rates"]) == 4 * 5 * 10
    # Grants in (nearly) every municipality, more where more people live.
    per_municipality = double["grants"]["municipality_code"].value_counts()
    assert len(per_municipality) >= 85
    assert per_municipality.idxmax() == "101"  # København


def test_grants_span_ten_years_over_the_four_interventions(files):
    grants = files["grants"]
    assert set(grants["intervention_code"]) == NATIONAL_INTERVENTIONS
    starts = pd.to_datetime(grants["start_date"])
    assert starts.min() < pd.Timestamp("2016-03-01") and starts.max() > pd.Timestamp("2025-10-01")
    assert sorted(starts.dt.year.unique()) == list(range(2016, 2026))
    ended = grants["end_date"] != ""
    assert (grants.loc[ended, "end_date"] >= grants.loc[ended, "start_date"]).all()
    assert (grants.loc[ended, "end_date"] <= "2025-12-31").all()
    assert set(grants.loc[ended, "end_reason"]) == {"goal_achieved", "moved", "deceased", "other"}
    assert (grants.loc[~ended, "end_reason"] == "").all()
    assert set(grants["provider_id"]) <= set(files["providers"]["provider_id"])


# --- keys ------------------------------------------------------------------------------------


def test_ids_are_unique_never_cpr_like_and_never_the_demo_datas(files, demo):
    grants, assessments = files["grants"], files["assessments"]
    assert grants["grant_id"].is_unique
    assert files["providers"]["provider_id"].is_unique
    assert not assessments.duplicated(["grant_id", "assessed_on"]).any()
    assert not files["rates"].duplicated(["intervention_code", "support_level", "valid_from"]).any()
    for column, demo_values in (
        (grants["grant_id"], demo["grants"]["grant_id"]),
        (grants["citizen_key"], demo["grants"]["citizen_key"]),
        (files["providers"]["provider_id"], demo["providers"]["provider_id"]),
    ):
        assert not set(column) & set(demo_values)
    texts = pd.concat([grants["grant_id"], grants["citizen_key"], files["providers"]["provider_id"],
                       files["providers"]["provider_name"]])
    assert not any(looks_like_cpr(t) for t in texts)
    # A citizen lives in one municipality.
    assert (grants.groupby("citizen_key")["municipality_code"].nunique() == 1).all()


# --- assessments and rates -------------------------------------------------------------------


def test_every_grant_is_assessed_on_its_start_and_only_within_its_dates(files):
    a = files["assessments"].merge(files["grants"], on="grant_id", how="left", validate="many_to_one")
    assert a["start_date"].notna().all()
    assert (a["assessed_on"] >= a["start_date"]).all()
    assert ((a["end_date"] == "") | (a["assessed_on"] <= a["end_date"])).all()
    assert (a["assessed_on"] <= "2025-12-31").all()
    first = a.sort_values("assessed_on").groupby("grant_id").first()
    assert len(first) == len(files["grants"])
    assert (first["assessed_on"] == first["start_date"]).all()


def test_support_levels_fall_for_a_good_share_and_rise_for_some(files):
    a = files["assessments"].assign(level=lambda f: f["support_level"].astype(int))
    ordered = a.sort_values(["grant_id", "assessed_on"]).groupby("grant_id")["level"]
    first, last = ordered.first(), ordered.last()
    assert 0.4 <= (last < first).mean() <= 0.65
    assert 0.05 <= (last > first).mean() <= 0.2
    assert a["level"].between(0, 4).all()


def test_every_year_and_level_of_every_grant_has_a_rate(files):
    # A grant is active from start to end (or the extract date 2025-12-31). For each grant,
    # each year it is active and each level it is ever assessed at (more than the days
    # need), a rate of its intervention and level must be valid from 1 January.
    rates = {(r.intervention_code, int(r.support_level), r.valid_from) for r in files["rates"].itertuples()}
    levels = files["assessments"].groupby("grant_id")["support_level"].agg(lambda x: set(x.astype(int)))
    missing = set()
    for grant in files["grants"].itertuples():
        last = grant.end_date or "2025-12-31"
        for year in range(int(grant.start_date[:4]), int(last[:4]) + 1):
            for level in levels[grant.grant_id]:
                if (grant.intervention_code, level, f"{year}-01-01") not in rates:
                    missing.add((grant.intervention_code, level, year))
    assert missing == set()


def test_rates_follow_the_demo_rule_back_to_2016(files, demo):
    r = files["rates"].assign(daily_rate_dkk=lambda f: f["daily_rate_dkk"].map(Decimal))
    by_key = {(x.intervention_code, int(x.support_level), x.valid_from): x.daily_rate_dkk for x in r.itertuples()}
    # The demo data's own rates, 2019-2025, are the same rows.
    for x in demo["rates"][demo["rates"]["intervention_code"].isin(NATIONAL_INTERVENTIONS)].itertuples():
        assert by_key[(x.intervention_code, x.support_level, x.valid_from.isoformat())] == x.daily_rate_dkk
    # By hand: SEL85 level 0 is 150 kr. in 2025; PL(2016) = 100 / (1.016 × 1.015 × 1.016 ×
    # 1.017 × 1.021 × 1.043 × 1.039 × 1.026 × 1.024) = 80.73, so 150 × 0.8073 = 121.10 -> 121.
    assert by_key[("SEL85", 0, "2016-01-01")] == Decimal("121.00")
    # SEL108 level 4: 3,500 × 0.8073 = 2,825.6 -> 2,826; 2025 = the 2025 rate itself.
    assert by_key[("SEL108", 4, "2016-01-01")] == Decimal("2826.00")
    assert by_key[("SEL104", 1, "2025-01-01")] == Decimal("322.00")
    # Prices rise every year (PL), so every rate is below the next year's.
    for (code, level, valid_from), value in by_key.items():
        later = (code, level, f"{int(valid_from[:4]) + 1}-01-01")
        assert later not in by_key or value < by_key[later]


# --- loading and settling --------------------------------------------------------------------


def scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_the_files_load_through_the_ordinary_loader(engine, folder, files):
    counts = loading.load_path(engine, folder)
    assert counts == {t: len(files[t]) for t in ("providers", "grants", "assessments", "rates")}
    assert scalar(engine, "select count(*) from assessments") == len(files["assessments"])
    assert scalar(engine, "select count(distinct citizen_key) from grants") == files["grants"]["citizen_key"].nunique()
    assert scalar(engine, "select count(*) from grants where end_date is null") == (files["grants"]["end_date"] == "").sum()


def test_national_load_adds_to_the_demo_data_and_marks_everything_synthetic(engine, demo):
    counts = national.load(engine, SEED, grants=300)
    assert counts["demo"]["grants"] == len(demo["grants"])
    n = counts["national"]["grants"]
    assert 250 <= n <= 350
    assert scalar(engine, "select count(*) from grants") == len(demo["grants"]) + n
    assert scalar(engine, "select count(*) from grants where grant_id like 'N%'") == n
    with engine.connect() as conn:
        marks = dict(conn.execute(sa.text("select table_name, synthetic from data_source")).fetchall())
        sources = dict(conn.execute(sa.text("select table_name, source from data_source")).fetchall())
    # Refusion tiers are the shipped (real) levels seeded by init, not demo data.
    demo_tables = set(loading.TABLES) - {"refusion_tiers"}
    assert set(marks) >= demo_tables and all(bool(marks[t]) for t in demo_tables)
    assert "--scale national" in sources["grants"] and "seed 2026" in sources["grants"]
    # The demo's general rates 2019-2025 and the national ones 2016-2025 of the same
    # interventions meet (the demo's provider tariffs come on top: provider_id not '').
    assert scalar(engine, "select count(*) from rates where provider_id = ''") == len(demo["rates"]) + 4 * 5 * 3
    # A second national load replaces the first one's grants (and their assessments).
    again = national.load(engine, SEED, grants=150)["national"]
    assert scalar(engine, "select count(*) from grants where grant_id like 'N%'") == again["grants"] < n
    assert scalar(engine, "select count(*) from assessments") == len(demo["assessments"]) + again["assessments"]


def test_a_settlement_on_a_national_sample_gives_lines(tmp_path, folder, files):
    from incentive_models import runs
    from socialbench import schema, warehouse

    engine = warehouse.create_engine(f"duckdb:///{tmp_path / 'w.duckdb'}")
    schema.init(engine)
    loading.load_path(engine, folder)
    model_file = tmp_path / "model.yml"
    model_file.write_text(
        "model_id: national-test\ninterventions: [SEL85, SEL104, SEL107, SEL108]\nshare: 0.5\n"
        "qualifying_days: 90\nhorizon_days: 365\ncap_per_episode_dkk: 60000\n"
        "cap_per_provider_per_run_dkk: null\nbudget_per_run_dkk: null\nexit_reasons: [goal_achieved]\n",
        encoding="utf-8",
    )
    run = runs.get_run(engine, runs.create_draft(engine, runs.load_model(model_file), "2025-12-31"))
    engine.dispose()
    # Lower bound, computed here: a grant whose level stays below its first level for 90
    # days in a row while it is active (before 2025-12-31) has a qualified episode, and
    # every qualified episode gets a line.
    grants = files["grants"].set_index("grant_id")
    qualified = 0
    for grant_id, a in files["assessments"].groupby("grant_id", sort=False):
        a = a.sort_values("assessed_on")
        end = grants.at[grant_id, "end_date"] or "2025-12-31"
        last = dt.date.fromisoformat(min(end, "2025-12-31"))
        days = [dt.date.fromisoformat(d) for d in a["assessed_on"]] + [last + dt.timedelta(days=1)]
        levels = a["support_level"].astype(int).tolist()
        run_days = 0
        for k, level in enumerate(levels):
            if level < levels[0]:
                run_days += (days[k + 1] - days[k]).days
            else:
                run_days = 0
            if run_days >= 90:
                qualified += 1
                break
    assert qualified > 0.2 * len(grants)
    assert run["line_count"] >= qualified
    assert run["line_count"] <= 3 * len(grants)
    assert run["total_payout_dkk"] > 0


def test_cli_writes_the_files_with_out_and_refuses_out_without_national(tmp_path, capsys):
    assert cli.main(["demo-data", "--scale", "national", "--grants", "200", "--out", str(tmp_path / "n")]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out
    assert sorted(p.name for p in (tmp_path / "n").iterdir()) == sorted(f"{t}.csv" for t in FILES)
    assert 150 <= len(read(tmp_path / "n")["grants"]) <= 250
    assert cli.main(["demo-data", "--out", str(tmp_path / "m")]) != 0
    assert "--scale national" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
