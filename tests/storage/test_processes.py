"""Several real processes on one store (SQLite and PostgreSQL): projection workers racing for the same
pages, CLI commands beside them, one worker killed with SIGKILL, and a rebuild while `pars serve`
answers. Afterwards every read model equals a fresh replay of the log.

Real processes, not threads: each has its own engines, pools and in-memory state, as in production.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from adapters.bootstrap import System
from adapters.demo import DemoDataSet
from adapters.tokens import issue_token
from commands.providers import AssignContact, ContactDetails
from domain.base import Acting, Channel
from services.projection_runner import ProjectionSupervisor
from tests.conftest import make_system

pytestmark = pytest.mark.slow
SECRET = "test-secret-key"
BOUND = 240  # seconds: a generous bound on each wait, so a hung process fails the test instead of hanging it
PROBLEMS = ("Traceback", "IntegrityError", "failed; retrying", "already processed")


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PARS_DATABASE_URL": url,
        "PARS_SECRET_KEY": SECRET,
        "PARS_FAST_PASSWORD_HASHING": "1",
        "PARS_MAIL": f"file:{tmp_path / 'mail'}",
    }


def _pars(url: str, tmp_path: Path, *args: str, log: str) -> subprocess.Popen[bytes]:
    """`pars ARGS` in a process of its own (our code: it inherits PYTHONPATH), output to tmp_path/log."""
    out = open(tmp_path / log, "wb")  # noqa: SIM115 - closed with the process by the OS
    code = "import sys; from adapters.cli.main import app; sys.exit(app(prog_name='pars'))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], env=_env(url, tmp_path), stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path
    )


def _finish(process: subprocess.Popen[bytes], tmp_path: Path, log: str) -> str:
    try:
        process.wait(BOUND)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    text = (tmp_path / log).read_text(errors="replace")
    assert process.returncode == 0, f"pars {log} exited {process.returncode}:\n{text[-3000:]}"
    return text


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + BOUND
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)


def _rows(view: Any) -> dict[str, list[Any]]:
    """Every row of a read model's tables, in a stable order, and its position."""
    out: dict[str, list[Any]] = {}
    with view.db.read_engine.connect() as conn:
        for table in view.tables:
            out[table.name] = sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
    out["position"] = [view.max_tracking_id("PARS")]
    return out


def _assert_every_read_model_is_a_fresh_replay(system: System) -> None:
    head = system.store.head()
    with ExitStack() as stack:
        # An empty copy of each read model beside the live tables, all replayed from zero together.
        copies = {
            name: type(r.projection)(stack.enter_context(r.projection.view.aside()))
            for name, r in system.projections.runners.items()
        }
        ProjectionSupervisor(system.store, list(copies.values())).catch_up()
        for name, copy in copies.items():
            live = system.projections[name].projection
            assert live.position == copy.position == head, name
            assert _rows(live.view) == _rows(copy.view), f"{name} differs from a fresh replay"


def _all_caught_up(system: System) -> bool:
    head = system.store.head()
    return all(s.position == head for s in system.projections.statuses())


