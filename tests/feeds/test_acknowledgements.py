"""Boards answer the items of their feeds (POST /api/v1/feeds/{boards|states}/{code}/acknowledgements): per-item
results with 200, idempotent, refusals per item in PARS's words, each answer an event on the completion's stream
that the provider's history shows; only the board itself may answer (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.tokens import issue_token
from commands.completions import RecordCompletion
from tests.feeds.helpers import ABIM, BY, CME, delete, record, setup

BOARD = "/api/v1/feeds/boards"
STATE = "/api/v1/feeds/states"


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


@pytest.fixture
def app(any_system: System) -> Iterator[tuple[System, TestClient, dict[str, Any]]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        ids = setup(any_system, running=True)
        record(any_system, ids, 3)
        delete(any_system, ids, "ccid:0004444:c1")
        record(any_system, ids, 1, learner="ben", prefix="b", moc=False)
        any_system.projections.wait(any_system.store.head())
        yield any_system, client, ids


def resubmit(system: System, ids: dict[str, Any], credit_id: str) -> None:
    outcome, _ = system.completions.handle(
        RecordCompletion(
            accme_id="0004444",
            learner_id=ids["ana"],
            activity_id=ids["activity"],
            completion_date=date(2025, 3, 2),
            cme=CME,
            moc=ABIM,
            credit_id=credit_id,
            consent=True,
        ),
        BY,
    )
    assert outcome == "added"


def items(system: System, client: TestClient, path: str, **scope: str) -> list[dict[str, Any]]:
    return client.get(path, headers=auth(system, "board", **scope)).json()["items"]


def test_a_board_answers_its_items_once_and_again_when_it_changes_its_mind(app) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    abim = auth(system, "board", board="ABIM")
    c0 = items(system, client, f"{BOARD}/ABIM", board="ABIM")[0]
    first = client.post(f"{BOARD}/ABIM/acknowledgements", headers=abim, json=[{"id": c0["id"], "status": "accepted"}])
    assert first.status_code == 200, first.text
    assert first.json() == {
        "results": [{"index": 0, "id": c0["id"], "result": "recorded", "errors": []}],
        "recorded": 1,
        "unchanged": 0,
        "refused": 0,
    }
    again = client.post(f"{BOARD}/ABIM/acknowledgements", headers=abim, json=[{"id": c0["id"], "status": "accepted"}])
    assert again.json()["results"][0]["result"] == "unchanged"
    changed = client.post(
        f"{BOARD}/abim/acknowledgements",
        headers=abim,
        json=[{"id": c0["id"], "status": "rejected", "reason_code": "BID404", "reason": "board ID not found"}],
    )
    assert changed.json()["results"][0]["result"] == "recorded"
    history = client.get("/api/v1/providers/0004444/history", headers=auth(system, "accreditor")).json()["items"]
    answers = [e for e in history if e["type"] == "Completion.Acknowledged"]
    assert [(e["data"]["status"], e["data"]["reason"]) for e in answers] == [
        ("accepted", ""),
        ("rejected", "board ID not found"),
    ]
    assert all(e["channel"] == "web_service" and e["actor"].startswith("board:ABIM:") for e in answers)
    assert answers[1]["data"]["board"] == "ABIM" and answers[1]["data"]["feed"] == "board:ABIM"
    assert answers[1]["data"]["item_id"] == c0["id"] and answers[1]["data"]["reason_code"] == "BID404"


def test_refusals_are_per_item_and_the_rest_is_recorded(app) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    abim = items(system, client, f"{BOARD}/ABIM", board="ABIM")
    c0, c1, c2, deletion = abim
    assert deletion["type"] == "deletion" and deletion["credit_id"] == c1["credit_id"]
    ben = items(system, client, f"{STATE}/NC", state="NC")[0]  # an item of another feed only
    unknown = c0["id"].rsplit(":", 1)[0][:-1] + "0:1"
    body = [
        {"id": c0["id"], "status": "accepted"},
        {"id": ben["id"], "status": "accepted"},
        {"id": unknown, "status": "accepted"},
        {"id": deletion["id"], "status": "accepted"},
        {"id": c1["id"], "status": "accepted"},  # deleted since
        {"id": c2["id"], "status": "rejected"},  # no reason
        {"id": c2["id"], "status": "received"},  # a state board's word
        {"id": "c2", "status": "accepted"},
        {"id": c2["id"], "status": "accepted", "colour": "blue"},
        "accepted",
    ]
    answer = client.post(f"{BOARD}/ABIM/acknowledgements", headers=auth(system, "board", board="ABIM"), json=body)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["result"] for r in results] == ["recorded"] + ["refused"] * 9
    assert answer.json()["refused"] == 9
    msgs = {r["index"]: (r["errors"][0]["loc"], r["errors"][0]["msg"]) for r in results[1:]}
    assert msgs[1] == (
        ["body", 1, "id"],
        f"no item {ben['id']!r} in the board:ABIM feed (an item's id, as the feed gives it)",
    )
    assert msgs[2][1] == msgs[1][1].replace(ben["id"], unknown)  # unknown and another feed's: the same words
    assert msgs[3] == (["body", 3, "id"], f"item {deletion['id']} is a deletion: only records are answered")
    assert "deleted since" in msgs[4][1]
    assert msgs[5] == (
        ["body", 5, "reason"],
        "a rejection gives its reason (reason or reason_code), so the provider can correct the record",
    )
    assert msgs[6] == (["body", 6, "status"], "status is accepted or rejected (got 'received')")
    assert msgs[7][0] == ["body", 7, "id"] and msgs[8][0] == ["body", 8, "colour"] and msgs[9][0] == ["body", 9]


def test_a_resubmitted_record_is_answered_by_its_new_item(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    resubmit(system, ids, "ccid:0004444:c1")  # again after its deletion: Resubmitted
    system.projections.wait(system.store.head())
    abim = items(system, client, f"{BOARD}/ABIM", board="ABIM")
    old, new = abim[1], abim[-1]
    assert old["credit_id"] == new["credit_id"] == "ccid:0004444:c1" and new["type"] == "completion"
    answer = client.post(
        f"{BOARD}/ABIM/acknowledgements",
        headers=auth(system, "board", board="ABIM"),
        json=[{"id": old["id"], "status": "accepted"}, {"id": new["id"], "status": "accepted"}],
    ).json()["results"]
    assert [r["result"] for r in answer] == ["refused", "recorded"]
    assert answer[0]["errors"][0]["msg"].endswith(f"answer item {new['id']}")


def test_a_state_board_says_it_received_its_items(app) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    tn = items(system, client, f"{STATE}/TN", state="TN")
    answer = client.post(
        f"{STATE}/TN/acknowledgements",
        headers=auth(system, "board", state="TN"),
        json=[{"id": tn[0]["id"], "status": "received"}, {"id": tn[2]["id"], "status": "accepted"}],
    )
    assert [r["result"] for r in answer.json()["results"]] == ["recorded", "refused"]
    assert answer.json()["results"][1]["errors"][0]["msg"] == "status is received or rejected (got 'accepted')"


@pytest.mark.parametrize(
    ("path", "role", "scope", "status"),
    [
        (f"{BOARD}/ABIM", "board", {"board": "ABP"}, 403),  # another board
        (f"{BOARD}/ABIM", "board", {"state": "TN"}, 403),
        (f"{STATE}/TN", "board", {"state": "NC"}, 403),  # another state
        (f"{BOARD}/ABIM", "provider", {"provider": "0004444"}, 403),  # the provider itself
        (f"{BOARD}/ABIM", "accreditor", {}, 403),  # ACCME staff read feeds, never answer
        (f"{BOARD}/ABIM", "auditor", {}, 403),
        (f"{BOARD}/XYZ", "board", {"board": "ABIM"}, 404),
        (f"{BOARD}/ABIM", None, {}, 401),
    ],
)
def test_only_the_board_itself_answers(app, path: str, role: str | None, scope: dict[str, str], status: int) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    c0 = items(system, client, f"{BOARD}/ABIM", board="ABIM")[0]
    headers = auth(system, role, **scope) if role else {}
    answer = client.post(f"{path}/acknowledgements", headers=headers, json=[{"id": c0["id"], "status": "accepted"}])
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "García" not in answer.text and "results" not in answer.json()
    history = client.get("/api/v1/providers/0004444/history", headers=auth(system, "accreditor")).json()["items"]
    assert not [e for e in history if e["type"] == "Completion.Acknowledged"]


@pytest.mark.parametrize("body", [{}, [], "accepted", {"acknowledgements": 3}, [{"id": "x"}] * 1001])
def test_a_body_that_is_no_list_of_answers_is_a_422(app, body: Any) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    answer = client.post(f"{BOARD}/ABIM/acknowledgements", headers=auth(system, "board", board="ABIM"), json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body"]
