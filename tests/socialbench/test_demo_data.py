"""Demo data: deterministic, complete, plausible; and it loads on both engines.

The figures are recomputed here from the generated frames (sums over rows), not taken
from the generator's own intermediate values.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from socialbench import cli, demo_data, loading, reference, schema, warehouse
from socialbench.cpr import looks_like_cpr

SEED = 2026
YEARS = list(range(2015, 2026))


@pytest.fixture(scope="module")
def demo():
    return demo_data.generate(SEED)


def actual_by_area(demo, area: str) -> pd.Series:
    """Actual expenditure (float kroner) per municipality and year over the area's functions."""
    functions = reference.frame("account_function")
    codes = set(functions.loc[functions["area"] == area, "function_code"])
    e = demo["expenditure"]
    e = e[(e["kind"] == "actual") & e["function_code"].isin(codes)]
    return e.groupby(["municipality_code", "year"])["amount_dkk"].sum().map(float)


def persons_aged(demo, low: int, high: int) -> pd.Series:
    p = demo["population"]
    return p[(p["age"] >= low) & (p["age"] <= high)].groupby(["municipality_code", "year"])["persons"].sum()


def national_unit_cost(demo, intervention: str, year: int) -> float:
    functions = reference.frame("account_function")
    codes = set(functions.loc[functions["intervention_code"] == intervention, "function_code"])
    e = demo["expenditure"]
    spent = e[(e["kind"] == "actual") & (e["year"] == year) & e["function_code"].isin(codes)]["amount_dkk"].sum()
    f = demo["full_year_citizens"]
    citizens = f[(f["year"] == year) & (f["intervention_code"] == intervention)]["full_year_citizens"].sum()
    return float(spent / citizens)


# --- determinism and shape -------------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_another_seed_differs(demo):
    again = demo_data.generate(SEED)
    for table, frame in demo.items():
        assert list(frame.columns) == list(again[table].columns)
        assert frame.equals(again[table]), table  # same values and dtypes, element by element
    other = demo_data.generate(SEED + 1)
    assert not demo["expenditure"]["amount_dkk"].equals(other["expenditure"]["amount_dkk"])
    assert not demo["population"]["persons"].equals(other["population"]["persons"])
    assert not demo["grants"].equals(other["grants"])


def test_frames_have_exactly_the_loader_columns_and_python_types(demo):
    assert list(demo) == [t for t in loading.TABLES if t != "refusion_tiers"]  # seeded by init from package data
    for table, spec in ((t, s) for t, s in loading.TABLES.items() if t in demo):
        assert list(demo[table].columns) == list(spec.columns), table
        key = list(spec.key)
        assert not demo[table].duplicated(key).any(), table
    amounts = demo["expenditure"]["amount_dkk"]
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -2 for a in amounts)
    assert all(isinstance(a, Decimal) and a.as_tuple().exponent == -4 for a in demo["full_year_citizens"]["full_year_citizens"])
    assert all(isinstance(d, dt.date) for d in demo["grants"]["start_date"])
    assert all(d is None or isinstance(d, dt.date) for d in demo["grants"]["end_date"])
    assert all(isinstance(d, dt.date) for d in demo["assessments"]["assessed_on"])


def test_every_municipality_year_age_function_and_indicator_is_there(demo):
    codes = set(reference.frame("municipality")["municipality_code"])
    assert len(codes) == 98
    population = demo["population"]
    assert set(population["municipality_code"]) == codes
    assert sorted(population["year"].unique()) == YEARS
    assert len(population) == 98 * 11 * 101  # ages 0-100
    assert (population.groupby(["municipality_code", "year"]).size() == 101).all()

    n_functions = len(reference.frame("account_function"))  # every 5.28 and 5.38 function
    assert len(demo["expenditure"]) == 98 * 11 * n_functions * 2  # actual and budget
    assert len(demo["full_year_citizens"]) == 98 * 11 * len(reference.frame("intervention"))
    indicators = demo["structural_indicators"]
    assert set(indicators["indicator"]) >= {"socioeconomic_index", "share_0_22", "population_density", "income_per_capita"}
    assert (indicators.groupby(["municipality_code", "year"]).size() == indicators["indicator"].nunique()).all()
    assert sorted(demo["price_index"]["year"]) == YEARS


