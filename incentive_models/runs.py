"""The settlement ledger: draft runs, approval, and reading runs back.

Reading from and writing to the warehouse happens here, and only here; the rules are
computed by `incentive_models.engine` on plain DataFrames. Every function works inside
one transaction: a run that fails writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection, Engine

from incentive_models.danish import DANISH_TIME
from incentive_models import inputs as run_inputs
from incentive_models import line_store, ore
from incentive_models.engine import LINE_COLUMNS, PAID_COLUMNS, as_dkk, line_frame
from incentive_models.inputs import inputs_sha256, pack_inputs, unpack_inputs
from incentive_models.inputs import value_text as _text
from incentive_models.ledger_lock import ledger_transaction
from incentive_models.model import Model, load_model, parse_model
from incentive_models.rules import ZERO
from socialbench import warehouse
from socialbench.errors import InputError, Problem, SocialbenchError

__all__ = [
    "ApprovalRefused", "RunNotFound", "approve", "create_draft", "get_run", "inputs_sha256",
    "ledger_head", "list_runs", "load_model", "parse_model", "read_inputs", "run_lines", "verify",
]

DRAFT, APPROVED = "draft", "approved"
RUN_COLUMNS = [
    "run_id", "model_id", "as_of", "status", "created_at", "approved_at", "inputs_sha256",
    "line_count", "total_saving_dkk", "total_earned_dkk", "total_payout_dkk",
    "total_held_back_dkk", "total_adjustment_dkk", "model_yaml", "ledger_position",
]
# Each total of a run and the line column it adds up.
TOTALS = {
    "total_saving_dkk": "saving_to_date_dkk",
    "total_earned_dkk": "earned_dkk",
    "total_payout_dkk": "payout_dkk",
    "total_held_back_dkk": "held_back_dkk",
    "total_adjustment_dkk": "adjustment_dkk",
}
TOTAL_COLUMNS = list(TOTALS)
APPROVAL_COLUMNS = [
    "approval_no", "run_id", "model_id", "as_of", "approved_at", "model_sha256", "inputs_sha256",
    "lines_sha256", "previous_sha256", "record_sha256", "inputs_gz",
]


class RunNotFound(SocialbenchError):
    """No settlement run has the given id."""


class ApprovalRefused(SocialbenchError):
    """A run cannot be approved; the message says what to do instead."""


def _now() -> datetime:
    return warehouse.utc_now()


def danish_today() -> date:
    """Today's date in Denmark: the latest day a run may settle."""
    return datetime.now(DANISH_TIME).date()


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
    """The model's in-scope grants, their assessments, and the rates of its interventions
    (read natively: `incentive_models.inputs`)."""
    return run_inputs.read_inputs(conn, model)


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _timestamp(value) -> str:
    return pd.Timestamp(value).isoformat()


def record_sha256(approval: dict, run: dict, lines_hash: str) -> str:
    """The hash of an approval record: the run's identity, totals and lines, and the hash
    of the approval before it (so no record can change without breaking the chain)."""
    return _digest(
        {
            "approval_no": int(approval["approval_no"]),
            "run_id": approval["run_id"],
            "model_id": approval["model_id"],
            "as_of": _as_date(approval["as_of"]).isoformat(),
            "approved_at": _timestamp(approval["approved_at"]),
            "model_sha256": approval["model_sha256"],
            "inputs_sha256": approval["inputs_sha256"],
            "lines_sha256": lines_hash,
            "line_count": int(run["line_count"]),
            "totals": {c: _text(run[c]) for c in TOTAL_COLUMNS},
            "previous_sha256": approval["previous_sha256"],
        }
    )


