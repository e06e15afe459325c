"""Parameters of the synthetic demo data, in one place (docs/demo-data.md explains them).

Amounts are 2025 kroner unless a name says otherwise; earlier years are derived with the
price index (PL) and a real growth rate. Nothing here is a real figure for a real
municipality: the data set is synthetic.
"""
from __future__ import annotations

import datetime
from decimal import Decimal

import numpy as np

DEFAULT_SEED = 2026
YEARS = np.arange(2015, 2026)  # 2015-2025
BASE_YEAR = 2025
AGES = np.arange(0, 101)  # 0-100 (100 = 100 and over)

# Each part of the data set draws from its own stream, so changing one part leaves the
# others as they were: Generator(PCG64([seed, part])).
# The national scale (national.py) draws its providers from one stream and each
# municipality's grants from its own: Generator(PCG64([seed, part, municipality_code])).
PARTS = {
    "municipality": 1, "population": 2, "children": 3, "adults": 4, "budget": 5, "grants": 6, "indicators": 7,
    "national_providers": 8, "national_grants": 9,
    "cases": 20, "caseworkers": 21, "housing_places": 22, "own_home": 23, "own_places": 24,
}


def rng(seed: int, part: str, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([int(seed), PARTS[part], *(int(k) for k in keys)]))


# --- price and wage index (PL), growth into each year, % ------------------------------
PL_GROWTH_PCT = {2016: 1.4, 2017: 1.6, 2018: 1.5, 2019: 1.6, 2020: 1.7, 2021: 2.1, 2022: 4.3, 2023: 3.9, 2024: 2.6, 2025: 2.4}

# --- municipalities ---------------------------------------------------------------------
# Socio-economic index (>1 = higher spending need): mean by Statistics Denmark group ...
SEI_GROUP_MEAN = {1: 1.00, 2: 1.05, 3: 1.05, 4: 0.92, 5: 1.15}
SEI_NOISE_SD = 0.12
# ... and well-known profiles for some municipalities (a small noise is still added).
SEI_KNOWN = {
    157: 0.62, 230: 0.63, 223: 0.66, 173: 0.70, 201: 0.70, 155: 0.72, 190: 0.72, 240: 0.75, 269: 0.78,
    187: 0.85, 183: 1.45, 153: 1.48, 165: 1.42, 169: 1.30, 101: 1.18, 360: 1.58, 482: 1.50, 376: 1.38,
    400: 1.35, 306: 1.35, 326: 1.28, 330: 1.30, 813: 1.30, 773: 1.30, 390: 1.30, 825: 1.35, 550: 1.25,
}
SEI_KNOWN_NOISE_SD = 0.03
SEI_RANGE = (0.6, 1.6)
SEI_DRIFT_SD = 0.004  # relative change a year

# Persons per km² in 2026: median by group, lognormal spread, and a few known values.
DENSITY_GROUP_MEDIAN = {1: 1200.0, 2: 450.0, 3: 150.0, 4: 110.0, 5: 55.0}
DENSITY_NOISE_SD = 0.4
DENSITY_KNOWN = {101: 7100.0, 147: 12200.0, 825: 14.0, 741: 33.0, 492: 66.0, 563: 62.0}

# Taxable income per inhabitant, 2025 kroner: INCOME_BASE × SEI^INCOME_SEI_POWER.
INCOME_BASE = 250_000.0
INCOME_SEI_POWER = -0.9
INCOME_NOISE_SD = 0.06
INCOME_GROWTH = 0.025