# --- population and indicators -------------------------------------------------------------


def test_population_2025_is_within_2_5_percent_of_the_2026_totals(demo):
    # Tolerance: a municipality grows or shrinks at most ~2% a year, so 1 January 2025
    # lies within 2.5% of 1 January 2026; the country within 1%.
    p2025 = demo["population"].query("year == 2025").groupby("municipality_code")["persons"].sum()
    p2026 = reference.frame("municipality").set_index("municipality_code")["population_2026"]
    ratio = p2025 / p2026
    assert ratio.between(0.975, 1.025).all(), ratio[~ratio.between(0.975, 1.025)]
    assert abs(p2025.sum() / p2026.sum() - 1) < 0.01


def test_age_profile_is_plausible(demo):
    p = demo["population"].query("year == 2025").groupby("age")["persons"].sum()
    share_0_22 = p.loc[0:22].sum() / p.sum()
    assert 0.24 < share_0_22 < 0.29  # Denmark: about 26%
    assert p.loc[95:100].sum() < p.loc[40:44].sum() / 10
    old_2015 = demo["population"].query("year == 2015 and age >= 80")["persons"].sum()
    old_2025 = demo["population"].query("year == 2025 and age >= 80")["persons"].sum()
    assert old_2025 > old_2015 * 1.1  # the country ages


def test_structural_indicators_are_plausible_and_share_0_22_matches_the_population(demo):
    wide = demo["structural_indicators"].pivot_table(
        index=["municipality_code", "year"], columns="indicator", values="value"
    )
    assert wide["socioeconomic_index"].between(0.6, 1.6).all()
    assert wide["socioeconomic_index"].std() > 0.15
    assert wide["population_density"].gt(0).all()
    assert wide["income_per_capita"].between(100_000, 600_000).all()
    recomputed = persons_aged(demo, 0, 22) / persons_aged(demo, 0, 100)
    assert np.allclose(wide["share_0_22"], recomputed.loc[wide.index], atol=1e-6)


def test_price_index_has_base_2025_and_about_2_percent_a_year(demo):
    index = demo["price_index"].set_index("year")["index_value"]
    assert index[2025] == Decimal("100.000000")
    yearly = (index.astype(float) / index.astype(float).shift(1) - 1).dropna()
    assert yearly.between(0.005, 0.05).all()
    average = (100 / float(index[2015])) ** (1 / 10) - 1
    assert 0.015 < average < 0.03


# --- expenditure -----------------------------------------------------------------------------


def test_national_cost_per_child_2025_is_10000_to_11000(demo):
    spent = actual_by_area(demo, "children").xs(2025, level="year").sum()
    children = persons_aged(demo, 0, 22).xs(2025, level="year").sum()
    assert 10_000 <= spent / children <= 11_000


def test_spread_between_municipalities_is_about_40_percent_and_follows_need(demo):
    cost = (actual_by_area(demo, "children") / persons_aged(demo, 0, 22)).xs(2025, level="year")
    index = cost / (actual_by_area(demo, "children").xs(2025, level="year").sum()
                    / persons_aged(demo, 0, 22).xs(2025, level="year").sum())
    assert 0.55 <= index.min() and index.max() <= 1.6
    assert index.quantile(0.9) / index.quantile(0.1) > 1.3
    # A regression of cost per child on the socio-economic index finds a real relation.
    sei = demo["structural_indicators"].query("year == 2025 and indicator == 'socioeconomic_index'")
    sei = sei.set_index("municipality_code")["value"]
    r = np.corrcoef(sei.loc[cost.index], cost)[0, 1]
    assert r**2 > 0.3


def test_syddjurs_cuts_cost_per_child_by_about_a_third_from_2015_to_2019(demo):
    cost = (actual_by_area(demo, "children") / persons_aged(demo, 0, 22)).xs(706, level="municipality_code")
    assert 0.6 < cost[2019] / cost[2015] < 0.72
    national = actual_by_area(demo, "children").groupby("year").sum() / persons_aged(demo, 0, 22).groupby("year").sum()
    assert cost[2015] / national[2015] > 1.2  # it started high, like Syddjurs in 2013


