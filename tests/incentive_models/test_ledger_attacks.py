"""Attacks on the ledger's promise "never paid twice, whatever the timing", on DuckDB and
PostgreSQL: concurrent approvals (threads in one process, as Superset runs, and separate
processes), a clock that is behind, a model copied under a new id, an episode whose start
a corrected assessment moves, as-of dates in the future, and direct edits of approved rows.

The worked example pays 0.5 x (120 x 400 + 30 x 700) = 34,500.00 kr. as of 2025-06-30.
"""
from __future__ import annotations

import multiprocessing
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal as D

import pandas as pd
import pytest
import sqlalchemy as sa

from incentive_models import runs
from socialbench import warehouse
from socialbench.cli import main
from socialbench.errors import InputError, SocialbenchError
from tests.incentive_models import builders as b

WORKED = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1))
JUNE_PAYOUT = D("0.5") * (120 * 400 + 30 * 700)
TRIALS = 10
LEDGER_TABLES = ("settlement_approval", "settlement_scope", "settlement_line", "settlement_run")


def _store_worked_example(engine) -> None:
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "providers", pd.DataFrame({"provider_id": ["P1"], "provider_name": ["Bostøtten ApS"]}))
        warehouse.insert_frame(conn, "grants", b.grants(b.grant()))
        warehouse.insert_frame(conn, "assessments", WORKED)
        warehouse.insert_frame(conn, "rates", b.worked_example_rates())


@pytest.fixture
def worked(engine):
    _store_worked_example(engine)
    return engine


def _reset_ledger(engine) -> None:
    """Empty the ledger between trials. On PostgreSQL only a superuser can, by switching
    the guard triggers off for its own transaction: exactly what the guards refuse to
    anyone else (see test_approved_rows_cannot_be_changed_on_postgresql)."""
    with engine.begin() as conn:
        if warehouse.dialect(conn) == "postgresql":
            conn.execute(sa.text("set local session_replication_role = replica"))
        for table in LEDGER_TABLES:
            conn.execute(sa.text(f"delete from {table}"))


def _ledger(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return warehouse.read_frame(
            conn,
            "select a.approval_no, a.run_id, a.model_id, a.as_of, r.status, r.total_payout_dkk"
            " from settlement_approval a join settlement_run r on r.run_id = a.run_id order by a.approval_no",
        )


def _paid_for(engine, grant_id: str) -> D:
    with engine.connect() as conn:
        total = conn.execute(
            sa.text(
                "select coalesce(sum(l.payout_dkk), 0) from settlement_line l"
                " join settlement_run r on r.run_id = l.run_id where r.status = 'approved' and l.grant_id = :g"
            ),
            {"g": grant_id},
        ).scalar_one()
    return D(total)


def _approved_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("select count(*) from settlement_run where status = 'approved'")).scalar_one()