# --- population ---------------------------------------------------------------------------
# Yearly growth of the total population by group (2015 → 2026), with a municipal spread.
GROWTH_GROUP_MEAN = {1: 0.011, 2: 0.009, 3: 0.001, 4: 0.005, 5: -0.004}
GROWTH_NOISE_SD = 0.003
GROWTH_RANGE = (-0.012, 0.02)
# National age profile (persons per single year of age, thousands), interpolated.
AGE_KNOTS = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100]
AGE_PROFILE = [58, 62, 67, 68, 72, 78, 74, 70, 68, 74, 80, 79, 72, 66, 60, 57, 38, 22, 9, 2.5, 0.3]
# Multipliers on that profile by municipality group (students in the cities, elderly in rural areas).
GROUP_AGE_KNOTS = [0, 10, 18, 22, 26, 30, 35, 45, 55, 65, 75, 85, 100]
GROUP_AGE_FACTOR = {
    1: [1.15, 0.95, 0.85, 1.25, 1.60, 1.55, 1.30, 1.00, 0.85, 0.75, 0.75, 0.80, 0.85],
    2: [1.00, 0.95, 0.95, 1.50, 1.60, 1.30, 1.10, 0.95, 0.90, 0.90, 0.90, 0.90, 0.90],
    3: [0.95, 1.00, 1.05, 0.85, 0.80, 0.85, 0.95, 1.00, 1.05, 1.10, 1.10, 1.05, 1.05],
    4: [1.05, 1.15, 1.15, 0.80, 0.70, 0.85, 1.05, 1.15, 1.05, 1.00, 1.00, 0.95, 0.95],
    5: [0.85, 0.95, 1.00, 0.70, 0.60, 0.70, 0.85, 0.95, 1.15, 1.30, 1.30, 1.15, 1.10],
}
AGE_NOISE_SD = 0.05
AGEING_PER_YEAR = 0.015  # the 80+ grow about 1.5% a year faster than the rest

# --- children (5.28) ----------------------------------------------------------------------
CHILD_COST_2025 = 10_500.0  # national kroner per 0-22-year-old, 2025
CHILD_REAL_GROWTH = 0.006
CHILD_SEI_EFFECT = 0.55  # log cost per child rises by this per unit of SEI
CHILD_NOISE_SD = 0.11
CHILD_TREND_SD = 0.012
CHILD_YEAR_NOISE_SD = 0.03
SYDDJURS = 706
SYDDJURS_2015_INDEX = 1.40  # cost per child vs the country in 2015 (about 13,500 kr. in 2013)
SYDDJURS_CUT = 1 / 3  # 2015 → 2019, current prices
CHILD_FUNCTION_SHARE = {
    "5.28.20": 0.21, "5.28.21": 0.36, "5.28.22": 0.22, "5.28.23": 0.14, "5.28.24": 0.02, "5.28.25": 0.05,
}
CHILD_SHARE_NOISE_SD = 0.25
CHILD_SHARE_YEAR_NOISE_SD = 0.06
# National unit cost per full-year child, 2025 kroner.
CHILD_UNIT_COST_2025 = {
    "BU_OPHOLDSSTED": 1_050_000.0, "BU_FOREBYGGENDE": 140_000.0, "BU_PLEJEFAMILIE": 420_000.0,
    "BU_DOEGNINSTITUTION": 1_450_000.0, "BU_SIKRET": 3_600_000.0,
}
UNIT_COST_REAL_GROWTH = 0.01
UNIT_COST_NOISE_SD = 0.12
UNIT_COST_YEAR_NOISE_SD = 0.035

# --- adults (5.38) ------------------------------------------------------------------------
# intervention: (full-year citizens per 1,000 aged 18-64 in 2025, national unit cost 2025,
#                national real growth of the quantity a year)
ADULT_INTERVENTIONS = {
    "SEL108": (2.9, 1_000_000.0, 0.005),
    "SEL107": (1.5, 780_000.0, 0.02),
    "SEL85": (12.0, 290_000.0, 0.03),
    "SEL104": (5.0, 235_000.0, 0.01),
    "SEL103": (2.0, 150_000.0, -0.01),
    "SEL109_110": (0.9, 520_000.0, 0.01),
}
QUANTITY_SEI_EFFECT = 0.7
QUANTITY_COMMON_SD = 0.12  # a municipality's general level of services
QUANTITY_SPECIFIC_SD = 0.12
QUANTITY_TREND_SD = 0.015
QUANTITY_YEAR_NOISE_SD = 0.04
UNIT_COST_SEI_EFFECT = 0.15
UNIT_COST_CAPITAL_PREMIUM = 0.08  # group 1
# Functions mapped to no intervention: national kroner per 18-64-year-old, 2025.
ADULT_OTHER_PER_CAPITA_2025 = {
    "5.38.35": 140.0, "5.38.39": 520.0, "5.38.40": 210.0, "5.38.41": 130.0, "5.38.44": 160.0,
    "5.38.45": 330.0, "5.38.53": 270.0,
}
OTHER_SEI_EFFECT = 0.5
OTHER_NOISE_SD = 0.2
OTHER_YEAR_NOISE_SD = 0.05
OTHER_REAL_GROWTH = 0.01