def _read_paid(conn: Connection, model_id: str, as_of: date, before_approval: int | None = None) -> pd.DataFrame:
    """Per paid episode: the sum of its payouts in approved runs, with the attributes of
    its latest line. Every run marked approved counts (a double approval that the old
    ledger allowed paid too), in the order of the approval ledger. Every other model's approved runs count, whatever their date; of the
    model's own, those before as_of (a draft beside an approved date is for review only,
    it can never be approved). `before_approval` reads the ledger as it stood before
    that approval number."""
    lines = warehouse.read_frame(
        conn,
        "select l.grant_id, l.episode_start, l.payout_dkk, l.provider_id, l.municipality_code,"
        " l.intervention_code, l.citizen_key, l.baseline_level, r.as_of"
        " from settlement_line l join settlement_run r on r.run_id = l.run_id"
        " left join settlement_approval a on a.run_id = l.run_id"
        " where r.status = :approved and (r.model_id <> :model_id or r.as_of < :as_of)"
        " and coalesce(a.approval_no, 0) < :before"
        " order by coalesce(a.approval_no, 0), l.grant_id, l.episode_start",
        approved=APPROVED, model_id=model_id, as_of=as_of, before=before_approval if before_approval is not None else 1 << 62,
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
    if not sa.inspect(conn).has_table("settlement_approval"):
        raise SocialbenchError("the warehouse has no settlement ledger yet: run `socialbench init` first")


def _latest_settleable_day(conn: Connection) -> tuple[date, str]:
    """The latest as-of date a run may have, and why: today in Denmark, or the day the
    grants or assessments were last loaded if that is earlier."""
    bound, why = danish_today(), "today (Danish time): a run cannot settle days that have not happened yet"
    loaded = warehouse.read_frame(
        conn, "select table_name, loaded_at from data_source where table_name in ('grants', 'assessments')"
    )
    for table, at in sorted(zip(loaded["table_name"], loaded["loaded_at"])):
        day = pd.Timestamp(at).to_pydatetime().replace(tzinfo=timezone.utc).astimezone(DANISH_TIME).date()
        if day < bound:
            bound = day
            why = f"the day the {table} were last loaded: a run cannot settle days its data has not seen; load newer data first"
    return bound, why


def _check_as_of(conn: Connection, as_of: date) -> None:
    bound, why = _latest_settleable_day(conn)
    if as_of > bound:
        raise InputError([Problem("as-of date", None, None, f"{as_of.isoformat()} is after {bound.isoformat()}, {why}")])


def _ledger_position(conn: Connection) -> int:
    return int(conn.execute(sa.text("select coalesce(max(approval_no), 0) from settlement_approval")).scalar_one())


def _totals(lines: pd.DataFrame) -> dict[str, Decimal]:
    """The run's totals (settlement_run's total columns) from its lines in øre."""
    sums = line_store.totals(lines)
    return {total: ore.decimals([sums[column]])[0] for total, column in TOTALS.items()}


def create_draft(engine: Engine, model: Model, as_of: date | str) -> str:
    """Compute and store a draft run of the model as of a date; returns its run_id.

    A draft for the same model and as_of replaces the earlier draft. Approved runs are
    never touched. The as-of date may not be after today (Danish time) nor after the day
    the grants and assessments were last loaded. Raises RuleError (e.g. a missing rate)
    or InputError, and writes nothing on failure."""
    as_of = _as_date(as_of)
    try:
        return _create_draft(engine, model, as_of)
    except sa.exc.DataError:  # e.g. a total beyond numeric(14,2)
        raise SocialbenchError(
            f"cannot store the run of model {model.model_id} as of {as_of.isoformat()}: an amount does not fit "
            f"the ledger's columns (numeric(14,2), at most 999,999,999,999.99 kr.); check the rates and the model's caps"
        ) from None


def _create_draft(engine: Engine, model: Model, as_of: date) -> str:
    with ledger_transaction(engine) as conn:
        _require_tables(conn)
        _check_as_of(conn, as_of)
        _check_interventions(conn, model)
        grants, assessments, rates = read_inputs(conn, model)
        position = _ledger_position(conn)
        paid = _read_paid(conn, model.model_id, as_of)
        lines = line_frame(model, as_of, grants, assessments, rates, paid)
        run_id = f"{model.model_id}-{as_of:%Y%m%d}-{uuid.uuid4().hex[:8]}"
        old = warehouse.read_frame(
            conn,
            "select run_id from settlement_run where model_id = :m and as_of = :e and status = :draft",
            m=model.model_id, e=as_of, draft=DRAFT,
        )["run_id"].tolist()
        for old_id in old:
            conn.execute(sa.text("delete from settlement_line where run_id = :r"), {"r": old_id})
            conn.execute(sa.text("delete from settlement_run where run_id = :r and status = :draft"), {"r": old_id, "draft": DRAFT})
        run = {
            "run_id": run_id,
            "model_id": model.model_id,
            "as_of": as_of,
            "status": DRAFT,
            "created_at": _now(),
            "approved_at": None,
            "inputs_sha256": inputs_sha256(model, grants, assessments, rates),
            "line_count": len(lines),
            **_totals(lines),
            "model_yaml": model.to_yaml(),
            "ledger_position": position,
        }
        # A plain insert: insert_frame would store pandas timestamps as dates on PostgreSQL.
        conn.execute(
            sa.text(f"insert into settlement_run ({', '.join(RUN_COLUMNS)}) values ({', '.join(':' + c for c in RUN_COLUMNS)})"),
            run,
        )
        line_store.write_lines(conn, run_id, lines)
    return run_id


def _run(conn: Connection, run_id: str) -> dict:
    _require_tables(conn)
    found = warehouse.read_frame(conn, f"select {', '.join(RUN_COLUMNS)} from settlement_run where run_id = :r", r=run_id)
    if found.empty:
        raise RunNotFound(
            f"no settlement run {run_id!r} (a newer draft of the same model and date replaces a draft): "
            f"see `socialbench settle list`"
        )
    return found.iloc[0].to_dict()


def get_run(engine: Engine, run_id: str) -> dict:
    """One run's row of settlement_run, as a dict; RunNotFound if there is none."""
    with engine.connect() as conn:
        return _run(conn, run_id)


def _stored_lines(conn: Connection, run_id: str) -> pd.DataFrame:
    """A run's lines as settlement_line has them (run_id first; Decimal money, dates)."""
    lines = as_dkk(line_store.read_lines(conn, run_id))
    lines.insert(0, "run_id", run_id)
    return lines


def _approvals(conn: Connection) -> pd.DataFrame:
    """The approval ledger in order, without the kept inputs (read one at a time)."""
    columns = ", ".join(c for c in APPROVAL_COLUMNS if c != "inputs_gz")
    return warehouse.read_frame(conn, f"select {columns} from settlement_approval order by approval_no")


def _kept_inputs(conn: Connection, approval_no: int):
    blob = conn.execute(sa.text("select inputs_gz from settlement_approval where approval_no = :n"), {"n": approval_no}).scalar_one()
    return None if blob is None else unpack_inputs(blob)


def _legacy_interventions(text: str) -> list[str]:
    """The interventions of a model approved before the ledger recorded claims, read
    leniently: an old model the present parser would refuse must not block approvals."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    codes = raw.get("interventions") if isinstance(raw, dict) else None
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


def _claims(conn: Connection) -> dict[str, tuple[str, int]]:
    """Which model settles each intervention ({code: (model_id, first approval number)}):
    settlement_scope, plus the models of approvals from before the ledger (read once,
    leniently; the next approval records them)."""
    rows = warehouse.read_frame(conn, "select intervention_code, model_id, first_approval_no from settlement_scope")
    claims = {c: (m, int(n)) for c, m, n in rows.itertuples(index=False)}
    legacy = warehouse.read_frame(
        conn,
        "select a.approval_no, a.model_id, r.model_yaml from settlement_approval a"
        " join settlement_run r on r.run_id = a.run_id"
        " where a.approval_no <= (select max(legacy_approvals) from settlement_ledger_origin)"
        " order by a.approval_no",
    )
    for number, model_id, text in legacy.itertuples(index=False):
        for code in _legacy_interventions(text):
            claims.setdefault(code, (model_id, int(number)))
    return claims


def _refuse_unless_approvable(conn: Connection, run: dict, model: Model, approvals: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """Raise ApprovalRefused unless the run may be approved; returns the claims it checked."""
    run_id, as_of = run["run_id"], _as_date(run["as_of"])
    again = f"socialbench settle run --model FILE --as-of {as_of.isoformat()}"
    if run["status"] == APPROVED:
        raise ApprovalRefused(f"run {run_id} is already approved; approved runs are final")
    bound, why = _latest_settleable_day(conn)
    if as_of > bound:
        raise ApprovalRefused(f"cannot approve run {run_id}: its as-of date {as_of.isoformat()} is after {bound.isoformat()}, {why}")
    claims = _claims(conn)
    for code in model.interventions:
        owner, number = claims.get(code, (model.model_id, 0))
        if owner != model.model_id:
            first = approvals.loc[approvals["approval_no"] == number, "run_id"].iloc[0]
            raise ApprovalRefused(
                f"cannot approve run {run_id}: intervention {code} is settled by model {owner} "
                f"(approved run {first}); two models may not settle the same intervention, so the same "
                f"grants cannot be paid twice: settle {code} with model {owner}"
            )
    own = approvals.loc[approvals["model_id"] == model.model_id]
    for other in own.itertuples():
        if _as_date(other.as_of) >= as_of:
            raise ApprovalRefused(
                f"cannot approve run {run_id}: run {other.run_id} of model {model.model_id} as of "
                f"{_as_date(other.as_of).isoformat()} is already approved and approved runs are final; "
                f"make a new run with an as-of date after {_as_date(other.as_of).isoformat()} "
                f"(socialbench settle run --model FILE --as-of YYYY-MM-DD) and approve that"
            )
    position = 0 if pd.isna(run["ledger_position"]) else int(run["ledger_position"])
    later = own.loc[own["approval_no"] > position]
    if len(later):
        other = later.iloc[0]
        raise ApprovalRefused(
            f"cannot approve run {run_id}: run {other.run_id} (as of {_as_date(other.as_of).isoformat()}) "
            f"was approved as number {int(other.approval_no)} after this draft was computed, so the draft does "
            f"not subtract what it paid; compute the draft again ({again}) and approve the new run"
        )
    return claims


def approve(engine: Engine, run_id: str) -> None:
    """Approve a draft run, making it final, as the next number in the approval ledger.

    Refused (ApprovalRefused, saying what to do) if the run is approved already; if its
    as-of date is after today or after the data's last load; if another model settles
    one of its interventions; if a run of the same model with the same or a later as_of
    is approved; if a run of the model was approved after this draft was computed; or if
    the model's grants, assessments or rates changed since then. Concurrent approvals are
    serialised (`ledger_lock`); the database's constraints refuse what would slip past."""
    try:
        with ledger_transaction(engine) as conn:
            _require_tables(conn)
            run = _run(conn, run_id)
            model = parse_model(run["model_yaml"], f"model of run {run_id}")
            approvals = _approvals(conn)
            claims = _refuse_unless_approvable(conn, run, model, approvals)
            inputs = read_inputs(conn, model)
            fingerprint, packed = run_inputs.fingerprint_and_pack(model, *inputs)
            if fingerprint != run["inputs_sha256"]:
                as_of = _as_date(run["as_of"])
                raise ApprovalRefused(
                    f"cannot approve run {run_id}: the grants, assessments or rates of "
                    f"{', '.join(model.interventions)} changed after the draft was computed at "
                    f"{pd.Timestamp(run['created_at']):%Y-%m-%d %H:%M:%S}; compute the draft again "
                    f"(socialbench settle run --model FILE --as-of {as_of.isoformat()}), check it, and approve the new run"
                )
            again = line_frame(model, _as_date(run["as_of"]), *inputs, _read_paid(conn, model.model_id, _as_date(run["as_of"])))
            stored = line_store.read_lines(conn, run_id)
            stored_sha256 = line_store.lines_sha256(stored)
            if line_store.lines_sha256(again) != stored_sha256 or not _totals_match(run, stored):
                raise ApprovalRefused(
                    f"cannot approve run {run_id}: its stored lines or totals differ from the same run computed "
                    f"again now: the draft was changed after it was computed; compute the draft again "
                    f"(socialbench settle run --model FILE --as-of {_as_date(run['as_of']).isoformat()}) and approve the new run"
                )
            _append_approval(conn, run, model, approvals, packed, claims, stored_sha256)
    except sa.exc.DBAPIError as error:
        # Only reached if the lock was bypassed: the constraints refused a second approval.
        raise ApprovalRefused(
            f"cannot approve run {run_id}: another approval was written at the same time and the ledger "
            f"refused this one ({type(error.orig).__name__}); see `socialbench settle list`"
        ) from None


def _totals_match(run: dict, lines: pd.DataFrame) -> bool:
    """Whether the run's line count and totals are those of its lines (in øre)."""
    return int(run["line_count"]) == len(lines) and all(Decimal(run[total]) == value for total, value in _totals(lines).items())


def _append_approval(
    conn: Connection, run: dict, model: Model, approvals: pd.DataFrame, packed: bytes, claims: dict, lines_hash: str
) -> None:
    number = int(approvals["approval_no"].max()) + 1 if len(approvals) else 1
    previous = approvals["record_sha256"].iloc[-1] if len(approvals) else None
    approval = {
        "approval_no": number,
        "run_id": run["run_id"],
        "model_id": run["model_id"],
        "as_of": _as_date(run["as_of"]),
        "approved_at": _now(),
        "model_sha256": model.sha256(),
        "inputs_sha256": run["inputs_sha256"],
        "lines_sha256": lines_hash,
        "previous_sha256": None if previous is None or pd.isna(previous) else previous,
        "inputs_gz": packed,
    }
    approval["record_sha256"] = record_sha256(approval, run, approval["lines_sha256"])
    conn.execute(
        sa.text(f"insert into settlement_approval ({', '.join(APPROVAL_COLUMNS)}) values ({', '.join(':' + c for c in APPROVAL_COLUMNS)})"),
        approval,
    )
    claimed = set(warehouse.read_frame(conn, "select intervention_code from settlement_scope")["intervention_code"])
    # a claim of an approval from before the ledger keeps its number (claims from _claims)
    for code in model.interventions:
        if code not in claimed:
            conn.execute(
                sa.text("insert into settlement_scope (intervention_code, model_id, first_approval_no) values (:c, :m, :n)"),
                {"c": code, "m": model.model_id, "n": claims.get(code, (model.model_id, number))[1]},
            )
    updated = conn.execute(
        sa.text("update settlement_run set status = :approved, approved_at = :t where run_id = :r and status = :draft"),
        {"approved": APPROVED, "t": approval["approved_at"], "r": run["run_id"], "draft": DRAFT},
    )
    if updated.rowcount != 1:
        raise ApprovalRefused(f"cannot approve run {run['run_id']}: it is no longer a draft")


def list_runs(engine: Engine) -> pd.DataFrame:
    """Every run (settlement_run's columns), by model, as-of date and creation."""
    with engine.connect() as conn:
        _require_tables(conn)
        return warehouse.read_frame(conn, f"select {', '.join(RUN_COLUMNS)} from settlement_run order by model_id, as_of, created_at")


def run_lines(engine: Engine, run_id: str) -> pd.DataFrame:
    """The lines of a run (settlement_line's columns); RunNotFound if there is no such run."""
    with engine.connect() as conn:
        _run(conn, run_id)
        return _stored_lines(conn, run_id)


def verify(engine: Engine, head: tuple[int, str] | None = None) -> tuple[list[str], list[str]]:
    """Check the whole ledger: returns (problems, notes); the ledger is intact when there
    are no problems.

    For every approval in order: consecutive numbers, the chain (its previous hash is the
    record hash of the approval before it), its record hash (recomputed from the run's
    totals and stored lines), and the run itself, recomputed by the engine from the inputs
    kept with the approval, the model, and what the approvals before it had paid: every
    line must come out identical. Only the approvals the ledger started with (runs
    approved before it was chained) may lack hashes. No approved run may be outside the
    ledger, except the old ledger's double approvals (listed as notes).

    The chain proves that nothing before its last record changed; `head`, an approval
    number and record hash printed when it was approved and kept outside the warehouse,
    proves that the ledger still reaches that far unchanged."""
    problems, notes = [], []
    with engine.connect() as conn:
        _require_tables(conn)
        approvals = _approvals(conn)
        legacy = int(conn.execute(sa.text("select coalesce(max(legacy_approvals), 0) from settlement_ledger_origin")).scalar_one())
        duplicates = set(warehouse.read_frame(conn, "select run_id from settlement_legacy_duplicate")["run_id"])
        runs = warehouse.read_frame(conn, f"select {', '.join(RUN_COLUMNS)} from settlement_run").set_index("run_id", drop=False)
        previous = None
        for approval in approvals.to_dict("records"):
            number, run_id = int(approval["approval_no"]), approval["run_id"]
            where = f"approval {number} (run {run_id})"
            if number != (0 if previous is None else int(previous["approval_no"])) + 1:
                problems.append(f"{where}: approval numbers are not consecutive (an approval was removed)")
            if run_id not in runs.index:
                problems.append(f"{where}: the run is missing from settlement_run")
                previous = approval
                continue
            run = runs.loc[run_id].to_dict()
            if run["status"] != APPROVED:
                problems.append(f"{where}: the run's status is {run['status']!r}, not approved")
            if approval["record_sha256"] is None or pd.isna(approval["record_sha256"]):
                if number <= legacy:
                    notes.append(f"{where}: approved before the ledger was hash-chained; not recomputed")
                else:
                    problems.append(f"{where}: an approval without hashes after the ledger was chained (forged?)")
                previous = approval
                continue
            expected_previous = None if previous is None else previous["record_sha256"]
            expected_previous = None if expected_previous is None or pd.isna(expected_previous) else expected_previous
            if approval["previous_sha256"] != expected_previous:
                problems.append(f"{where}: the hash chain is broken (previous hash does not match approval {number - 1})")
            stored = line_store.read_lines(conn, run_id)
            if record_sha256(approval, run, line_store.lines_sha256(stored)) != approval["record_sha256"]:
                problems.append(f"{where}: the run's totals or lines were changed after approval (record hash differs)")
            problems += _recompute(conn, approval, run, stored, where)
            previous = approval
        outside = sorted(set(runs.loc[runs["status"] == APPROVED, "run_id"]) - set(approvals["run_id"]))
        for run_id in outside:
            if run_id in duplicates:
                paid = runs.loc[run_id, "total_payout_dkk"]
                notes.append(
                    f"run {run_id}: approved a second time for model {runs.loc[run_id, 'model_id']} as of "
                    f"{_text(runs.loc[run_id, 'as_of'])} by the old ledger; it paid {_text(paid)} kr., which later runs deduct"
                )
            else:
                problems.append(f"run {run_id}: marked approved but not in the approval ledger")
        if head is not None:
            number, digest = head
            found = approvals.loc[approvals["approval_no"] == number, "record_sha256"]
            if found.empty:
                problems.append(f"head {number}: the ledger has no approval {number} any more (approvals were removed)")
            elif found.iloc[0] != digest:
                problems.append(f"head {number}: its record hash is {found.iloc[0]}, not {digest} (the ledger was rewritten)")
    return problems, notes


def ledger_head(engine: Engine) -> tuple[int, str] | None:
    """The last approval's number and record hash: keep it outside the warehouse (it is
    printed at every approval) and check it later with `settle verify --head N:HASH`."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("select approval_no, record_sha256 from settlement_approval order by approval_no desc limit 1")
        ).first()
    return None if row is None else (int(row[0]), row[1])


def _recompute(conn: Connection, approval: dict, run: dict, stored: pd.DataFrame, where: str) -> list[str]:
    try:
        model = parse_model(run["model_yaml"], f"model of run {run['run_id']}")
    except InputError as error:
        return [f"{where}: the stored model no longer parses: {error}"]
    if model.sha256() != approval["model_sha256"]:
        return [f"{where}: the stored model differs from the approved model"]
    inputs = _kept_inputs(conn, int(approval["approval_no"]))
    if inputs is None:
        return [f"{where}: the approved run's inputs are missing"]
    if inputs_sha256(model, *inputs) != approval["inputs_sha256"]:
        return [f"{where}: the kept inputs do not match the approved inputs fingerprint"]
    as_of = _as_date(approval["as_of"])
    paid = _read_paid(conn, model.model_id, as_of, before_approval=int(approval["approval_no"]))
    again = line_frame(model, as_of, *inputs, paid)
    if line_store.lines_sha256(again) == line_store.lines_sha256(stored):
        return []
    stored, again = as_dkk(stored), as_dkk(again)
    merged = stored.merge(again, on=["grant_id", "episode_start"], how="outer", suffixes=("_stored", "_again"), indicator=True)
    for row in merged.to_dict("records"):
        if row["_merge"] != "both":
            return [f"{where}: line of grant {row['grant_id']} from {_text(row['episode_start'])} is only in the {'stored' if row['_merge'] == 'left_only' else 'recomputed'} run"]
        for column in LINE_COLUMNS:
            if column in ("grant_id", "episode_start"):
                continue
            a, b = _text(row[f"{column}_stored"]), _text(row[f"{column}_again"])
            if a != b:
                return [f"{where}: line of grant {row['grant_id']} from {_text(row['episode_start'])}: {column} is {a} in the ledger but {b} recomputed"]
    return [f"{where}: the stored lines differ from the recomputed run"]
