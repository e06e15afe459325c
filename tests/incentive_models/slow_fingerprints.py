"""The ledger's fingerprints as they were first written (row by row, in plain Python),
kept as the oracle for the fast ones in `incentive_models`: the same data must give the
same hashes, or approvals stored by earlier versions would no longer verify.

Copied unchanged from incentive_models/runs.py before it was vectorised; do not "fix" it.
"""
from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from decimal import Decimal

import pandas as pd

from incentive_models.engine import ASSESSMENT_COLUMNS, GRANT_COLUMNS, LINE_COLUMNS, RATE_COLUMNS

INPUT_COLUMNS = {"grants": GRANT_COLUMNS, "assessments": ASSESSMENT_COLUMNS, "rates": RATE_COLUMNS}


def _text(value) -> str:
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    return str(value)


def inputs_sha256(model, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> str:
    digest = hashlib.sha256(json.dumps(model.canonical(), sort_keys=True).encode())
    for name, frame in (("grants", grants), ("assessments", assessments), ("rates", rates)):
        rows = sorted("\t".join(_text(v) for v in row) for row in frame.itertuples(index=False))
        digest.update(f"\n[{name}] {len(rows)}\n".encode())
        digest.update("\n".join(rows).encode())
    return digest.hexdigest()


def lines_sha256(lines: pd.DataFrame) -> str:
    rows = sorted(json.dumps([_text(v) for v in row], ensure_ascii=False) for row in lines[LINE_COLUMNS].itertuples(index=False))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def pack_inputs(grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> bytes:
    payload = {
        name: [[None if _text(v) == "" else _text(v) for v in row] for row in frame[INPUT_COLUMNS[name]].itertuples(index=False)]
        for name, frame in (("grants", grants), ("assessments", assessments), ("rates", rates))
    }
    return gzip.compress(json.dumps(payload, ensure_ascii=False).encode(), mtime=0)