# --- budgets -------------------------------------------------------------------------------
# budget = actual / (1 + overrun); overrun = national shock per area and year + municipal
# + function noise. Budgets are whole thousands of kroner.
BUDGET_OVERRUN_MEAN = {"children": 0.03, "adults": 0.025}
BUDGET_YEAR_SD = 0.02
BUDGET_MUNICIPALITY_SD = 0.03
BUDGET_FUNCTION_SD = 0.04

# --- grants ----------------------------------------------------------------------------------
FIRST_GRANT_DAY = np.datetime64("2019-01-01")
DATA_CUTOFF = np.datetime64("2025-12-31")  # the extract date: later ends are open grants
# The demo's budget follow-up is written as of this date (docs/forecast.md): three months before
# the extract date, so Budgetopfølgning shows a year-end forecast, not a finished year.
FORECAST_AS_OF = datetime.date(2025, 9, 30)
PRIMARY_GRANTS = 17_100
# intervention: (share of primary grants, median duration in days,
#                probabilities of end reasons goal_achieved/moved/deceased/other,
#                probabilities of the first support level 0-4)
GRANT_INTERVENTIONS = {
    "SEL85": (0.40, 620, (0.45, 0.20, 0.05, 0.30), (0, 0.15, 0.35, 0.35, 0.15)),
    "SEL104": (0.18, 900, (0.35, 0.25, 0.10, 0.30), (0, 0.30, 0.45, 0.25, 0)),
    "SEL103": (0.07, 1200, (0.30, 0.25, 0.10, 0.35), (0, 0.35, 0.45, 0.20, 0)),
    "SEL107": (0.09, 450, (0.40, 0.25, 0.05, 0.30), (0, 0.10, 0.35, 0.40, 0.15)),
    "SEL108": (0.10, 2200, (0.10, 0.30, 0.35, 0.25), (0, 0.05, 0.25, 0.40, 0.30)),
    "BU_PLEJEFAMILIE": (0.08, 900, (0.40, 0.30, 0.00, 0.30), (0, 0.15, 0.35, 0.35, 0.15)),
    "BU_OPHOLDSSTED": (0.04, 600, (0.40, 0.25, 0.00, 0.35), (0, 0.15, 0.35, 0.35, 0.15)),
    "BU_DOEGNINSTITUTION": (0.04, 400, (0.40, 0.25, 0.00, 0.35), (0, 0.15, 0.35, 0.35, 0.15)),
}
END_REASONS = ("goal_achieved", "moved", "deceased", "other")
DURATION_SIGMA = 0.8
MIN_DURATION_DAYS = 14
GOAL_WHEN_IMPROVED = 0.65  # chance an ended grant whose level went down ended with goal_achieved
SEL85_WITH_SEL104 = 0.15  # share of §85 citizens who also get a §104 grant
RELAPSE_SHARE = 0.25  # share of grants ended as goal_achieved/other followed by a new grant
RELAPSE_GAP_MEAN_DAYS = 200
SAME_REGION_WEIGHT = 3.0  # a provider is this much likelier to serve its own region
# Reassessments: the first after 60-200 days, then every 150-420 days, while the grant runs.
FIRST_REVIEW_DAYS = (60, 200)
REVIEW_DAYS = (150, 420)
MAX_REVIEWS = 20
LEVEL_UP_PROBABILITY = 0.08
LEVEL_DOWN_PROBABILITY = (0.15, 0.45)  # per review; a provider's own value lies in this range

