"""Attacks on the ledger through the REST API: two requests at once, as Superset's
workers (threads) would serve them, 10 trials each, on DuckDB and PostgreSQL.

Each trial gets a fresh warehouse with the hand-made data set, so that one trial's
approved run cannot decide the next one. Whatever the interleaving: at most one run is
approved per model and as-of date, exactly one approval succeeds (200) and the other is
refused with an answer (409, or 404 for a draft that the other request replaced), never a
500 and never two approvals.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.conftest import empty_warehouse_url
from tests.superset_plugins import inprocess_superset
from tests.superset_plugins.test_api import forget_engines

pytestmark = pytest.mark.superset

RUNS = "/api/v1/socialbench/runs"
TRIALS = 10
MODEL = "model_id: race\ninterventions: [SEL85]\nshare: 0.5\nqualifying_days: 90\nhorizon_days: 365\n"


@pytest.fixture(scope="module")
def sup():
    return inprocess_superset.superset()


@pytest.fixture(params=["duckdb", "postgresql"])
def fresh_ledger(request, sup, tmp_path):
    """A function making a fresh warehouse for the API (one per trial) on one engine."""
    from contextlib import ExitStack

    from socialbench import schema, warehouse

    before = sup.app.config["SOCIALBENCH_DB"]
    urls = []
    with ExitStack() as stack:

        def make(trial: int) -> str:
            folder = tmp_path / f"trial{trial}"
            folder.mkdir()
            url = stack.enter_context(empty_warehouse_url(request.param, folder))
            engine = warehouse.create_engine(url)
            schema.init(engine)
            inprocess_superset.load_data_set(engine, folder / "csv")
            engine.dispose()
            sup.app.config["SOCIALBENCH_DB"] = url
            urls.append(url)
            return url

        try:
            yield make
        finally:
            sup.app.config["SOCIALBENCH_DB"] = before
            forget_engines(urls)


def at_once(sup, *requests):
    """Send the requests (method, path, json) from one thread each, released together;
    returns [(status, json body)] in the order given."""
    clients = [inprocess_superset.Client(sup.app, "admin") for _ in requests]
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def send(i: int):
        method, path, body = requests[i]
        barrier.wait()
        try:
            response = clients[i].post(path, json=body) if method == "POST" else clients[i].get(path)
            answers[i] = (response.status_code, response.get_json(silent=True))
        except Exception as error:  # a crash in the app must show up as a failed trial
            answers[i] = (None, repr(error))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def approved_runs(admin) -> list[dict]:
    listed = admin.get(RUNS)
    assert listed.status_code == 200, listed.get_data(as_text=True)[:300]
    return [r for r in listed.get_json()["result"] if r["status"] == "approved"]


def test_two_approvals_at_once_of_drafts_of_the_same_model(sup, fresh_ledger):
    """Two drafts of one model (as of 31 May and 30 June), approved at the same moment:
    in either order, the second is stale (computed before the first was approved)."""
    admin = inprocess_superset.Client(sup.app, "admin")
    outcomes = []
    for trial in range(TRIALS):
        fresh_ledger(trial)
        ids = []
        for as_of in ("2025-05-31", "2025-06-30"):
            created = admin.post(RUNS, json={"model": MODEL, "as_of": as_of})
            assert created.status_code == 201, created.get_data(as_text=True)[:300]
            ids.append(created.get_json()["result"]["run_id"])
        answers = at_once(sup, *[("POST", f"{RUNS}/{run_id}/approve", None) for run_id in ids])
        statuses = sorted(status for status, _ in answers)
        outcomes.append(statuses)
        assert statuses == [200, 409], f"trial {trial}: {answers}"
        refused = next(body for status, body in answers if status == 409)
        assert refused["message"].startswith("cannot approve run"), refused
        assert len(approved_runs(admin)) == 1, f"trial {trial}"
    assert outcomes == [[200, 409]] * TRIALS


def test_two_drafts_and_two_approvals_at_once_for_the_same_model_and_date(sup, fresh_ledger):
    """Two POST /runs at once for the same model and as_of, then both approved at once:
    one draft survives (the later replaces the earlier), one approval succeeds."""
    admin = inprocess_superset.Client(sup.app, "admin")
    for trial in range(TRIALS):
        fresh_ledger(trial)
        body = {"model": MODEL, "as_of": "2025-06-30"}
        created = at_once(sup, ("POST", RUNS, body), ("POST", RUNS, body))
        assert [status for status, _ in created] == [201, 201], f"trial {trial}: {created}"
        ids = [answer["result"]["run_id"] for _, answer in created]
        drafts = [r for r in admin.get(RUNS).get_json()["result"] if r["status"] == "draft"]
        assert len(drafts) == 1 and drafts[0]["run_id"] in ids, f"trial {trial}: {drafts}"
        answers = at_once(sup, *[("POST", f"{RUNS}/{run_id}/approve", None) for run_id in ids])
        statuses = [status for status, _ in answers]
        assert statuses.count(200) == 1, f"trial {trial}: {answers}"
        assert all(status in (200, 404, 409) for status in statuses), f"trial {trial}: {answers}"
        approved = approved_runs(admin)
        assert [r["run_id"] for r in approved] == [drafts[0]["run_id"]], f"trial {trial}"


# A `socialbench settle approve` in its own process, started and waiting: it approves when
# told to on stdin, so that it races the API's approval in the Superset process.
CLI_WAITING = (
    "import sys\n"
    "from socialbench.cli import main\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def test_an_api_approval_and_a_cli_approval_in_another_process_at_once(sup, fresh_ledger):
    """Two drafts of one model; Superset approves one while `socialbench settle approve`
    in a second process approves the other: exactly one wins, the other is refused
    (the API's 409, or the CLI's exit 1 with one line)."""
    import subprocess
    import sys

    admin = inprocess_superset.Client(sup.app, "admin")
    winners = []
    for trial in range(TRIALS):
        url = fresh_ledger(trial)
        ids = []
        for as_of in ("2025-05-31", "2025-06-30"):
            created = admin.post(RUNS, json={"model": MODEL, "as_of": as_of})
            assert created.status_code == 201, created.get_data(as_text=True)[:300]
            ids.append(created.get_json()["result"]["run_id"])
        api_run, cli_run = (ids if trial % 2 == 0 else ids[::-1])
        cli = subprocess.Popen(
            [sys.executable, "-c", CLI_WAITING, "settle", "approve", "--db", url, cli_run],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert cli.stdout.readline().strip() == "ready"
        answer: list = []
        delay = trial * 0.08  # the CLI needs a moment to start its work: some trials each way, some overlapping

        def api_approve():
            time.sleep(delay)
            answer.append(admin.post(f"{RUNS}/{api_run}/approve"))

        thread = threading.Thread(target=api_approve)
        cli.stdin.write("go\n")
        cli.stdin.flush()
        thread.start()
        out, err = cli.communicate(timeout=120)
        thread.join(timeout=120)
        status = answer[0].status_code
        if status == 200:
            assert cli.returncode == 1, f"trial {trial}: both approved ({out}{err})"
            assert err.startswith("error: cannot approve run") and err.count("\n") == 1, err
            winners.append("api")
        else:
            assert status == 409, f"trial {trial}: {status} {answer[0].get_data(as_text=True)[:300]}"
            assert cli.returncode == 0 and out.splitlines()[0] == f"run {cli_run} approved", (out, err)
            winners.append("cli")
        assert len(approved_runs(admin)) == 1, f"trial {trial}"
    assert len(winners) == TRIALS
