"""The settlement ledger: draft runs, approval, and reading runs back.

Reading from and writing to the warehouse happens here, and only here; the rules are
computed by `incentive_models.engine` on plain DataFrames. Every function works inside
one transaction: a run that fails writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from incentive_models.engine import LINE_COLUMNS, PAID_COLUMNS, compute_lines
from incentive_models.model import Model, load_model, parse_model
from incentive_models.rules import ZERO
from socialbench import warehouse
from socialbench.errors import InputError, Problem, SocialbenchError

__all__ = [
    "ApprovalRefused", "RunNotFound", "approve", "create_draft", "get_run", "inputs_sha256",
    "list_runs", "load_model", "parse_model", "read_inputs", "run_lines",
]

DRAFT, APPROVED = "draft", "approved"
RUN_COLUMNS = [
    "run_id", "model_id", "as_of", "status", "created_at", "approved_at", "inputs_sha256",
    "line_count", "total_saving_dkk", "total_earned_dkk", "total_payout_dkk",
    "total_held_back_dkk", "total_adjustment_dkk", "model_yaml",
]


class RunNotFound(SocialbenchError):
    """No settlement run has the given id."""


class ApprovalRefused(SocialbenchError):
    """A run cannot be approved; the message says what to do instead."""


def _now() -> datetime:
    return warehouse.utc_now()


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError([Problem("as-of date", None, None, f"not a date YYYY-MM-DD: {value!r}")])


def read_inputs(conn: Connection, model: Model) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The model's in-scope grants, their assessments, and the rates of its interventions."""
    codes = list(model.interventions)
    grants = warehouse.read_frame(
        conn,
        "select grant_id, citizen_key, municipality_code, provider_id, intervention_code,"
        " start_date, end_date, end_reason from grants where intervention_code in :codes"
        " order by grant_id",
        codes=codes,
    )
    assessments = warehouse.read_frame(
        conn,
        "select a.grant_id, a.assessed_on, a.support_level from assessments a"
        " join grants g on g.grant_id = a.grant_id where g.intervention_code in :codes"
        " order by a.grant_id, a.assessed_on",
        codes=codes,
    )
    rates = warehouse.read_frame(
        conn,
        "select intervention_code, support_level, valid_from, daily_rate_dkk from rates"
        " where intervention_code in :codes order by intervention_code, support_level, valid_from",
        codes=codes,
    )
    return grants, assessments, rates


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


