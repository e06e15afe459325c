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


def measure(grants: int = 2000, as_of: date = date(2025, 12, 31)) -> dict:
    """Engine and oracle on the first `grants` in-scope demo grants: seconds, and whether
    the lines are identical."""
    model = load_model(MODEL)
    frames = demo_data.generate()
    scope = frames["grants"]
    scope = scope[scope["intervention_code"].isin(model.interventions)].head(grants)
    assessments = frames["assessments"][frames["assessments"]["grant_id"].isin(scope["grant_id"])]
    rates = frames["rates"]

    fast, fast_s = timed(lambda: engine.compute_lines(model, as_of, scope, assessments, rates))
    slow, slow_s = timed(lambda: reference_lines(model, as_of, scope, assessments, rates))
    same = fast.reset_index(drop=True).equals(slow[fast.columns].reset_index(drop=True))
    return {
        "model_id": model.model_id, "as_of": as_of, "grants": len(scope), "assessments": len(assessments),
        "lines": len(fast), "payout_dkk": fast["payout_dkk"].sum(), "identical": same,
        "oracle_s": slow_s, "engine_s": fast_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=2000, help="in-scope demo grants to settle (the oracle is slow)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2025, 12, 31))
    args = parser.parse_args()
    f = measure(args.grants, args.as_of)
    print(f"grants settled: {f['grants']} ({f['assessments']} assessments), model {f['model_id']}, as of {f['as_of']}")
    print(f"lines: {f['lines']}, payout {f['payout_dkk']} kr.; identical to the oracle: {f['identical']}")
    print(f"baseline (day-by-day oracle): {f['oracle_s']:.2f} s")
    print(f"interval engine:              {f['engine_s']:.2f} s  ratio {f['engine_s'] / f['oracle_s']:.3f}x ({f['oracle_s'] / f['engine_s']:.0f} times faster)")


if __name__ == "__main__":
    main()
