"""Deliveries to a real HTTP receiver (http.server on 127.0.0.1): signed as documented, in the log's order,
everything delivered after the receiver was down a while, redelivery on request, nothing of another tenant,
and a sender killed with SIGKILL mid-batch loses nothing when started again (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from commands.annual import AcceptAgreement
from commands.completions import AcknowledgeItems, Acknowledgement
from commands.webhooks import RegisterWebhook
from domain.base import Acting, Channel
from services.webhook_sender import SIGNATURE_HEADER, verify
from tests.completions.helpers import BY
from tests.feeds.helpers import record, setup
from tests.webhooks.conftest import SECRET, Receiver, auth, webhook_settings

OURS, THEIRS = "0004444", "0005555"
ABIM = Acting("board:ABIM", Channel.WEB_SERVICE)
EVENTS = ["completion.accepted", "completion.rejected", "activity.closed", "checklist.changed"]


def register(system: System, accme_id: str, url: str, events: list[str] | None = None) -> str:
    registered = system.webhooks.handle(
        RegisterWebhook(accme_id=accme_id, url=url, secret=SECRET, events=events or EVENTS), BY
    )
    return str(registered.endpoint["id"])


def credit_ids(n: int) -> list[str]:
    """The credit IDs `record` gives Ana's first `n` records."""
    return [f"ccid:0004444:c{i}" for i in range(n)]


def items(system: System, ids: dict[str, Any], n: int) -> list[str]:
    """The board items of Ana's first `n` records (ABIM's, the one board of the activity)."""
    return [f"{system.completions.get(ids['ana'], ids['activity'], c).id}:1" for c in credit_ids(n)]  # type: ignore[union-attr]


def acknowledge(system: System, item_ids: list[str], status: str = "accepted") -> None:
    reason = ("BID404", "board ID not found") if status == "rejected" else ("", "")
    system.completions.handle(
        AcknowledgeItems(kind="board", code="ABIM", answers=[Acknowledgement(i, status, *reason) for i in item_ids]),
        ABIM,
    )


@contextlib.contextmanager
def app_running(system: System, records: int) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """The app with its projections and the webhook sender running, ours and theirs set up, `records` of Ana's."""
    with TestClient(create_app(system), raise_server_exceptions=False) as client:
        ids = setup(system, running=True)
        record(system, ids, records)
        system.projections.wait(system.store.head())
        yield client, ids


@pytest.fixture
def running(wh_system: System) -> Iterator[tuple[System, TestClient, dict[str, Any]]]:
    """The app running with ten of Ana's records."""
    with app_running(wh_system, 10) as (client, ids):
        yield wh_system, client, ids


@contextlib.contextmanager
def forty_accepted(url: str, receiver: Receiver) -> Iterator[tuple[System, list[str]]]:
    """A system without the app (the senders are `pars` processes): forty of Ana's records, an endpoint of ours at
    `receiver` for accepted completions; the records' board items, none answered yet."""
    system = bootstrap(webhook_settings(url))
    try:
        ids = setup(system)
        record(system, ids, 40)
        system.projections.catch_up()
        register(system, OURS, receiver.url, ["completion.accepted"])
        system.projections.catch_up()
        yield system, items(system, ids, 40)
    finally:
        system.close()