def _together(*calls):
    """Run the calls at the same moment in threads; returns each one's result or error."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def go(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 (the test inspects what was raised)
            results[i] = error

    threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _refusals_only(results) -> None:
    """Every failure is a refusal with a sentence (ApprovalRefused, RunNotFound), never a raw exception."""
    for result in results:
        if isinstance(result, Exception):
            assert isinstance(result, (runs.ApprovalRefused, runs.RunNotFound)), repr(result)
            assert str(result).startswith(("cannot approve run", "run ", "no settlement run")), str(result)


# --- concurrency: threads in one process -------------------------------------------------

def test_two_threads_drafting_and_approving_the_same_run_pay_once(worked):
    model = b.model()
    for _ in range(TRIALS):
        _reset_ledger(worked)

        def draft_and_approve():
            run_id = runs.create_draft(worked, model, "2025-06-30")
            runs.approve(worked, run_id)
            return run_id

        results = _together(draft_and_approve, draft_and_approve)
        _refusals_only(results)
        assert _approved_count(worked) == 1
        assert _paid_for(worked, "G1") == JUNE_PAYOUT
        assert list(_ledger(worked)["approval_no"]) == [1]


def test_two_threads_approving_two_drafts_of_different_dates_pay_once(worked):
    model = b.model()
    for _ in range(TRIALS):
        _reset_ledger(worked)
        june = runs.create_draft(worked, model, "2025-06-30")
        july = runs.create_draft(worked, model, "2025-07-31")
        results = _together(lambda: runs.approve(worked, june), lambda: runs.approve(worked, july))
        _refusals_only(results)
        assert sum(not isinstance(r, Exception) for r in results) == 1
        ledger = _ledger(worked)
        assert len(ledger) == 1
        # Whichever won, G1 is paid what it earned as of the approved date, once.
        earned = {date(2025, 6, 30): JUNE_PAYOUT, date(2025, 7, 31): D("0.5") * (120 * 400 + 61 * 700)}
        assert _paid_for(worked, "G1") == earned[pd.Timestamp(ledger["as_of"].iloc[0]).date()]


# --- concurrency: separate processes -------------------------------------------------------

def _approve_in_child(url, run_id, barrier, results):
    engine = warehouse.create_engine(url)
    barrier.wait()
    try:
        runs.approve(engine, run_id)
        results.put((run_id, "approved"))
    except SocialbenchError as error:
        results.put((run_id, f"refused: {error}"))
    except Exception as error:  # noqa: BLE001
        results.put((run_id, f"CRASH {type(error).__name__}: {error}"))
    finally:
        engine.dispose()


def test_two_processes_approving_at_once_pay_once(db_url, engine):
    _store_worked_example(engine)
    model = b.model()
    context = multiprocessing.get_context("fork")
    for _ in range(TRIALS):
        _reset_ledger(engine)
        june = runs.create_draft(engine, model, "2025-06-30")
        july = runs.create_draft(engine, model, "2025-07-31")
        engine.dispose()  # nothing of this process's connections is shared with the children
        barrier, results = context.Barrier(2), context.Queue()
        children = [context.Process(target=_approve_in_child, args=(db_url, r, barrier, results)) for r in (june, july)]
        for child in children:
            child.start()
        for child in children:
            child.join(120)
        outcomes = dict(results.get(timeout=5) for _ in children)
        assert not [o for o in outcomes.values() if o.startswith("CRASH")], outcomes
        assert sorted(o == "approved" for o in outcomes.values()) == [False, True], outcomes
        assert _approved_count(engine) == 1


def test_the_cli_loser_of_a_race_exits_1_with_one_line(db_url, engine, capsys):
    _store_worked_example(engine)
    run_id = runs.create_draft(engine, b.model(), "2025-06-30")
    assert main(["settle", "approve", "--db", db_url, run_id]) == 0
    capsys.readouterr()
    assert main(["settle", "approve", "--db", db_url, run_id]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: run {run_id} is already approved; approved runs are final"]


# --- ordering comes from the ledger, not from clocks ---------------------------------------

def test_a_clock_ten_minutes_behind_cannot_get_a_stale_draft_approved(worked, monkeypatch):
    model = b.model()
    june = runs.create_draft(worked, model, "2025-06-30")
    july = runs.create_draft(worked, model, "2025-07-31")  # computed before June was paid
    behind = warehouse.utc_now() - timedelta(minutes=10)
    monkeypatch.setattr(runs, "_now", lambda: behind)  # the approving machine's clock
    runs.approve(worked, june)
    with pytest.raises(runs.ApprovalRefused, match="approved as number 1 after this draft was computed.*compute the draft again"):
        runs.approve(worked, july)
    assert _paid_for(worked, "G1") == JUNE_PAYOUT
    fresh = runs.create_draft(worked, model, "2025-07-31")
    runs.approve(worked, fresh)
    assert _paid_for(worked, "G1") == D("0.5") * (120 * 400 + 61 * 700)  # 45,350: never more


# --- the same grants under another model ----------------------------------------------------

def test_a_model_copied_under_a_new_id_pays_nothing_and_cannot_be_approved(worked):
    original = b.model()
    runs.approve(worked, runs.create_draft(worked, original, "2025-06-30"))
    copy = b.model(model_id="test-model-copy")
    draft = runs.create_draft(worked, copy, "2025-06-30")
    line = runs.run_lines(worked, draft).iloc[0]
    assert (line.earned_dkk, line.previously_paid_dkk, line.payout_dkk) == (JUNE_PAYOUT, JUNE_PAYOUT, 0)
    with pytest.raises(runs.ApprovalRefused, match="intervention SEL85 is settled by model test-model .approved run test-model-20250630"):
        runs.approve(worked, draft)
    later = runs.create_draft(worked, copy, "2025-07-31")
    with pytest.raises(runs.ApprovalRefused, match="settled by model test-model"):
        runs.approve(worked, later)
    assert _paid_for(worked, "G1") == JUNE_PAYOUT


def test_the_database_refuses_a_second_model_on_an_intervention_and_a_second_approval_of_a_date(worked):
    runs.approve(worked, runs.create_draft(worked, b.model(), "2025-06-30"))
    with pytest.raises(sa.exc.DBAPIError), worked.begin() as conn:
        conn.execute(sa.text("insert into settlement_scope values ('SEL85', 'another-model', 2)"))
    with pytest.raises(sa.exc.DBAPIError), worked.begin() as conn:
        conn.execute(
            sa.text(
                "insert into settlement_approval (approval_no, run_id, model_id, as_of, approved_at)"
                " values (2, 'other-run', 'test-model', '2025-06-30', current_timestamp)"
            )
        )
    with pytest.raises(sa.exc.DBAPIError), worked.begin() as conn:
        conn.execute(
            sa.text(
                "insert into settlement_approval (approval_no, run_id, model_id, as_of, approved_at)"
                " values (1, 'other-run', 'test-model', '2025-07-31', current_timestamp)"
            )
        )


# --- a corrected assessment moves an episode's start ---------------------------------------

def test_an_episode_whose_start_moves_by_ten_days_is_not_paid_again(worked):
    model = b.model()
    runs.approve(worked, runs.create_draft(worked, model, "2025-06-30"))
    with worked.begin() as conn:  # the reduction to level 2 was really assessed on 11.02
        conn.execute(sa.text("update assessments set assessed_on = :new where assessed_on = :old"),
                     {"new": b.d("2025-02-11"), "old": b.d("2025-02-01")})
    july = runs.create_draft(worked, model, "2025-07-31")
    line = runs.run_lines(worked, july).iloc[0]
    # 11.02-31.05: 18 + 31 + 30 + 31 = 110 days x 400; 01.06-31.07: 61 days x 700.
    earned = D("0.5") * (110 * 400 + 61 * 700)  # 43,350
    assert (line.episode_start, line.earned_dkk, line.previously_paid_dkk) == (b.d("2025-02-11"), earned, JUNE_PAYOUT)
    assert runs.run_lines(worked, july)["payout_dkk"].sum() == earned - JUNE_PAYOUT  # 8,850, not 43,350
    runs.approve(worked, july)
    assert _paid_for(worked, "G1") == earned


# --- as-of dates the data has not seen ------------------------------------------------------

@pytest.mark.parametrize("as_of", ["2030-12-31", "9999-12-31"])
def test_a_run_as_of_a_future_date_is_refused(worked, as_of):
    today = runs.danish_today()
    with pytest.raises(InputError, match=f"as-of date: {as_of} is after {today.isoformat()}, today .Danish time."):
        runs.create_draft(worked, b.model(), as_of)
    assert _ledger(worked).empty
    runs.approve(worked, runs.create_draft(worked, b.model(), "2025-06-30"))  # later approvals are not blocked


def test_tomorrow_is_refused_today_is_accepted(worked, monkeypatch):
    monkeypatch.setattr(runs, "danish_today", lambda: date(2025, 6, 30))
    with pytest.raises(InputError, match="2025-07-01 is after 2025-06-30"):
        runs.create_draft(worked, b.model(), "2025-07-01")
    runs.approve(worked, runs.create_draft(worked, b.model(), "2025-06-30"))


def test_a_run_after_the_datas_last_load_is_refused_at_draft_and_at_approval(worked):
    draft = runs.create_draft(worked, b.model(), "2025-10-31")
    loaded = datetime(2025, 9, 30, 22, 30)  # UTC; in Denmark (summer time, +2) 1 October 2025 00:30
    with worked.begin() as conn:
        for table in ("grants", "assessments"):
            conn.execute(
                sa.text("insert into data_source (table_name, source, synthetic, loaded_at) values (:t, 'test', false, :at)"),
                {"t": table, "at": loaded},
            )
    with pytest.raises(InputError, match="2025-10-31 is after 2025-10-01, the day the assessments were last loaded"):
        runs.create_draft(worked, b.model(), "2025-10-31")
    with pytest.raises(runs.ApprovalRefused, match="after 2025-10-01, the day the assessments were last loaded"):
        runs.approve(worked, draft)
    runs.approve(worked, runs.create_draft(worked, b.model(), "2025-10-01"))


# --- approved rows are final ------------------------------------------------------------------

def test_approved_rows_cannot_be_changed_on_postgresql(worked):
    if worked.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's triggers; DuckDB: test_a_change_around_the_write_path_is_found_by_verify")
    run_id = runs.create_draft(worked, b.model(), "2025-06-30")
    runs.approve(worked, run_id)
    attacks = [
        "update settlement_run set total_payout_dkk = 0 where status = 'approved'",
        "update settlement_run set status = 'draft'",
        "delete from settlement_run",
        "update settlement_line set payout_dkk = payout_dkk * 2",
        "delete from settlement_line",
        # a line added to the approved run (a new key: the guard, not the primary key, refuses it)
        "insert into settlement_line select run_id, provider_id, municipality_code, intervention_code,"
        " grant_id || '-added', citizen_key, episode_start, baseline_level, qualified_on, days_counted, exit_days,"
        " saving_to_date_dkk, earned_dkk, previously_paid_dkk, payout_dkk, adjustment_dkk, held_back_dkk, capped_by,"
        f" explanation from settlement_line where run_id = '{run_id}'",
        "update settlement_approval set as_of = '2025-01-01'",
        "delete from settlement_approval",
        "delete from settlement_scope",
        "truncate settlement_line",
        "truncate settlement_approval",
    ]
    for attack in attacks:
        with pytest.raises(sa.exc.DBAPIError, match="approved runs are final|are final"), worked.begin() as conn:
            conn.execute(sa.text(attack))
    assert _paid_for(worked, "G1") == JUNE_PAYOUT
    assert runs.verify(worked) == ([], [])


def test_the_write_path_never_touches_an_approved_run(worked):
    run_id = runs.create_draft(worked, b.model(), "2025-06-30")
    runs.approve(worked, run_id)
    again = runs.create_draft(worked, b.model(), "2025-06-30")  # a draft beside it, not over it
    assert runs.get_run(worked, run_id)["status"] == "approved"
    assert list(runs.run_lines(worked, run_id)["payout_dkk"]) == [JUNE_PAYOUT]
    with pytest.raises(runs.ApprovalRefused, match="already approved"):
        runs.approve(worked, run_id)
    with pytest.raises(runs.ApprovalRefused, match=f"run {run_id} of model test-model as of 2025-06-30 is already approved"):
        runs.approve(worked, again)


def test_a_change_around_the_write_path_is_found_by_verify(worked, db_url, capsys):
    model = b.model()
    june = runs.create_draft(worked, model, "2025-06-30")
    runs.approve(worked, june)
    runs.approve(worked, runs.create_draft(worked, model, "2025-07-31"))
    with worked.begin() as conn:  # new data after approval: the kept inputs still recompute
        conn.execute(sa.text("update rates set daily_rate_dkk = 650 where support_level = 2"))
    assert runs.verify(worked) == ([], [])
    assert main(["settle", "verify", "--db", db_url]) == 0
    assert "the ledger is intact" in capsys.readouterr().out
    with worked.begin() as conn:
        if worked.dialect.name == "postgresql":  # only a superuser can, with the guards off
            conn.execute(sa.text("set local session_replication_role = replica"))
        conn.execute(sa.text("update settlement_line set payout_dkk = payout_dkk + 1000 where run_id = :r"), {"r": june})
    problems, _ = runs.verify(worked)
    assert f"approval 1 (run {june}): the run's totals or lines were changed after approval (record hash differs)" in problems
    assert any("payout_dkk is 35500.00 in the ledger but 34500.00 recomputed" in p for p in problems)
    assert main(["settle", "verify", "--db", db_url]) == 1
    assert "the ledger is NOT intact" in capsys.readouterr().err


def test_verify_finds_a_removed_approval_and_a_run_approved_outside_the_ledger(worked):
    model = b.model()
    june = runs.create_draft(worked, model, "2025-06-30")
    runs.approve(worked, june)
    july = runs.create_draft(worked, model, "2025-07-31")
    runs.approve(worked, july)
    with worked.begin() as conn:
        if worked.dialect.name == "postgresql":
            conn.execute(sa.text("set local session_replication_role = replica"))
        conn.execute(sa.text("delete from settlement_approval where approval_no = 1"))
    problems, _ = runs.verify(worked)
    assert f"run {june}: marked approved but not in the approval ledger" in problems
    assert f"approval 2 (run {july}): approval numbers are not consecutive (an approval was removed)" in problems
    assert f"approval 2 (run {july}): the hash chain is broken (previous hash does not match approval 1)" in problems


# --- found in review: more ways around the ledger ----------------------------------------------

def test_a_grant_whose_intervention_is_corrected_is_not_paid_again_by_the_other_model(worked):
    runs.approve(worked, runs.create_draft(worked, b.model(), "2025-06-30"))  # 34,500 as SEL85
    with worked.begin() as conn:  # the grant was really SEL107, the same rates
        conn.execute(sa.text("update grants set intervention_code = 'SEL107' where grant_id = 'G1'"))
        warehouse.insert_frame(conn, "rates", b.worked_example_rates().assign(intervention_code="SEL107"))
    other = b.model(model_id="botilbud-107", interventions=["SEL107"])
    draft = runs.create_draft(worked, other, "2025-07-31")
    line = runs.run_lines(worked, draft).iloc[0]
    earned = D("0.5") * (120 * 400 + 61 * 700)  # 45,350 as of 31.07
    assert (line.earned_dkk, line.previously_paid_dkk, line.payout_dkk) == (earned, JUNE_PAYOUT, earned - JUNE_PAYOUT)
    runs.approve(worked, draft)
    assert _paid_for(worked, "G1") == earned  # not 34,500 + 45,350
    assert runs.verify(worked) == ([], [])


def test_a_draft_changed_after_it_was_computed_is_not_approved(worked):
    draft = runs.create_draft(worked, b.model(), "2025-06-30")
    with worked.begin() as conn:  # drafts are not guarded by triggers: anyone may write them
        conn.execute(sa.text("update settlement_line set payout_dkk = 340500 where run_id = :r"), {"r": draft})
        conn.execute(sa.text("update settlement_run set total_payout_dkk = 340500 where run_id = :r"), {"r": draft})
    with pytest.raises(runs.ApprovalRefused, match="differ from the same run computed again now"):
        runs.approve(worked, draft)
    assert _paid_for(worked, "G1") == 0


def _forge_approval(engine, run_id, number):
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into settlement_approval (approval_no, run_id, model_id, as_of, approved_at)"
                " values (:n, :r, 'test-model', '2025-07-31', current_timestamp)"
            ),
            {"n": number, "r": run_id},
        )
        conn.execute(sa.text("update settlement_run set status = 'approved' where run_id = :r"), {"r": run_id})


def test_a_forged_approval_without_hashes_is_refused_or_found(worked):
    runs.approve(worked, runs.create_draft(worked, b.model(), "2025-06-30"))
    forged = runs.create_draft(worked, b.model(), "2025-07-31")
    if worked.dialect.name == "postgresql":  # the triggers refuse it from any client
        with pytest.raises(sa.exc.DBAPIError, match="must carry its hash"):
            _forge_approval(worked, forged, 2)
        with pytest.raises(sa.exc.DBAPIError, match="has no approval"), worked.begin() as conn:
            conn.execute(sa.text("update settlement_run set status = 'approved' where run_id = :r"), {"r": forged})
        assert runs.get_run(worked, forged)["status"] == "draft"
        return
    _forge_approval(worked, forged, 2)
    problems, _ = runs.verify(worked)
    assert f"approval 2 (run {forged}): an approval without hashes after the ledger was chained (forged?)" in problems


def test_verify_with_a_kept_head_finds_a_removed_last_approval(worked, db_url, capsys):
    model = b.model()
    assert main(["settle", "approve", "--db", db_url, runs.create_draft(worked, model, "2025-06-30")]) == 0
    july = runs.create_draft(worked, model, "2025-07-31")
    assert main(["settle", "approve", "--db", db_url, july]) == 0
    out = capsys.readouterr().out
    number, digest = runs.ledger_head(worked)
    assert f"approval 2, ledger head 2:{digest}" in out
    with worked.begin() as conn:  # remove the last approval, its run and its lines
        if worked.dialect.name == "postgresql":
            conn.execute(sa.text("set local session_replication_role = replica"))
        for table in ("settlement_approval", "settlement_line", "settlement_run"):
            conn.execute(sa.text(f"delete from {table} where run_id = :r"), {"r": july})
    assert runs.verify(worked) == ([], [])  # the chain alone cannot see a missing tail
    problems, _ = runs.verify(worked, head=(number, digest))
    assert problems == ["head 2: the ledger has no approval 2 any more (approvals were removed)"]
    assert main(["settle", "verify", "--db", db_url, "--head", f"2:{digest}"]) == 1


def test_a_warehouse_upgraded_from_the_old_ledger_keeps_paying_once(db_url):
    """A 0.1 warehouse: migrations 001-003 only, two approvals of the same model and date
    (the old ledger's double payment) and a model text the present parser refuses."""
    from socialbench import schema

    engine = warehouse.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("create table schema_version (version integer primary key, name varchar not null, applied_at timestamp not null)"))
        for migration in schema.migrations()[:3]:
            for statement in schema.split_statements(migration.sql_for(warehouse.dialect(conn))):
                conn.execute(sa.text(statement))
            conn.execute(sa.text("insert into schema_version values (:v, :n, current_timestamp)"), {"v": migration.version, "n": migration.name})
    from socialbench import reference

    with engine.begin() as conn:
        # The reference data as 0.1 seeded it: the tables and columns of migrations 001-003.
        present = set(sa.inspect(conn).get_table_names())
        for table, (_, key) in reference.REFERENCE_TABLES.items():
            if table in present:
                columns = [c["name"] for c in sa.inspect(conn).get_columns(table)]
                warehouse.upsert_frame(conn, table, reference.frame(table)[columns].copy(), key)
    _store_worked_example(engine)
    old_text = "model_id: &m test-model\ninterventions: [SEL85]\nshare: 0.5\nqualifying_days: 90\nhorizon_days: 365\n"
    with engine.begin() as conn:
        for run_id, at in (("old-1", "2025-07-01 10:00:00"), ("old-2", "2025-07-01 10:00:01")):
            conn.execute(
                sa.text(
                    "insert into settlement_run values (:r, 'test-model', '2025-06-30', 'approved', :at, :at, 'x', 1,"
                    " 69000, 34500, 34500, 0, 0, :y)"
                ),
                {"r": run_id, "at": at, "y": old_text},
            )
            conn.execute(
                sa.text(
                    "insert into settlement_line values (:r, 'P1', 101, 'SEL85', 'G1', 'C1', '2025-02-01', 3,"
                    " '2025-05-01', 150, 0, 69000, 34500, 0, 34500, 0, 0, null, 'old')"
                ),
                {"r": run_id},
            )
    schema.init(engine)
    problems, notes = runs.verify(engine)
    assert problems == []
    assert notes == [
        "approval 1 (run old-1): approved before the ledger was hash-chained; not recomputed",
        "run old-2: approved a second time for model test-model as of 2025-06-30 by the old ledger; it paid 34500.00 kr., which later runs deduct",
    ]
    july = runs.create_draft(engine, b.model(), "2025-07-31")
    line = runs.run_lines(engine, july).iloc[0]
    earned = D("0.5") * (120 * 400 + 61 * 700)  # 45,350, of which 69,000 was paid already
    assert (line.earned_dkk, line.previously_paid_dkk, line.payout_dkk, line.adjustment_dkk) == (earned, 69000, 0, earned - 69000)
    runs.approve(engine, july)  # the old model's anchor does not block approvals
    with pytest.raises(runs.ApprovalRefused, match="settled by model test-model .approved run old-1"):
        runs.approve(engine, runs.create_draft(engine, b.model(model_id="copy"), "2025-07-31"))
    assert runs.verify(engine)[0] == []
    engine.dispose()
