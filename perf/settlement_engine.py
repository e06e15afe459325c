"""How fast is the interval engine? A settlement of the demo grants, against the oracle.

Baseline, measured in the same run: the day-by-day reference implementation that the
tests use as the oracle (tests/incentive_models/reference.py), on the same grants. Both
must give identical lines; the script says so, then prints the ratio. Nothing is asserted
on time.

    .venv/bin/python perf/settlement_engine.py [--grants 2000] [--as-of 2025-12-31]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incentive_models import engine  # noqa: E402
from incentive_models.runs import load_model  # noqa: E402
from socialbench import demo_data  # noqa: E402
from tests.incentive_models.reference import reference_lines  # noqa: E402

MODEL = Path(__file__).resolve().parents[1] / "incentive_models" / "models" / "bostoette-2025.yml"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=2000, help="in-scope demo grants to settle (the oracle is slow)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 12, 31))
    args = parser.parse_args()

    model = load_model(MODEL)
    frames = demo_data.generate()
    grants = frames["grants"]
    grants = grants[grants["intervention_code"].isin(model.interventions)].head(args.grants)
    assessments = frames["assessments"][frames["assessments"]["grant_id"].isin(grants["grant_id"])]
    rates = frames["rates"]

    fast, fast_s = timed(lambda: engine.compute_lines(model, args.as_of, grants, assessments, rates))
    slow, slow_s = timed(lambda: reference_lines(model, args.as_of, grants, assessments, rates))
    same = fast.reset_index(drop=True).equals(slow[fast.columns].reset_index(drop=True))

    print(f"grants settled: {len(grants)} ({len(assessments)} assessments), model {model.model_id}, as of {args.as_of}")
    print(f"lines: {len(fast)}, payout {fast['payout_dkk'].sum()} kr.; identical to the oracle: {same}")
    print(f"baseline (day-by-day oracle): {slow_s:.2f} s")
    print(f"interval engine:              {fast_s:.2f} s  ratio {fast_s / slow_s:.3f}x ({slow_s / fast_s:.0f} times faster)")


if __name__ == "__main__":
    main()