# Tiered daily rates, 2025 kroner, support levels 0-4 (higher = more support). Earlier
# years: the 2025 rate deflated with the PL index, in whole kroner; valid from 1 January.
RATES_2025 = {
    "SEL85": (150, 420, 780, 1150, 1600),
    "SEL104": (180, 322, 544, 773, 1050),
    "SEL103": (100, 250, 400, 560, 720),
    "SEL107": (1100, 1600, 2000, 2400, 2900),
    "SEL108": (1500, 2200, 2500, 3000, 3500),
    "BU_PLEJEFAMILIE": (500, 800, 1100, 1450, 1900),
    "BU_OPHOLDSSTED": (1800, 2400, 2900, 3400, 4200),
    "BU_DOEGNINSTITUTION": (2600, 3300, 3900, 4600, 5500),
}
RATE_YEARS = np.arange(2019, 2026)

# --- national scale (socialbench demo-data --scale national) ---------------------------------
# On top of the demo data: ten years of grants of four adult interventions in all 98
# municipalities, drawn like the demo grants (grants.py) with these differences.
NATIONAL_GRANTS = 120_000  # about; citizens = NATIONAL_GRANTS / NATIONAL_GRANTS_PER_CITIZEN
NATIONAL_INTERVENTIONS = ("SEL85", "SEL104", "SEL107", "SEL108")  # shares, durations, levels: GRANT_INTERVENTIONS
NATIONAL_FIRST_GRANT_DAY = np.datetime64("2016-01-01")
NATIONAL_RATE_YEARS = np.arange(2016, 2026)  # the rule of RATE_YEARS; PL covers 2015-2025
# Follow-ups about quarterly (about 8 assessments per grant): first after 30-90 days,
# then every 50-160 days. Enough reviews that none runs out over ten years
# (30 + 74 × 50 days > 3,653). A provider's chance that a review lowers the level lies
# in 10-30 %, raising it 8 %: the level ends below its start for about 53 % of grants
# and above it for 12 %, and a settlement over the four interventions (90 qualifying
# days) has about 0.75 lines per grant, as in the figures of issue 10 (101,346 lines).
NATIONAL_FIRST_REVIEW_DAYS = (30, 90)
NATIONAL_REVIEW_DAYS = (50, 160)
NATIONAL_MAX_REVIEWS = 75
NATIONAL_LEVEL_UP_PROBABILITY = 0.08
NATIONAL_LEVEL_DOWN_PROBABILITY = (0.10, 0.30)
NATIONAL_GRANTS_PER_CITIZEN = 1.215  # measured: §104 added to §85, relapses (SEL85_WITH_SEL104, RELAPSE_SHARE)