def test_adult_unit_costs_are_realistic(demo):
    sel108 = national_unit_cost(demo, "SEL108", 2025)
    assert 900_000 <= sel108 <= 1_100_000
    sel107 = national_unit_cost(demo, "SEL107", 2025)
    assert 500_000 < sel107 < sel108
    sel85 = national_unit_cost(demo, "SEL85", 2025)
    assert 150_000 < sel85 < 500_000
    assert national_unit_cost(demo, "SEL103", 2025) < sel85
    assert national_unit_cost(demo, "SEL104", 2025) < sel85
    # Unit costs in current prices rise over the years.
    assert national_unit_cost(demo, "SEL108", 2015) < 0.9 * sel108


def test_functions_without_intervention_have_spending_too(demo):
    functions = reference.frame("account_function")
    unmapped = set(functions.loc[functions["intervention_code"].isna(), "function_code"])
    e = demo["expenditure"].query("kind == 'actual'")
    spent = e[e["function_code"].isin(unmapped)].groupby("function_code")["amount_dkk"].sum()
    assert set(spent.index) == unmapped
    assert (spent > 0).all()


def test_full_year_citizens_times_unit_cost_gives_expenditure(demo):
    # For each row: expenditure / full-year citizens is a unit cost within a sane band
    # around the national one (no zero or absurd quantities).
    f = demo["full_year_citizens"].query("year == 2025 and intervention_code == 'SEL108'").set_index("municipality_code")
    e = demo["expenditure"].query("year == 2025 and kind == 'actual' and function_code == '5.38.50'").set_index("municipality_code")
    unit = e["amount_dkk"].map(float) / f["full_year_citizens"].map(float)
    assert unit.between(500_000, 2_000_000).all()


def test_budgets_are_close_to_actuals_in_whole_thousands(demo):
    e = demo["expenditure"]
    budget = e[e["kind"] == "budget"]["amount_dkk"]
    assert all(b % 1000 == 0 for b in budget)
    totals = e.assign(amount=e["amount_dkk"].map(float)).pivot_table(
        index=["municipality_code", "year"], columns="kind", values="amount", aggfunc="sum"
    )
    variance = totals["actual"] / totals["budget"] - 1
    assert variance.abs().max() < 0.25
    assert 0 < variance.median() < 0.08  # the area usually overspends a little
    assert (variance < 0).mean() > 0.1  # but not everywhere


# --- grants, assessments, rates ------------------------------------------------------------


def test_about_20000_grants_from_about_40_providers_and_the_municipalities_own(demo):
    grants = demo["grants"]
    assert 19_000 <= len(grants) <= 21_000
    private = demo["providers"]["owner_municipality_code"].isna()
    assert 35 <= private.sum() <= 45
    assert 40 <= (~private).sum() <= 58  # one own housing provider in about half of 98 municipalities
    assert set(grants["provider_id"]) <= set(demo["providers"]["provider_id"])
    assert grants["start_date"].min() >= dt.date(2019, 1, 1)
    assert grants["start_date"].max() <= dt.date(2025, 12, 31)
    assert {"SEL85", "SEL104", "SEL107", "SEL108", "SEL103"} <= set(grants["intervention_code"])
    assert grants["intervention_code"].str.startswith("BU_").any()


def test_ended_grants_have_a_reason_and_open_ones_none(demo):
    grants = demo["grants"]
    ended = grants["end_date"].notna()
    assert 0.3 < ended.mean() < 0.8
    assert set(grants.loc[ended, "end_reason"]) == {"goal_achieved", "moved", "deceased", "other"}
    assert grants.loc[~ended, "end_reason"].isna().all()
    assert (grants.loc[ended, "end_date"] >= grants.loc[ended, "start_date"]).all()


