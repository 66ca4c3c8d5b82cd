"""GET /api/v1/providers/{id}/activities/{activity_id}/learners: every record of an activity with each board's
status as the board answered (pending, accepted, rejected with the reason), paged, sorted, filtered, as CSV and
Excel; the dashboard's records per board; another provider's user sees nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.tokens import issue_token
from tests.feeds.helpers import delete, record, setup


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


@pytest.fixture
def app(any_system: System) -> Iterator[tuple[System, TestClient, dict[str, Any]]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        ids = setup(any_system, running=True)
        record(any_system, ids, 3)  # Ana: c0, c1, c2 (ABIM)
        delete(any_system, ids, "ccid:0004444:c1")
        record(any_system, ids, 1, learner="ben", prefix="b", moc=False)
        any_system.projections.wait(any_system.store.head())
        items = client.get("/api/v1/feeds/boards/ABIM", headers=auth(any_system, "board", board="ABIM")).json()["items"]
        answers = [
            {"id": items[0]["id"], "status": "accepted"},
            {"id": items[2]["id"], "status": "rejected", "reason_code": "NAME", "reason": "name mismatch"},
        ]
        answer = client.post(
            "/api/v1/feeds/boards/ABIM/acknowledgements", headers=auth(any_system, "board", board="ABIM"), json=answers
        )
        assert answer.json()["recorded"] == 2
        yield any_system, client, ids


def url(ids: dict[str, Any]) -> str:
    return f"/api/v1/providers/0004444/activities/{ids['activity']}/learners"


def test_each_record_shows_each_boards_status(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    body = client.get(url(ids), headers=mine).json()
    assert body["count"] == 3 and body["page"] == 1
    rows = {r["credit_id"]: r for r in body["data"]}
    assert set(rows) == {"ccid:0004444:c0", "ccid:0004444:c2", "ccid:0004444:b0"}  # c1 was deleted
    c0, c2, b0 = rows["ccid:0004444:c0"], rows["ccid:0004444:c2"], rows["ccid:0004444:b0"]
    assert c0["learner"]["last_name"] == "García-López" and c0["completion_date"] == "2025-03-02"
    assert c0["cme_credits"] == 2.0 and c0["consent"] is True
    assert [(b["board"], b["points"], b["status"]) for b in c0["boards"]] == [("ABIM", 2.0, "accepted")]
    assert c2["boards"][0] | {"answered_at": None} == {
        "board": "ABIM",
        "points": 2.0,
        "status": "rejected",
        "reason_code": "NAME",
        "reason": "name mismatch",
        "answered_at": None,
        # Completed 2 March, rejected and not corrected by 1 April (PARS's 30 days): late on 1 June.
        "due": "2025-04-01",
        "due_rule": "PARS expects MOC records within 30 days of completion",
        "grace_until": "2025-04-01",
        "standing": "late",
    }
    assert c2["standing"] == "late" and c0["standing"] is None  # accepted: nothing to lose
    assert b0["boards"] == [] and b0["learner"]["last_name"] == "Okafor"
    rejected = client.get(url(ids), headers=mine, params={"status": "rejected"}).json()
    assert [r["credit_id"] for r in rejected["data"]] == ["ccid:0004444:c2"] and rejected["count"] == 1
    assert client.get(url(ids), headers=mine, params={"status": "pending"}).json()["count"] == 0
    by_name = client.get(url(ids), headers=mine, params={"sort": "learner", "order": "desc"}).json()["data"]
    assert [r["learner"]["last_name"] for r in by_name] == ["Okafor", "García-López", "García-López"]
    by_id = client.get(url(ids), headers=mine, params={"sort": "credit_id"}).json()["data"]
    assert [r["credit_id"] for r in by_id] == sorted(rows)
    dashboard = client.get("/api/v1/providers/0004444/dashboard?year=2025", headers=mine).json()
    assert dashboard["board_records"] == {"ABIM": {"accepted": 1, "rejected": 1}}


def test_the_roster_exports_as_csv_and_excel(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    answer = client.get(url(ids), headers=mine, params={"format": "csv", "sort": "credit_id"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == [
        "Last Name",
        "First Name",
        "Credit ID",
        "Completion Date",
        "CME Credits",
        "Late",
        "Consent to Share",
        "ABIM MOC Points",
        "ABIM Status",
        "ABIM Reason",
        "ABIM Due",
    ]
    assert rows[1][:3] == ["Okafor", "Ben", "ccid:0004444:b0"] and rows[1][7:] == ["", "", "", ""]
    assert rows[3][2] == "ccid:0004444:c2"
    assert rows[3][7:] == ["2.0", "rejected", "NAME name mismatch", "2025-04-01 (late)"]
    xlsx = client.get(url(ids), headers=mine, params={"format": "xlsx", "status": "accepted"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[2]][2:3] == ["ccid:0004444:c0"] and sheet.max_row == 2


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        ("provider", {"provider": "0005555"}, 404),  # another provider's user: as if there were no provider
        ("board", {"board": "ABIM"}, 404),
        ("learner", {"learner": "x"}, 404),
    ],
)
def test_nobody_else_reads_the_roster(app, role: str, scope: dict[str, str], status: int) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    answer = client.get(url(ids), headers=auth(system, role, **scope))
    assert answer.status_code == status, answer.text
    assert "García" not in answer.text and "ccid" not in answer.text
    assert client.get(url(ids)).status_code == 401


def test_an_activity_of_another_provider_is_404(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    other = f"/api/v1/providers/0004444/activities/{ids['other_activity']}/learners"
    answer = client.get(other, headers=auth(system, "provider", provider="0004444"))
    assert answer.status_code == 404 and answer.json()["errors"][0]["loc"] == ["path", "activity_id"]


def test_a_rejected_record_is_corrected_and_resubmitted_in_one_request(app) -> None:  # type: ignore[no-untyped-def]
    system, client, ids = app
    mine = auth(system, "provider", provider="0004444")
    fixed = {"completion_date": "2025-03-01", "cme": [{"credits": 1.5}], "moc": [{"board": "ABIM", "credits": 1.5}]}
    answer = client.post("/api/v1/providers/0004444/completions/ccid:0004444:c2/correction", headers=mine, json=fixed)
    assert answer.status_code == 200, answer.text
    assert answer.json()["boards"] == [
        {
            "board": "ABIM",
            "points": 1.5,
            "status": "pending",
            "reason_code": "",
            "reason": "",
            "answered_at": None,
            "due": "2025-03-31",  # 30 days after the corrected completion date
            "due_rule": "PARS expects MOC records within 30 days of completion",
            "grace_until": "2025-03-31",
            "standing": "late",
        }
    ]
    history = client.get("/api/v1/providers/0004444/history", headers=auth(system, "accreditor")).json()["items"]
    assert [e["type"] for e in history[-2:]] == ["Completion.Deleted", "Completion.Resubmitted"]
    assert history[-1]["data"]["completion_date"] == "2025-03-01"
    feed = client.get("/api/v1/feeds/boards/ABIM", headers=auth(system, "board", board="ABIM")).json()["items"]
    assert [(i["type"], i["credit_id"], i.get("points")) for i in feed[-2:]] == [
        ("deletion", "ccid:0004444:c2", 2.0),
        ("completion", "ccid:0004444:c2", 1.5),
    ]
    rejected = client.get(url(ids), headers=mine, params={"status": "rejected"}).json()
    assert rejected["count"] == 0  # the new record waits for the board's new answer
    again = client.post(
        "/api/v1/feeds/boards/ABIM/acknowledgements",
        headers=auth(system, "board", board="ABIM"),
        json=[{"id": feed[-1]["id"], "status": "accepted"}],
    )
    assert again.json()["recorded"] == 1
    rows = {r["credit_id"]: r for r in client.get(url(ids), headers=mine).json()["data"]}
    assert rows["ccid:0004444:c2"]["boards"][0]["status"] == "accepted"
    assert rows["ccid:0004444:c2"]["completion_date"] == "2025-03-01"


@pytest.mark.parametrize(
    ("credit_id", "body", "who", "status", "loc"),
    [
        (
            "ccid:0004444:c1",
            {"completion_date": "2025-03-01", "cme": [{"credits": 1}]},
            "mine",
            404,
            ["path", "credit_id"],
        ),
        (
            "ccid:0004444:c2",
            {"completion_date": "2025-04-01", "cme": [{"credits": 1}]},
            "mine",
            422,
            ["body", "completion_date"],
        ),
        (
            "ccid:0004444:c2",
            {"completion_date": "2025-03-01", "moc": [{"board": "ABP", "credits": 1}]},
            "mine",
            422,
            None,
        ),
        ("ccid:0004444:c2", {"completion_date": "2025-03-01", "cme": [{"credits": 1}]}, "theirs", 404, None),
        ("ccid:0004444:c2", {"completion_date": "2025-03-01", "cme": [{"credits": 1}]}, "board", 404, None),
    ],
)
def test_a_correction_is_refused_naming_the_field(app, credit_id, body, who, status, loc) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    headers = {
        "mine": auth(system, "provider", provider="0004444"),
        "theirs": auth(system, "provider", provider="0005555"),
        "board": auth(system, "board", board="ABIM"),
    }[who]
    answer = client.post(f"/api/v1/providers/0004444/completions/{credit_id}/correction", headers=headers, json=body)
    assert answer.status_code == status, answer.text
    if loc:
        assert answer.json()["errors"][0]["loc"] == loc
    history = client.get("/api/v1/providers/0004444/history", headers=auth(system, "accreditor")).json()["items"]
    assert history[-1]["type"] == "Completion.Acknowledged"  # nothing recorded


def test_the_accme_learner_status_reports_each_boards_answer(app) -> None:  # type: ignore[no-untyped-def]
    system, client, _ = app
    mine = auth(system, "provider", provider="0004444")
    rejected = client.get("/accme/learner-activities/status", headers=mine, params={"CreditId": "ccid:0004444:c2"})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()[0]["BoardStatus"] == [
        {"board": "ABIM", "status": "rejected", "reasonCode": "NAME", "reason": "name mismatch"}
    ]
    cme_only = client.get("/accme/learner-activities/status", headers=mine, params={"CreditId": "ccid:0004444:b0"})
    assert cme_only.json()[0]["BoardStatus"] == []