# --- case work (cases.py) -----------------------------------------------------------------------
CASE_FIRST_DAY = np.datetime64("2016-01-01")  # cases received 2016 up to DATA_CUTOFF
# Cases received a year per person of the area's age band (0-22, 18-64), times the SEI.
CASES_PER_PERSON = {"children": 0.0016, "adults": 0.0006}
# Where cases come from (shares by area; codes of socialbench/data/case_sources.csv).
CASE_SOURCES = {
    "children": {"school_daycare": 0.30, "health": 0.15, "relatives": 0.12, "own_application": 0.10,
                 "police": 0.08, "other_municipality": 0.07, "hospital_psychiatry": 0.05, "provider": 0.03,
                 "other": 0.10},
    "adults": {"own_application": 0.30, "relatives": 0.15, "health": 0.15, "hospital_psychiatry": 0.15,
               "jobcenter": 0.10, "other_municipality": 0.05, "provider": 0.05, "police": 0.02, "other": 0.03},
}
# Decisions (granted, other_offer, rejected, withdrawn) and days from receipt to decision.
CASE_DECISIONS = ("granted", "other_offer", "rejected", "withdrawn")
CASE_DECISION_SHARES = {"children": (0.45, 0.30, 0.15, 0.10), "adults": (0.40, 0.25, 0.25, 0.10)}
CASE_DECISION_DAYS = {"children": (20, 150), "adults": (15, 120)}
CASE_UNDECIDED_SHARE = 0.03  # of the cases received long enough ago; the last 60 days: all undecided
GRANTED_CASE_OPEN_DAYS = (180, 1500)
CASE_GRANT_DAYS = 120  # a grant belongs to a granted case decided at most this long before it starts  # a granted case stays open this long after the decision
CLOSED_AFTER_DECISION_DAYS = (0, 21)  # other decisions close the case soon after
# Immediate effort (straksindsats) for adults: the municipalities that run it and, in each,
# the share of adult cases it takes and the share it closes within 12 weeks without a grant.
IMMEDIATE_EFFORT_KNOWN = {540: 0.78, 169: 0.60}  # Sønderborg, Høje-Taastrup
IMMEDIATE_EFFORT_MUNICIPALITIES = 18  # drawn among the others
IMMEDIATE_EFFORT_SHARE = (0.35, 0.65)
IMMEDIATE_EFFORT_SUCCESS = (0.35, 0.55)
IMMEDIATE_EFFORT_CLOSE_DAYS = (20, 84)
# Child investigations: a share of children's cases; on time with a municipality's own
# probability, late by 1-90 days otherwise; Varde improves from 2018 to 2021.
INVESTIGATION_SHARE = 0.65
INVESTIGATION_START_DAYS = (0, 20)
INVESTIGATION_ON_TIME = (0.60, 0.85)
VARDE = 573
VARDE_ON_TIME = {2016: 0.52, 2017: 0.55, 2018: 0.66, 2019: 0.76, 2020: 0.85, 2021: 0.90}  # then 0.90
INVESTIGATION_DAYS_ON_TIME = (45, 120)  # the deadline is four months (120-123 days)
INVESTIGATION_DAYS_LATE = (1, 90)  # after the deadline
# Caseworkers: positions per team sized to 24-38 open cases per FTE in mid-2024 (adults: 30-45), so
# that, rounded up to whole positions and over the years, children's teams carry about 20-35;
# a position changes hands with this chance a year.
CASES_PER_FTE = {"children": (24, 38), "adults": (30, 45)}
CASE_TEAMS = {"children": ("Børn og familie", "Unge"), "adults": ("Voksne", "Psykiatri og misbrug")}
FTE_VALUES = (1.0, 0.9, 0.8, 0.6, 0.5)
FTE_SHARES = (0.65, 0.1, 0.15, 0.05, 0.05)
CASEWORKER_TURNOVER = 0.18
# Places of housing providers (SEL107, SEL108): declared so that occupancy is mostly 80-100 %,
# with a change of the number of places in some years.
# The number of places is declared for each quarter from its first day (a row only when it changes):
# the quarter's mean of the grants active at the month ends divided by an occupancy drawn here.
PLACES_OCCUPANCY = (0.86, 0.98)
# Own places (botilbud the municipality runs itself): about half the municipalities, drawn among
# those with at least OWN_PLACES_MIN_GRANTS § 107/§ 108 grants, have one housing provider of
# their own (providers P041 on, owner_municipality_code set), which takes this share of the
# municipality's own § 107/§ 108 grants (the municipality's own value lies in the range).
OWN_PLACES_MUNICIPALITIES = 49
OWN_PLACES_MIN_GRANTS = 10
OWN_PLACES_SHARE = (0.75, 1.0)
# A rising own-home share (§ 85 rather than § 107/§ 108) in Sønderborg and Høje-Taastrup: each
# of their §85/§107/§108 grants is redrawn as §85 with a chance rising linearly with its start
# year from the first value (FIRST_GRANT_DAY's year) to the second (DATA_CUTOFF's year).
OWN_HOME_RISING = {540: (0.50, 0.98), 169: (0.62, 0.96)}