def test_some_citizens_relapse_into_the_same_intervention(demo):
    g = demo["grants"].sort_values("start_date")
    pairs = g.merge(g, on=["citizen_key", "intervention_code"], suffixes=("", "_later"))
    later = pairs[pairs["grant_id"] != pairs["grant_id_later"]]
    later = later[later["start_date_later"] > later["start_date"]]
    assert later["end_date"].notna().all()  # a new grant only after the earlier one ended
    assert (later["start_date_later"] > later["end_date"]).all()
    assert len(later) > 200


def test_citizen_keys_are_pseudonyms_never_cpr_like(demo):
    keys = demo["grants"]["citizen_key"]
    assert not keys.map(looks_like_cpr).any()
    assert keys.str.fullmatch(r"B-\d{6}").all()


def test_every_assessment_lies_within_its_grant_and_the_first_is_on_the_start_date(demo):
    a = demo["assessments"].merge(demo["grants"], on="grant_id", how="left", validate="many_to_one")
    assert a["start_date"].notna().all()
    assert (a["assessed_on"] >= a["start_date"]).all()
    ended = a["end_date"].notna()
    assert (a.loc[ended, "assessed_on"] <= a.loc[ended, "end_date"]).all()
    assert a["assessed_on"].max() <= dt.date(2025, 12, 31)
    first = a.sort_values("assessed_on").groupby("grant_id").first()
    assert len(first) == len(demo["grants"])  # every grant has assessments
    assert (first["assessed_on"] == first["start_date"]).all()
    assert a["support_level"].between(0, 4).all()


def test_support_need_goes_down_for_a_good_share_and_up_for_some(demo):
    ordered = demo["assessments"].sort_values(["grant_id", "assessed_on"]).groupby("grant_id")["support_level"]
    first, last = ordered.first(), ordered.last()
    assert 0.25 < (last < first).mean() < 0.6
    assert 0.03 < (last > first).mean() < 0.2
    assert (ordered.size() > 1).mean() > 0.5  # most grants are reassessed


def test_every_intervention_level_and_date_used_by_a_grant_has_a_rate(demo):
    # A level holds from its assessment on; rates are never withdrawn, so a rate valid on
    # the assessment date covers every later day too (also exit days after the end).
    rates = demo["rates"]
    used = demo["assessments"].merge(demo["grants"][["grant_id", "intervention_code"]], on="grant_id")
    earliest = rates.groupby(["intervention_code", "support_level"], as_index=False)["valid_from"].min()
    covered = used.merge(earliest, on=["intervention_code", "support_level"], how="left")
    missing = covered[covered["valid_from"].isna() | (covered["valid_from"] > covered["assessed_on"])]
    assert missing.empty, missing.head()
    for code in ("SEL85", "SEL104", "SEL107", "SEL108"):
        assert set(rates.loc[rates["intervention_code"] == code, "support_level"]) == {0, 1, 2, 3, 4}
        assert rates.loc[rates["intervention_code"] == code, "valid_from"].nunique() >= 5  # yearly changes


def test_rates_are_tiered_like_the_domain_examples(demo):
    r = demo["rates"][demo["rates"]["provider_id"] == ""]  # the general rates
    in_2025 = r[r["valid_from"] == dt.date(2025, 1, 1)].set_index(["intervention_code", "support_level"])["daily_rate_dkk"]
    assert [in_2025[("SEL104", level)] for level in (1, 2, 3)] == [Decimal("322.00"), Decimal("544.00"), Decimal("773.00")]
    assert all(Decimal(2500) <= in_2025[("SEL108", level)] <= Decimal(3500) for level in (2, 3, 4))
    for code in ("SEL85", "SEL104", "SEL107", "SEL108"):
        levels = [in_2025[(code, level)] for level in range(5)]
        assert levels == sorted(levels) and len(set(levels)) == 5  # more support, higher rate
    in_2019 = r[r["valid_from"] == dt.date(2019, 1, 1)].set_index(["intervention_code", "support_level"])["daily_rate_dkk"]
    assert in_2019[("SEL108", 3)] < in_2025[("SEL108", 3)]


# --- loading into the warehouse -------------------------------------------------------------