def test_workers_race_beside_cli_commands_and_survive_a_killed_peer(database_url: str, tmp_path: Path) -> None:
    # Three workers start together on an empty store (they create its tables at once), `pars demo`
    # appends and catches up beside them, one worker is killed with SIGKILL mid-way, and CLI
    # commands that catch up their read model run against the survivors.
    workers = [_pars(database_url, tmp_path, "projections", "run", log=f"worker{n}.log") for n in range(3)]
    demo = _pars(database_url, tmp_path, "demo", log="demo.log")
    system = make_system(database_url)
    try:
        _until(lambda: system.store.head() > 1500 or demo.poll() is not None, "the demo to append")
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(30)
        _finish(demo, tmp_path, "demo.log")
        create_user = _pars(
            database_url,
            tmp_path,
            "admin",
            "create-user",
            "--email",
            "ada@accme.org",
            "--name",
            "Ada",
            log="create-user.log",
        )
        provider = _pars(
            database_url,
            tmp_path,
            "admin",
            "create-provider",
            "--accme-id",
            "0001234",
            "--name",
            "Acme CME",
            "--accreditor",
            "ACCME",
            "--primary-name",
            "Ann",
            "--primary-email",
            "ann@acme.org",
            log="create-provider.log",
        )
        _finish(create_user, tmp_path, "create-user.log")
        assert json.loads(_finish(provider, tmp_path, "create-provider.log"))["name"] == "Acme CME"
        _until(lambda: _all_caught_up(system), "the surviving workers to reach the head")
        for worker in workers[1:]:
            assert worker.poll() is None, "a worker died"
            _stop(worker)
        for n in range(3):
            log = (tmp_path / f"worker{n}.log").read_text(errors="replace")
            assert not [p for p in PROBLEMS if p in log], f"worker {n}:\n{log[-3000:]}"
        _assert_every_read_model_is_a_fresh_replay(system)
    finally:
        for process in [*workers, demo]:
            _stop(process)
        system.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def test_rebuild_while_serving_swaps_in_whole_read_models(database_url: str, tmp_path: Path) -> None:
    system = make_system(database_url)
    made = DemoDataSet(system).load()
    system.projections.catch_up()
    provider = made.providers[0]
    token = issue_token(SECRET, "accreditor")
    expected_history = len(system.queries.audit.events(provider))
    expected_directory = system.queries.directory.page("", 1)["count"]
    assert expected_history > 10 and expected_directory > 0
    port = _free_port()
    serve = _pars(database_url, tmp_path, "serve", "--port", str(port), log="serve.log")
    answers: list[tuple[str, int, Any]] = []
    stop = threading.Event()
    by = Acting("test:writer", Channel.WEB)

    def read_all_the_time() -> None:
        while not stop.is_set():
            status, body = _get(port, f"/api/v1/providers/{provider}/history?limit=5000", token)
            answers.append(("history", status, len(body["items"]) if status == 200 else body))
            status, body = _get(port, "/api/v1/directory", token)
            answers.append(("directory", status, body["count"] if status == 200 else body))

    def write_all_the_time() -> None:
        # The live read models keep moving while the copy is built: the swap must not go back.
        n = 0
        while not stop.is_set():
            contact = ContactDetails(name=f"Web {n}", email=f"web{n}@example.org")
            system.providers.handle(AssignContact(accme_id=provider, role="website", contact=contact), by)
            n += 1
            time.sleep(0.05)

    try:
        _until(lambda: serve.poll() is not None or _get_ok(port), "pars serve to answer")
        assert serve.poll() is None, (tmp_path / "serve.log").read_text()
        threads = [threading.Thread(target=read_all_the_time), threading.Thread(target=write_all_the_time)]
        for thread in threads:
            thread.start()
        try:
            _until(lambda: len(answers) >= 4, "the first answers")
            rebuild = _pars(database_url, tmp_path, "projections", "rebuild", log="rebuild.log")
            _finish(rebuild, tmp_path, "rebuild.log")
            seen = len(answers)
            _until(lambda: len(answers) >= seen + 4, "answers after the rebuild")
        finally:
            stop.set()
            for thread in threads:
                thread.join(BOUND)
        failed = [a for a in answers if a[1] != 200]
        assert not failed, f"{len(failed)} of {len(answers)} answers failed: {failed[:5]}"
        assert {a[2] for a in answers if a[0] == "directory"} == {expected_directory}, (
            "the directory was seen half-built"
        )
        history = [a[2] for a in answers if a[0] == "history"]
        assert history[0] >= expected_history
        assert all(later >= earlier for earlier, later in itertools.pairwise(history)), f"history went back: {history}"
        _until(lambda: _all_caught_up(system), "pars serve to project the last writes")
        _stop(serve)
        log = (tmp_path / "serve.log").read_text(errors="replace")
        assert not [p for p in PROBLEMS if p in log], log[-3000:]
        _assert_every_read_model_is_a_fresh_replay(system)
    finally:
        _stop(serve)
        system.close()


def _get_ok(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False