def inputs_sha256(model: Model, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> str:
    """A fingerprint of everything a run is computed from: the model's meaning and the
    in-scope grants, assessments and rates (the same on DuckDB and PostgreSQL)."""
    digest = hashlib.sha256(json.dumps(model.canonical(), sort_keys=True).encode())
    for name, frame in (("grants", grants), ("assessments", assessments), ("rates", rates)):
        rows = sorted("\t".join(_text(v) for v in row) for row in frame.itertuples(index=False))
        digest.update(f"\n[{name}] {len(rows)}\n".encode())
        digest.update("\n".join(rows).encode())
    return digest.hexdigest()


def _read_paid(conn: Connection, model_id: str, as_of: date) -> pd.DataFrame:
    """Per episode: the sum of its payouts in approved runs of the model before as_of,
    with the attributes of its latest line (for an episode that no longer qualifies)."""
    lines = warehouse.read_frame(
        conn,
        "select l.grant_id, l.episode_start, l.payout_dkk, l.provider_id, l.municipality_code,"
        " l.intervention_code, l.citizen_key, l.baseline_level, r.as_of"
        " from settlement_line l join settlement_run r on r.run_id = l.run_id"
        " where r.model_id = :model_id and r.status = :approved and r.as_of < :as_of"
        " order by r.as_of, l.grant_id, l.episode_start",
        model_id=model_id, approved=APPROVED, as_of=as_of,
    )
    if lines.empty:
        return pd.DataFrame(columns=PAID_COLUMNS)
    keys = ["grant_id", "episode_start"]
    totals = lines.groupby(keys, sort=False)["payout_dkk"].agg(lambda s: sum(s, ZERO)).rename("previously_paid_dkk")
    latest = lines.drop_duplicates(keys, keep="last").set_index(keys)
    paid = latest.join(totals).reset_index()
    paid = paid.loc[paid["previously_paid_dkk"] != 0]
    return paid[PAID_COLUMNS].reset_index(drop=True)


def _check_interventions(conn: Connection, model: Model) -> None:
    known = set(warehouse.read_frame(conn, "select intervention_code from intervention")["intervention_code"])
    unknown = [code for code in model.interventions if code not in known]
    if unknown:
        raise InputError(
            [Problem(model.source, None, "interventions", f"unknown intervention code {c} (not in the intervention table)") for c in unknown]
        )


def _require_tables(conn: Connection) -> None:
    if not sa.inspect(conn).has_table("settlement_run"):
        raise SocialbenchError("the warehouse has no settlement tables yet: run `socialbench init` first")


def _lock(conn: Connection) -> None:
    """PostgreSQL: one settlement writer at a time (DuckDB has a single writer anyway)."""
    if warehouse.dialect(conn) == "postgresql":
        conn.execute(sa.text("lock table settlement_run in share row exclusive mode"))


def _total(frame: pd.DataFrame, column: str) -> Decimal:
    return sum(frame[column], ZERO)


def create_draft(engine: Engine, model: Model, as_of: date | str) -> str:
    """Compute and store a draft run of the model as of a date; returns its run_id.

    A draft for the same model and as_of replaces the earlier draft. Approved runs are
    never touched. Raises RuleError (e.g. a missing rate) and writes nothing on failure."""
    as_of = _as_date(as_of)
    with engine.begin() as conn:
        _require_tables(conn)
        _lock(conn)
        _check_interventions(conn, model)
        grants, assessments, rates = read_inputs(conn, model)
        paid = _read_paid(conn, model.model_id, as_of)
        lines = compute_lines(model, as_of, grants, assessments, rates, paid)
        run_id = f"{model.model_id}-{as_of:%Y%m%d}-{uuid.uuid4().hex[:8]}"
        old = warehouse.read_frame(
            conn,
            "select run_id from settlement_run where model_id = :m and as_of = :e and status = :draft",
            m=model.model_id, e=as_of, draft=DRAFT,
        )["run_id"].tolist()
        for old_id in old:
            conn.execute(sa.text("delete from settlement_line where run_id = :r"), {"r": old_id})
            conn.execute(sa.text("delete from settlement_run where run_id = :r"), {"r": old_id})
        run = {
            "run_id": run_id,
            "model_id": model.model_id,
            "as_of": as_of,
            "status": DRAFT,
            "created_at": _now(),
            "approved_at": None,
            "inputs_sha256": inputs_sha256(model, grants, assessments, rates),
            "line_count": len(lines),
            "total_saving_dkk": _total(lines, "saving_to_date_dkk"),
            "total_earned_dkk": _total(lines, "earned_dkk"),
            "total_payout_dkk": _total(lines, "payout_dkk"),
            "total_held_back_dkk": _total(lines, "held_back_dkk"),
            "total_adjustment_dkk": _total(lines, "adjustment_dkk"),
            "model_yaml": model.to_yaml(),
        }
        # A plain insert: insert_frame would store pandas timestamps as dates on PostgreSQL.
        conn.execute(
            sa.text(f"insert into settlement_run ({', '.join(RUN_COLUMNS)}) values ({', '.join(':' + c for c in RUN_COLUMNS)})"),
            run,
        )
        warehouse.insert_frame(conn, "settlement_line", lines.assign(run_id=run_id)[["run_id", *LINE_COLUMNS]])
    return run_id


def _run(conn: Connection, run_id: str) -> dict:
    _require_tables(conn)
    found = warehouse.read_frame(conn, f"select {', '.join(RUN_COLUMNS)} from settlement_run where run_id = :r", r=run_id)
    if found.empty:
        raise RunNotFound(f"no settlement run {run_id!r}: see `socialbench settle run` and the list of runs")
    return found.iloc[0].to_dict()


def get_run(engine: Engine, run_id: str) -> dict:
    """One run's row of settlement_run, as a dict; RunNotFound if there is none."""
    with engine.connect() as conn:
        return _run(conn, run_id)


def approve(engine: Engine, run_id: str) -> None:
    """Approve a draft run, making it final. Refused (ApprovalRefused, saying what to do)
    if a run of the same model with the same or a later as_of is already approved, if
    another run of the model was approved after this draft was computed, or if the
    model's grants, assessments or rates changed since then."""
    with engine.begin() as conn:
        _require_tables(conn)
        _lock(conn)
        run = _run(conn, run_id)
        as_of = _as_date(run["as_of"])
        again = f"socialbench settle run --model FILE --as-of {as_of.isoformat()}"
        if run["status"] == APPROVED:
            raise ApprovalRefused(f"run {run_id} is already approved (at {run['approved_at']}); approved runs are final")
        approved = warehouse.read_frame(
            conn,
            "select run_id, as_of, approved_at from settlement_run"
            " where model_id = :m and status = :approved order by as_of desc",
            m=run["model_id"], approved=APPROVED,
        )
        for other in approved.itertuples():
            if _as_date(other.as_of) >= as_of:
                raise ApprovalRefused(
                    f"cannot approve run {run_id}: run {other.run_id} of model {run['model_id']} as of "
                    f"{_as_date(other.as_of).isoformat()} is already approved and approved runs are final; "
                    f"make a new run with an as-of date after {_as_date(other.as_of).isoformat()} "
                    f"(socialbench settle run --model FILE --as-of YYYY-MM-DD) and approve that"
                )
        for other in approved.itertuples():
            if pd.Timestamp(other.approved_at) >= pd.Timestamp(run["created_at"]):
                raise ApprovalRefused(
                    f"cannot approve run {run_id}: run {other.run_id} (as of {_as_date(other.as_of).isoformat()}) "
                    f"was approved after this draft was computed, so the draft does not subtract what it paid; "
                    f"compute the draft again ({again}) and approve the new run"
                )
        model = parse_model(run["model_yaml"], f"model of run {run_id}")
        if inputs_sha256(model, *read_inputs(conn, model)) != run["inputs_sha256"]:
            raise ApprovalRefused(
                f"cannot approve run {run_id}: the grants, assessments or rates of "
                f"{', '.join(model.interventions)} changed after the draft was computed at "
                f"{pd.Timestamp(run['created_at']):%Y-%m-%d %H:%M:%S}; compute the draft again "
                f"({again}), check it, and approve the new run"
            )
        conn.execute(
            sa.text("update settlement_run set status = :approved, approved_at = :t where run_id = :r and status = :draft"),
            {"approved": APPROVED, "t": _now(), "r": run_id, "draft": DRAFT},
        )


def list_runs(engine: Engine) -> pd.DataFrame:
    """Every run (settlement_run's columns), by model, as-of date and creation."""
    with engine.connect() as conn:
        _require_tables(conn)
        return warehouse.read_frame(conn, f"select {', '.join(RUN_COLUMNS)} from settlement_run order by model_id, as_of, created_at")


def run_lines(engine: Engine, run_id: str) -> pd.DataFrame:
    """The lines of a run (settlement_line's columns); RunNotFound if there is no such run."""
    columns = ", ".join(["run_id", *LINE_COLUMNS])
    with engine.connect() as conn:
        _run(conn, run_id)
        return warehouse.read_frame(
            conn,
            f"select {columns} from settlement_line where run_id = :r"
            " order by provider_id, municipality_code, citizen_key, grant_id, episode_start",
            r=run_id,
        )