def scalar(engine, sql):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_demo_data_cli_loads_everything_marked_synthetic(db_url, demo, capsys):
    engine = warehouse.create_engine(db_url)
    schema.init(engine)
    try:
        assert cli.main(["demo-data", "--db", db_url, "--no-refresh"]) == 0
        out = capsys.readouterr().out
        assert "SYNTHETIC" in out and f"grants: {len(demo['grants'])} rows loaded" in out
        with engine.connect() as conn:
            sources = warehouse.read_frame(conn, "select table_name, source, synthetic from data_source")
        # Refusion tiers are the shipped (real) levels seeded by init, not demo data.
        assert set(sources["table_name"]) == set(loading.TABLES) - {"refusion_tiers"}
        assert sources["synthetic"].map(bool).all()
        assert sources["source"].str.contains(f"synthetic, seed {SEED}").all()
        for table, frame in demo.items():
            assert scalar(engine, f"select count(*) from {table}") == len(frame), table
        assert scalar(engine, "select sum(amount_dkk) from expenditure") == sum(demo["expenditure"]["amount_dkk"])
        assert scalar(engine, "select sum(full_year_citizens) from full_year_citizens") == sum(
            demo["full_year_citizens"]["full_year_citizens"]
        )
        assert scalar(engine, "select sum(persons) from population") == demo["population"]["persons"].sum()
        assert scalar(engine, "select count(distinct citizen_key) from grants") == demo["grants"]["citizen_key"].nunique()
        assert scalar(
            engine,
            "select count(*) from assessments a join grants g on g.grant_id = a.grant_id"
            " where a.assessed_on < g.start_date or a.assessed_on > coalesce(g.end_date, a.assessed_on)",
        ) == 0
    finally:
        engine.dispose()


def test_a_new_demo_load_replaces_earlier_demo_grants_and_assessments(engine):
    # An earlier demo load (synthetic) left G-1 and G-2 with assessments; the new load
    # brings G-1 only, assessed on other days. (Small hand-made rows: the cleaning step
    # is what is tested here, not the generator.)
    d = dt.date
    loading.load_batch(
        engine,
        [
            loading.Rows("providers", "demo", pd.DataFrame({"provider_id": ["P001"], "provider_name": ["Bostedet"]}), [2]),
            loading.Rows("grants", "demo", pd.DataFrame({
                "grant_id": ["G-1", "G-2"], "citizen_key": ["B-1", "B-2"], "municipality_code": [101, 147],
                "provider_id": ["P001", "P001"], "intervention_code": ["SEL85", "SEL85"],
                "start_date": [d(2024, 1, 1), d(2024, 1, 1)], "end_date": [None, None], "end_reason": [None, None],
            }), [2, 3]),
            loading.Rows("assessments", "demo", pd.DataFrame({
                "grant_id": ["G-1", "G-1", "G-2"], "assessed_on": [d(2024, 1, 1), d(2024, 6, 1), d(2024, 1, 1)],
                "support_level": [3, 2, 3],
            }), [2, 3, 4]),
        ],
        source="earlier demo",
        synthetic=True,
    )
    new_assessments = pd.DataFrame({"grant_id": ["G-1", "G-1"], "assessed_on": [d(2024, 1, 1), d(2024, 9, 1)], "support_level": [3, 1]})
    loading.load_batch(
        engine,
        [loading.Rows("assessments", "demo", new_assessments, [2, 3])],
        source="new",
        synthetic=True,
        after_store=lambda conn: demo_data._remove_stale(conn, new_assessments, earlier_demo_grants=True),
    )
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(sa.text("select grant_id from grants"))] == ["G-1"]
        kept = conn.execute(sa.text("select grant_id, assessed_on from assessments order by assessed_on")).fetchall()
    assert [tuple(r) for r in kept] == [("G-1", d(2024, 1, 1)), ("G-1", d(2024, 9, 1))]