# Providers: name and the interventions they deliver.
HOUSING = ("SEL107", "SEL108")
HOME = ("SEL85",)
DAY = ("SEL103", "SEL104")
CHILD = ("BU_PLEJEFAMILIE", "BU_OPHOLDSSTED", "BU_DOEGNINSTITUTION")
PROVIDERS = [
    ("Bostedet Solsikken ApS", HOUSING), ("Botilbuddet Egebakken", HOUSING), ("Bofællesskabet Lærkehøj", ("SEL108",)),
    ("Boenheden Kastanjen ApS", HOUSING), ("Botilbuddet Fjordglimt", HOUSING), ("Bostedet Bøgely", ("SEL107",)),
    ("Botilbuddet Skovbrynet", HOUSING), ("Bofællesskabet Havblik", ("SEL108",)), ("Bostedet Lindegården ApS", HOUSING),
    ("Botilbuddet Enghaven", HOUSING), ("Bostøtten Nordvest ApS", HOME), ("Støttecentret Midtpunktet", HOME),
    ("Hjemmestøtte Danmark ApS", HOME), ("Bostøtte Syd I/S", HOME), ("Socialpædagogisk Støtte Øst ApS", HOME),
    ("Den Mobile Bostøtte", HOME), ("Bostøtteteamet Kompasset", HOME), ("Støtte & Trivsel ApS", HOME),
    ("Værkstedet Brobyggeren", DAY), ("Aktivitetshuset Spiren", ("SEL104",)), ("Dagtilbuddet Fyrtårnet", ("SEL104",)),
    ("Beskyttet Værksted Hammeren", ("SEL103",)), ("Samværstilbuddet Kilden", ("SEL104",)), ("Aktivitetscentret Nordlys", DAY),
    ("Værkstedet Høvlen ApS", DAY), ("Café Trappen", ("SEL104",)), ("Opholdsstedet Regnbuen ApS", ("BU_OPHOLDSSTED",)),
    ("Opholdsstedet Skovly", ("BU_OPHOLDSSTED",)), ("Døgninstitutionen Stjernehuset", ("BU_DOEGNINSTITUTION",)),
    ("Familieplejen Danmark ApS", ("BU_PLEJEFAMILIE",)), ("Opholdsstedet Tusindfryd", ("BU_OPHOLDSSTED",)),
    ("Døgninstitutionen Bakkehuset", ("BU_DOEGNINSTITUTION",)), ("Plejefamilienetværket Vest", ("BU_PLEJEFAMILIE",)),
    ("Opholdsstedet Havørnen ApS", ("BU_OPHOLDSSTED", "BU_DOEGNINSTITUTION")),
    ("Fonden Lyngtoften", HOUSING + DAY), ("Den Selvejende Institution Vesterled", HOUSING + HOME),
    ("Socialfonden Midtjylland", HOME + DAY), ("Værkstedsfællesskabet Nord", DAY + HOME),
    ("Familiecentret Ankeret", ("BU_PLEJEFAMILIE", "BU_OPHOLDSSTED")), ("Bo & Beskæftigelse Vest ApS", HOUSING + DAY),
]


def money(values) -> list[Decimal]:
    """Kroner as exact Decimals with 2 places (øre)."""
    return [Decimal(f"{v:.2f}") for v in np.asarray(values, dtype=float)]


def decimals(values, places: int) -> list[Decimal]:
    return [Decimal(f"{v:.{places}f}") for v in np.asarray(values, dtype=float)]


def dates(days: np.ndarray) -> list:
    """numpy datetime64[D] (NaT = missing) as datetime.date objects or None."""
    return np.asarray(days, dtype="datetime64[D]").astype(object).tolist()

# --- budget follow-up (issue 12; budget.py) ----------------------------------------------
PARTS.update({"tariffs": 25, "budget_plan": 26})
TARIFF_PROVIDERS = 10  # providers (of PROVIDERS) with tariffs of their own
TARIFF_SPREAD = 0.14  # own tariff = general rate x U(1 - spread, 1 + spread), per intervention and level
PLAN_MISS_SD = 0.03  # planned quantity and unit price each miss the actual by N(0, 3 %) ...
PLAN_MISS_MAX = 0.045  # ... cut at ±4.5 %, so the budget misses by a few percent either way