def test_deliveries_are_signed_shaped_and_in_order(running, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = running
    hook = register(system, OURS, receiver.url)
    item_ids = items(system, ids, 4)
    acknowledge(system, item_ids[:3])
    acknowledge(system, item_ids[3:], "rejected")
    got = receiver.wait_for(lambda r: len(r) >= 4)
    assert [r["json"]["data"]["item_id"] for r in got] == item_ids
    assert len(receiver.connections) == 1  # kept alive between deliveries, whichever of the sender's threads sent
    assert [r["json"]["type"] for r in got] == ["completion.accepted"] * 3 + ["completion.rejected"]
    first, last = got[0], got[-1]
    assert set(first["json"]) == {"id", "type", "created", "data"}
    assert first["json"]["data"]["credit_id"] == credit_ids(1)[0]
    assert first["json"]["data"]["activity_id"] == ids["activity"]
    assert last["json"]["data"]["reason_code"] == "BID404" and last["json"]["data"]["reason"] == "board ID not found"
    assert first["headers"]["Content-Type"] == "application/json"
    for r in got:
        header = r["headers"][SIGNATURE_HEADER]
        assert verify(SECRET, header, r["body"], now=time.time())
        assert not verify("another-secret-0123456789", header, r["body"], now=time.time())
        assert not verify(SECRET, header, r["body"] + b" ", now=time.time())
        assert not verify(SECRET, header, r["body"], now=time.time() + 3600)  # a replay an hour later
    # The provider sees each delivery, its attempt and the answer; and may have one sent again.
    headers = auth(system, "provider", provider=OURS)
    base = f"/api/v1/providers/{OURS}/webhooks/{hook}/deliveries"
    listed = client.get(base, headers=headers).json()
    assert listed["total"] == 4 and {d["status"] for d in listed["items"]} == {"delivered"}
    one = listed["items"][-1]
    detail = client.get(f"{base}/{one['id']}", headers=headers).json()
    assert detail["attempt_log"][0]["status"] == 200 and detail["attempt_log"][0]["response"] == '{"ok": true}'
    assert json.loads(detail["body"])["id"] == got[0]["json"]["id"]
    again = client.post(f"{base}/{one['id']}/redeliver", headers=headers)
    assert again.status_code == 202, again.text
    got = receiver.wait_for(lambda r: len(r) >= 5)
    assert got[4]["json"] == got[0]["json"]  # the same event, the same id: receivers drop repeats by it
    history = client.get(f"/api/v1/providers/{OURS}/history", headers=headers).text
    assert "WebhookEndpoint.RedeliveryRequested" in history
    reader = auth(system, "auditor")
    assert client.post(f"{base}/{one['id']}/redeliver", headers=reader).status_code == 403
    theirs = auth(system, "provider", provider=THEIRS)
    assert client.get(f"{base}/{one['id']}", headers=theirs).status_code == 404
    assert client.post(f"{base}/{one['id']}/redeliver", headers=theirs).status_code == 404


def test_a_receiver_down_for_a_while_gets_everything_in_order_when_back(running, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = running
    hook = register(system, OURS, receiver.url)
    item_ids = items(system, ids, 10)
    receiver.stop()
    for i in range(0, 10, 2):  # five requests of two answers each, while the receiver is down
        acknowledge(system, item_ids[i : i + 2])
    headers = auth(system, "provider", provider=OURS)
    deadline = time.monotonic() + 20
    while True:  # all ten queued, and the head tried a few times (backoff 0.05 s doubling to 0.2 s)
        pending = client.get(f"/api/v1/providers/{OURS}/webhooks/{hook}/deliveries?status=pending", headers=headers)
        queued = pending.json()["items"]
        head = min(queued, key=lambda d: int(d["id"].rsplit(".", 1)[1])) if queued else None  # the queue: log order
        if len(queued) == 10 and head is not None and head["attempts"] >= 3:
            break
        assert time.monotonic() < deadline, pending.text
        time.sleep(0.1)
    assert "could not deliver" in head["last_error"]
    pending = pending.json()
    assert all(d["attempts"] == 0 for d in pending["items"] if d["id"] != head["id"])  # nothing jumps the queue
    receiver.start()
    got = receiver.wait_for(lambda r: len(r) >= 10)
    assert [r["json"]["data"]["item_id"] for r in got] == item_ids
    detail = client.get(f"/api/v1/providers/{OURS}/webhooks/{hook}/deliveries/{head['id']}", headers=headers).json()
    assert [a["status"] for a in detail["attempt_log"]][-1] == 200
    assert all(a["error"] for a in detail["attempt_log"][:-1])


def test_a_failing_endpoint_does_not_hold_up_another(database_url: str, receiver: Receiver) -> None:
    system = bootstrap(webhook_settings(database_url, webhook_timeout=10.0))
    slow = Receiver()
    slow.delay = 8.0  # each call to it takes 8 s, then fails (503): far longer than the other's deliveries
    slow.status = 503
    try:
        with app_running(system, 5) as (_, ids):
            register(system, OURS, slow.url)
            register(system, OURS, receiver.url)
            item_ids = items(system, ids, 5)
            started = time.monotonic()
            acknowledge(system, item_ids)
            receiver.wait_for(lambda r: len(r) >= 5, timeout=7)  # all of them before the slow one's first answer
            assert time.monotonic() - started < 7.5
            assert slow.received == []
    finally:
        slow.stop()
        system.close()


def test_another_tenants_events_are_never_sent(running, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    system, _, ids = running
    theirs = Receiver()
    try:
        register(system, OURS, receiver.url)
        register(system, THEIRS, theirs.url)
        acknowledge(system, items(system, ids, 2))
        system.annual.handle(AcceptAgreement(accme_id=THEIRS, year=2025), Acting("provider:0005555:x", Channel.WEB))
        ours_got = receiver.wait_for(lambda r: len(r) >= 2)
        their_got = theirs.wait_for(lambda r: len(r) >= 1)
        time.sleep(0.5)  # anything misrouted would have arrived by now
        assert {r["json"]["type"] for r in receiver.delivered()} == {"completion.accepted"}
        assert all(r["json"]["data"]["provider_id"] == OURS for r in receiver.delivered())
        assert [r["json"]["type"] for r in theirs.delivered()] == ["checklist.changed"]
        assert their_got[0]["json"]["data"] == {
            "provider_id": THEIRS,
            "year": 2025,
            "step": "agreement",
            "done": True,
            "event": "AnnualReport.AgreementAccepted",
            "checklist": f"/api/v1/providers/{THEIRS}/years/2025/checklist",
        }
        assert len(ours_got) == 2
    finally:
        theirs.stop()


def test_an_endpoint_only_gets_the_types_it_chose_and_nothing_before_it_was_registered(
    running, receiver: Receiver
) -> None:  # type: ignore[no-untyped-def]
    system, _, ids = running
    item_ids = items(system, ids, 4)
    acknowledge(system, item_ids[:1], "rejected")  # before the endpoint exists
    system.projections.wait(system.store.head())
    register(system, OURS, receiver.url, ["completion.rejected"])
    acknowledge(system, item_ids[1:3])  # accepted: not chosen
    acknowledge(system, item_ids[3:], "rejected")
    got = receiver.wait_for(lambda r: len(r) >= 1)
    time.sleep(0.5)
    assert [r["json"]["data"]["item_id"] for r in receiver.delivered()] == item_ids[3:]
    assert len(got) == 1


# --- kill -9 of the sender mid-batch, then a restart ---------------------------------------------------


def _sender(url: str, tmp_path: Path, log: str, **extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PARS_DATABASE_URL": url,
        "PARS_SECRET_KEY": "test-secret-key",
        "PARS_MAIL": f"file:{tmp_path / 'mail'}",
        "PARS_WEBHOOK_ALLOW_PRIVATE": "1",
        "PARS_WEBHOOK_ALLOW_HTTP": "1",
        "PARS_WEBHOOK_RETRY_FIRST": "0.05",
        "PARS_WEBHOOK_RETRY_LONGEST": "0.2",
        "PARS_WEBHOOK_TIMEOUT": "2",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PARS_WEBHOOK_LEASE": "1",
        **extra,
    }
    code = "import sys; from adapters.cli.main import app; sys.exit(app(prog_name='pars'))"
    out = open(tmp_path / log, "wb")  # noqa: SIM115 - closed with the process by the OS
    return subprocess.Popen(
        [sys.executable, "-c", code, "feeds", "relay", "--webhooks-only"],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )


@pytest.mark.slow
def test_a_sender_killed_mid_batch_loses_nothing(database_url: str, tmp_path: Path, receiver: Receiver) -> None:
    with forty_accepted(database_url, receiver) as (system, item_ids):
        for i in range(0, 40, 10):
            acknowledge(system, item_ids[i : i + 10])
        system.projections.catch_up()
        receiver.delay = 0.05  # 40 deliveries take two seconds: time to kill the sender among them
        first = _sender(database_url, tmp_path, "sender-1.log")
        try:
            receiver.wait_for(lambda r: len(r) >= 8, timeout=60)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        time.sleep(0.3)  # a request the killed sender left half done is answered (and counted) by now
        before = len(receiver.delivered())
        assert before < 40, "the batch was over before the kill"
        second = _sender(database_url, tmp_path, "sender-2.log")
        try:
            got = receiver.wait_for(lambda r: {x["json"]["data"]["item_id"] for x in r} >= set(item_ids), timeout=60)
        except AssertionError:
            missing = set(item_ids) - {x["json"]["data"]["item_id"] for x in receiver.delivered()}
            rows = system.webhook_queries.deliveries(OURS, _hook(system), limit=100)[0]
            raise AssertionError(
                f"missing {sorted(missing)}; {[(d['id'], d['status'], d['attempts'], d['last_error']) for d in rows]};"
                f" {(tmp_path / 'sender-2.log').read_text()[-3000:]}"
            ) from None
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
        sent = [r["json"]["data"]["item_id"] for r in got]
        # Nothing lost, in order; a repeat only of what the killed sender had sent but not recorded (its batch),
        # with the same payload id, so the receiver drops it.
        assert set(sent) == set(item_ids)
        assert list(dict.fromkeys(sent)) == item_ids
        resent = sent[before:]
        assert resent == item_ids[item_ids.index(resent[0]) :]  # the restart resumes at a delivery not recorded
        assert item_ids.index(resent[0]) <= before  # ... at or before where the killed one stopped
        ids_of = {r["json"]["data"]["item_id"]: r["json"]["id"] for r in got[:before]}
        assert all(
            r["json"]["id"] == ids_of[r["json"]["data"]["item_id"]]
            for r in got[before:]
            if r["json"]["data"]["item_id"] in ids_of
        )
        log = (tmp_path / "sender-2.log").read_text()
        assert "Traceback" not in log, log
        statuses = {d["status"] for d in system.webhook_queries.deliveries(OURS, _hook(system), limit=100)[0]}
        assert statuses == {"delivered"}


def _hook(system: System) -> str:
    return str(system.webhook_queries.endpoints(OURS)[0]["id"])


def _holder_pid(system: System) -> int | None:
    held = system.webhook_deliveries.holder()
    if held is None or held[1] < datetime.now(UTC):
        return None
    return int(held[0].split(":")[1])


def test_two_senders_on_one_store_send_each_delivery_once_and_the_second_takes_over(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    """Two `pars feeds relay --webhooks-only` at once: one holds the lease and sends, the other stands by without
    failing; killed with SIGKILL, the holder's lease runs out and the other sends what came since."""
    with forty_accepted(database_url, receiver) as (system, item_ids):
        senders = {
            p.pid: p for p in (_sender(database_url, tmp_path, "a.log"), _sender(database_url, tmp_path, "b.log"))
        }
        try:
            for i in range(0, 20, 5):
                acknowledge(system, item_ids[i : i + 5])
                system.projections.catch_up()
                time.sleep(0.2)  # both senders look at the queue many times over
            got = receiver.wait_for(lambda r: len(r) >= 20, timeout=60)
            time.sleep(1.0)  # a second sender sending too would have repeated some by now
            sent = [r["json"]["data"]["item_id"] for r in receiver.delivered()]
            assert sent == item_ids[:20], "each delivery sent once, in order"
            holder = _holder_pid(system)
            assert holder in senders
            standby = next(p for pid, p in senders.items() if pid != holder)
            assert standby.poll() is None, "the sender that stands by is still running"
            senders[holder].send_signal(signal.SIGKILL)
            senders[holder].wait(30)
            for i in range(20, 40, 5):
                acknowledge(system, item_ids[i : i + 5])
            system.projections.catch_up()
            got = receiver.wait_for(lambda r: {x["json"]["data"]["item_id"] for x in r} >= set(item_ids), timeout=60)
            assert list(dict.fromkeys(r["json"]["data"]["item_id"] for r in got)) == item_ids
            assert _holder_pid(system) == standby.pid
        finally:
            for process in senders.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(30)
        for log in ("a.log", "b.log"):
            assert "Traceback" not in (tmp_path / log).read_text(), (tmp_path / log).read_text()
