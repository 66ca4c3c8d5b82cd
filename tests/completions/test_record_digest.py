"""The digest of MOC records at risk and late: opt-in per provider and contact role, mailed (the file mailer) with
each record's board, status and date and no learner's name, not repeated within 20 hours unless forced, recorded
on the provider's history; `pars admin send-record-digests` sends every provider's that asked (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.mail import FileMailer
from adapters.tokens import issue_token
from commands.completions import SendRecordDigests
from tests.completions.helpers import BY
from tests.feeds.helpers import record, setup
from tests.web.helpers import mails

DIGEST = "/api/v1/providers/0004444/record-digest"


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


@pytest.fixture
def app(any_system: System, tmp_path: Path) -> Iterator[tuple[System, TestClient, Path]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        ids = setup(any_system, running=True)
        any_system.activities.today = any_system.completions.today = lambda: date(2025, 3, 20)
        record(any_system, ids, 2)  # completed 2 March, due 1 April: at risk on 20 March
        any_system.projections.wait(any_system.store.head())
        board = auth(any_system, "board", board="ABIM")
        items = client.get("/api/v1/feeds/boards/ABIM", headers=board).json()["items"]
        rejected = {"id": items[1]["id"], "status": "rejected", "reason_code": "BID", "reason": "board ID not found"}
        assert (
            client.post("/api/v1/feeds/boards/ABIM/acknowledgements", headers=board, json=[rejected]).status_code == 200
        )
        clock = {"now": datetime(2025, 3, 20, 7, tzinfo=UTC)}
        any_system.digests.clock = lambda: clock["now"]
        any_system.digests.mailer = FileMailer(str(tmp_path / "mail"))
        client.clock = clock  # type: ignore[attr-defined]
        yield any_system, client, tmp_path / "mail"


def test_a_provider_asks_for_the_digest_and_gets_it_once_a_day(app) -> None:  # type: ignore[no-untyped-def]
    system, client, mail = app
    mine = auth(system, "provider", provider="0004444")
    assert client.get(DIGEST, headers=mine).json() == {"roles": [], "records_due": {"ABIM": {"late": 0, "at_risk": 2}}}
    not_asked = client.post(f"{DIGEST}/send", headers=mine, json={}).json()
    assert not_asked["status"] == "not_asked" and mails(mail) == []
    answer = client.put(DIGEST, headers=mine, json={"roles": ["primary", "billing"]})
    assert answer.status_code == 200 and answer.json()["roles"] == ["primary", "billing"]

    sent = client.post(f"{DIGEST}/send", headers=mine, json={}).json()
    assert sent == {"accme_id": "0004444", "status": "sent", "to": ["p0004444@cme.org"], "at_risk": 2, "late": 0}
    (message,) = mails(mail)
    text = message.get_content()
    assert message["To"] == "p0004444@cme.org" and "0 MOC records late, 2 at risk" in message["Subject"]
    assert "ABIM: 0 late, 2 at risk" in text and "ABIM due 2025-04-01: rejected (BID) — credit ccid:0004444:c1" in text
    assert "ccid:0004444:c0" in text and "García" not in text and "Ana" not in text  # no learner's name in mail
    assert "/provider/0004444/records?status=at_risk" in text

    again = client.post(f"{DIGEST}/send", headers=mine, json={}).json()
    assert again["status"] == "sent_recently" and len(mails(mail)) == 1
    assert client.post(f"{DIGEST}/send", headers=mine, json={"force": True}).json()["status"] == "sent"
    history = client.get("/api/v1/providers/0004444/history", headers=mine).json()["items"]
    sends = [e for e in history if e["type"] == "RecordDigest.Sent"]
    assert [e["data"]["forced"] for e in sends] == [False, True] and sends[0]["data"]["at_risk"] == 2

    # The daily run: a day later every provider that asked gets it; one that did not is left alone.
    client.clock["now"] += timedelta(days=1)
    results = system.digests.handle(SendRecordDigests(base_url="http://pars.test"), BY).value["results"]
    assert [(r["accme_id"], r["status"]) for r in results] == [("0004444", "sent")]
    assert client.put(DIGEST, headers=mine, json={"roles": []}).json()["roles"] == []
    client.clock["now"] += timedelta(days=1)
    assert system.digests.handle(SendRecordDigests(base_url="http://pars.test"), BY).value["results"] == []


def test_the_daily_command_sends_the_digests(app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    system, client, mail = app
    client.put(DIGEST, headers=auth(system, "provider", provider="0004444"), json={"roles": ["primary"]})
    from adapters.cli import main, providers

    monkeypatch.setattr(providers, "system_or_exit", lambda: _Using(system))
    result = CliRunner().invoke(main.app, ["admin", "send-record-digests", "--provider", "0004444"])
    assert result.exit_code == 0, result.output
    assert '"status": "sent"' in result.output and len(mails(mail)) == 1


@pytest.mark.parametrize(
    ("who", "body", "status", "loc"),
    [
        ({"role": "provider", "provider": "0004444"}, {"roles": ["boss"]}, 422, ["body", "roles", "0"]),
        ({"role": "provider", "provider": "0005555"}, {"roles": ["primary"]}, 404, None),
        ({"role": "board", "board": "ABIM"}, {"roles": ["primary"]}, 404, None),
        ({"role": "auditor"}, {"roles": ["primary"]}, 403, None),
    ],
)
def test_only_the_provider_asks_for_its_digest(app, who: dict[str, str], body: Any, status: int, loc: Any) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    answer = client.put(DIGEST, headers=auth(system, **who), json=body)
    assert answer.status_code == status, answer.text
    if loc:
        assert answer.json()["errors"][0]["loc"] == loc and "not a contact role" in answer.json()["errors"][0]["msg"]
    assert client.put(DIGEST, json=body).status_code == 401


class _Using:
    def __init__(self, system: System) -> None:
        self.system = system

    def __enter__(self) -> System:
        return self.system

    def __exit__(self, *_: Any) -> None:
        return None