def test_demo_data_keeps_grants_that_were_not_synthetic(engine, write_csv):
    write_csv("providers.csv", "provider_id,provider_name", "P9,Eget tilbud")
    write_csv(
        "grants.csv",
        "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason",
        "REAL-1,C-1,101,P9,SEL85,2025-01-01,,",
    )
    path = write_csv("assessments.csv", "grant_id,assessed_on,support_level", "REAL-1,2025-01-01,2")
    loading.load_path(engine, path.parent)
    with engine.connect() as conn:
        assert not loading.is_synthetic(conn, "grants")
    with engine.begin() as conn:
        demo_data._remove_stale(conn, pd.DataFrame({"grant_id": ["G-000001"], "assessed_on": [dt.date(2025, 1, 1)]}), False)
    assert scalar(engine, "select count(*) from grants") == 1
    assert scalar(engine, "select count(*) from assessments") == 1


def test_demo_data_needs_an_initialised_warehouse(db_url, capsys):
    assert cli.main(["demo-data", "--db", db_url, "--no-refresh"]) == 1
    assert "socialbench init" in capsys.readouterr().err


# --- issue 11: own-home share and own places, computed from the frames (not the views) -----


def _own_home_share(grants: pd.DataFrame, code: int, day: str) -> float:
    """Citizens with an active §85 grant and no active §107/§108 grant, over those plus the
    citizens with an active §107/§108 grant, on `day` (active: started on or before, not
    ended on or before)."""
    d = dt.date.fromisoformat(day)
    g = grants[(grants["municipality_code"] == code) & (grants["start_date"] <= d)]
    g = g[g["end_date"].isna() | g["end_date"].map(lambda e: e is not None and e > d)]
    housing = set(g.loc[g["intervention_code"].isin(["SEL107", "SEL108"]), "citizen_key"])
    home = set(g.loc[g["intervention_code"] == "SEL85", "citizen_key"]) - housing
    return len(home) / (len(home) + len(housing))


@pytest.mark.parametrize("code", [540, 169])
def test_own_home_share_rises_in_soenderborg_and_hoeje_taastrup(demo, code):
    first, last = _own_home_share(demo["grants"], code, "2019-12-31"), _own_home_share(demo["grants"], code, "2025-12-31")
    assert last - first >= 0.15
    assert last >= 0.75


def test_own_home_share_stays_roughly_flat_elsewhere(demo):
    grants = demo["grants"]
    others = sorted(set(grants["municipality_code"]) - {540, 169})
    big = grants[grants["municipality_code"].isin(others)].groupby("municipality_code")["citizen_key"].nunique()
    changes = [
        _own_home_share(grants, code, "2025-12-31") - _own_home_share(grants, code, "2019-12-31")
        for code in big[big >= 150].index
    ]
    assert len(changes) >= 10
    assert np.median(np.abs(changes)) <= 0.10


def test_about_half_the_municipalities_have_own_places(demo):
    providers, places = demo["providers"], demo["housing_places"]
    owned = providers.dropna(subset=["owner_municipality_code"])
    assert 40 <= owned["owner_municipality_code"].nunique() <= 58  # 98 / 2 = 49
    assert set(owned["provider_id"]) <= set(places["provider_id"])
    # The owner's citizens hold (nearly all of) the own provider's grants.
    grants = demo["grants"][demo["grants"]["provider_id"].isin(owned["provider_id"])]
    owner_of = dict(zip(owned["provider_id"], owned["owner_municipality_code"]))
    assert (grants["municipality_code"] == grants["provider_id"].map(owner_of)).all()


def test_occupancy_of_own_places_is_mostly_80_to_100_percent(demo):
    """At each month end 2020-2025: grants active ÷ the places declared (latest valid_from
    on or before the month end)."""
    owned = demo["providers"].dropna(subset=["owner_municipality_code"])["provider_id"]
    places = demo["housing_places"][demo["housing_places"]["provider_id"].isin(owned)]
    grants = demo["grants"]
    ratios = []
    for year in range(2020, 2026):
        for month in range(1, 13):
            end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            for (provider, code), declared in places.groupby(["provider_id", "intervention_code"]):
                valid = declared[declared["valid_from"] <= end]
                if valid.empty:
                    continue
                n = valid.sort_values("valid_from")["places"].iloc[-1]
                g = grants[(grants["provider_id"] == provider) & (grants["intervention_code"] == code)]
                active = ((g["start_date"] <= end) & g["end_date"].map(lambda e: e is None or e > end)).sum()
                ratios.append(active / n)
    ratios = np.array(ratios)
    assert len(ratios) > 1000
    assert ((ratios >= 0.8) & (ratios <= 1.0)).mean() >= 0.75
    assert 0.8 <= np.median(ratios) <= 1.0


# --- budget follow-up (issue 12) ---------------------------------------------------------

def _actual_by_day(demo, municipality: int) -> pd.DataFrame:
    """Slow oracle: expand one municipality's grants day by day, level by the latest
    assessment, general rate of the day's year; full-year citizens and cost per year."""
    g = demo["grants"][demo["grants"]["municipality_code"] == municipality]
    a = demo["assessments"][demo["assessments"]["grant_id"].isin(g["grant_id"])]
    r = demo["rates"][demo["rates"]["provider_id"] == ""]
    rate = {(x.intervention_code, x.support_level, x.valid_from.year): float(x.daily_rate_dkk) for x in r.itertuples()}
    totals: dict = {}
    for grant in g.itertuples():
        marks = sorted((x.assessed_on, x.support_level) for x in a[a["grant_id"] == grant.grant_id].itertuples())
        last = grant.end_date or dt.date(2025, 12, 31)
        day, k = grant.start_date, 0
        while day <= last:
            while k + 1 < len(marks) and marks[k + 1][0] <= day:
                k += 1
            if day.year >= 2019:
                days_in_year = 366 if day.year % 4 == 0 else 365
                t = totals.setdefault((day.year, grant.intervention_code), [0.0, 0.0])
                t[0] += 1 / days_in_year
                t[1] += rate[(grant.intervention_code, marks[k][1], day.year)]
            day += dt.timedelta(days=1)
    return totals


def test_every_municipality_and_intervention_with_grants_has_a_plan_for_each_year(demo):
    g = demo["grants"]
    for year in range(2019, 2026):
        active = g[(g["start_date"] <= dt.date(year, 12, 31)) & (g["end_date"].isna() | (g["end_date"] >= dt.date(year, 1, 1)))]
        want = set(zip(active["municipality_code"], active["intervention_code"]))
        b = demo["budget_plan"][demo["budget_plan"]["year"] == year]
        assert want == set(zip(b["municipality_code"], b["intervention_code"]))


@pytest.mark.parametrize("municipality", [101, 370])
def test_plans_are_within_10_percent_of_the_actuals_day_by_day_and_miss_both_ways(demo, municipality):
    totals = _actual_by_day(demo, municipality)
    b = demo["budget_plan"][demo["budget_plan"]["municipality_code"] == municipality]
    ratios = []
    for row in b.itertuples():
        fyc, cost = totals[(row.year, row.intervention_code)]
        assert float(row.planned_full_year_citizens) == pytest.approx(fyc, rel=0.10)
        assert float(row.planned_unit_cost_dkk) == pytest.approx(cost / fyc, rel=0.10)
        ratios.append(float(row.planned_full_year_citizens * row.planned_unit_cost_dkk) / cost)
    assert min(ratios) < 0.98 and max(ratios) > 1.02


def test_8_to_12_providers_have_own_tariffs_within_15_percent_of_the_general_rate(demo):
    r = demo["rates"]
    general = r[r["provider_id"] == ""]
    own = r[r["provider_id"] != ""]
    assert 8 <= own["provider_id"].nunique() <= 12
    both = own.merge(general, on=["intervention_code", "support_level", "valid_from"], suffixes=("", "_general"))
    assert len(both) == len(own)
    ratio = both["daily_rate_dkk"].map(float) / both["daily_rate_dkk_general"].map(float)
    assert ratio.between(0.85, 1.15).all() and ratio.min() < 0.97 and ratio.max() > 1.03


def test_budget_plans_and_tariffs_are_deterministic(demo):
    again = demo_data.generate(SEED)
    pd.testing.assert_frame_equal(demo["budget_plan"], again["budget_plan"])
    pd.testing.assert_frame_equal(demo["rates"], again["rates"])
