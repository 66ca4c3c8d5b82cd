"""Licence requirement tracking over HTTP: the rules (who may set them, replay to an instant), a learner's
licences and progress, and a state board's compliance view — each route with its forbidden cases."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from adapters.bootstrap import System
from adapters.db.licences_tables import licence_status_steps
from adapters.db.licences_view import refill_if_made_before_steps
from tests.completions.helpers import envelope, report, setup
from tests.licences.helpers import seed, tagged_activity, tn_rules

ANA_TN = {"licence_type": "MD", "number": "MD12345", "issued_on": "2001-07-01"}


@pytest.fixture
def ids(system: System, client: TestClient, token) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ids = setup(system, running=True)
    seed(system)
    ids["tagged"] = tagged_activity(system)
    provider = token("provider", provider="0004444")
    reports = envelope(report(ids["activity"]), report(ids["tagged"], credit_id="ccid:0004444:t1"))
    answer = client.post("/accme/learner-activities", json=reports, headers=provider)
    assert answer.status_code == 201, answer.text
    system.projections.wait(system.store.head())
    return ids


def test_anyone_reads_the_rules_with_sources_and_uncertain_flags(client: TestClient, ids) -> None:  # type: ignore[no-untyped-def]
    every = client.get("/api/v1/licence-rules")
    assert every.status_code == 200
    assert set(every.json()["states"]) == {"TN", "CA", "NY", "TX", "FL", "NC", "ME"}
    tn = client.get("/api/v1/licence-rules/tn").json()
    [md, do] = tn["rules"]
    assert md["board"] == "Board of Medical Examiners" and md["cycle"]["anchor"] == "birth_month"
    assert md["category1_min"] == {"value": 40.0, "uncertain": True} and md["uncertain"] is True
    assert md["seen_on"] == "2026-11-29"
    assert {
        "url": "https://www.tnmed.org/news/bme-changes-cme-date-requirements-for-licensure-renewal/",
        "key": "TN3",
        "page_date": "2022-03-17",
    } in md["sources"]
    assert do["cycle"]["uncertain"] is True
    assert client.get("/api/v1/licence-rules/WY").status_code == 404
    assert client.get("/api/v1/licence-rules/XX").status_code == 404


def test_staff_and_the_states_board_change_rules_others_may_not(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    before = datetime.now(UTC).isoformat()
    rules = copy.deepcopy(tn_rules())
    rules[0]["total_hours"] = 50
    path = "/api/v1/licence-rules/TN"
    assert client.put(path, json={"rules": rules}).status_code == 401
    for who in (
        token("board", state="NC"),
        token("board", board="ABIM"),
        token("accreditor", state="TN"),  # a state accreditor's staff oversee providers, not licences
        token("provider", provider="0004444"),
        token("learner", learner=ids["ana"]),
    ):
        refused = client.put(path, json={"rules": rules}, headers=who)
        assert refused.status_code == 403, refused.text
    changed = client.put(path, json={"rules": rules}, headers=token("board", state="TN"))
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed"] is True and changed.json()["rules"][0]["total_hours"] == 50.0
    again = client.put(path, json={"rules": rules}, headers=token("accreditor"))
    assert again.json()["changed"] is False
    assert client.get(path).json()["rules"][0]["total_hours"] == 50.0
    # the rules in force at an instant, replayed from the stream, with who set them
    old = client.get(path, params={"as_of": before}).json()
    assert old["rules"][0]["total_hours"] == 40.0 and old["set_by"] == "accreditor:tester" and old["version"] == 1
    now = client.get(path, params={"as_of": datetime.now(UTC).isoformat()}).json()
    assert (
        now["rules"][0]["total_hours"] == 50.0
        and now["set_by"].startswith("board:TN:")
        and now["channel"] == "web_service"
    )
    assert client.get(path, params={"as_of": "2000-01-01T00:00:00Z"}).status_code == 404
    # a bad rule is named by its place
    rules[0]["cycle"]["anchor"] = "full moon"
    bad = client.put(path, json={"rules": rules}, headers=token("accreditor"))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "rules", "0", "cycle", "anchor"]


def test_a_learner_tracks_a_licence_and_sees_progress(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    ana = token("learner", learner=ids["ana"])
    put = client.put("/api/v1/passport/licences/tn", json=ANA_TN, headers=ana)
    assert put.status_code == 200, put.text
    assert put.json()["licences"][0]["state"] == "TN" and put.json()["licences"][0]["number"] == "MD12345"
    answer = client.get("/api/v1/passport/requirements", headers=ana)
    assert answer.status_code == 200, answer.text
    [tn] = answer.json()["licences"]
    progress = tn["progress"]
    # born 1972 (even): the cycle ends 31 March of even years; today is 2025-06-01 (setup's clock)
    assert progress["cycle"] == {"start": "2024-04-01", "end": "2026-03-31"} and progress["days_left"] == 303
    by_name = {r["name"]: r for r in progress["requirements"]}
    assert by_name["Total CME credit"]["counted"] == 12.0 and by_name["Total CME credit"]["missing"] == 28.0
    assert by_name["controlled substance prescribing"] == {
        **by_name["controlled substance prescribing"],
        "counted": 6.0,
        "met": True,
        "missing": 0.0,
        "uncertain": True,
    }
    assert progress["met"] is False and tn["rule"]["uncertain"] is True
    # another cycle: nothing counted before
    earlier = client.get("/api/v1/passport/requirements", params={"on": "2023-01-01"}, headers=ana).json()
    assert earlier["licences"][0]["progress"]["requirements"][0]["counted"] == 0
    # a licence in a state without rules says so
    client.put("/api/v1/passport/licences/WY", json=ANA_TN, headers=ana)
    wy = client.get("/api/v1/passport/requirements", headers=ana).json()["licences"][1]
    assert wy["state"] == "WY" and wy["progress"] is None and "no CME rules" in wy["problem"]
    assert client.delete("/api/v1/passport/licences/WY", headers=ana).status_code == 204
    assert client.delete("/api/v1/passport/licences/WY", headers=ana).status_code == 404


def test_learner_routes_refuse_others_and_bad_input(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    ana = token("learner", learner=ids["ana"])
    for path in ("/api/v1/passport/requirements",):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=token("board", state="TN")).status_code == 403
        assert client.get(path, headers=token("provider", provider="0004444")).status_code == 403
        assert (
            client.get(path, headers=token("learner", learner="00000000-0000-0000-0000-000000000000")).status_code
            == 404
        )
    put = "/api/v1/passport/licences/TN"
    assert client.put(put, json=ANA_TN).status_code == 401
    assert client.put(put, json=ANA_TN, headers=token("accreditor")).status_code == 403
    assert client.delete(put, headers=token("board", state="TN")).status_code == 403
    bad_state = client.put("/api/v1/passport/licences/ZZ", json=ANA_TN, headers=ana)
    assert bad_state.status_code == 422 and bad_state.json()["errors"][0]["loc"] == ["path", "state"]
    bad_type = client.put(put, json={**ANA_TN, "licence_type": "RN"}, headers=ana)
    assert bad_type.status_code == 422 and bad_type.json()["errors"][0]["loc"] == ["body", "licence_type"]
    bad_number = client.put(put, json={**ANA_TN, "number": "MD 123!"}, headers=ana)
    assert bad_number.status_code == 422 and bad_number.json()["errors"][0]["loc"] == ["body", "number"]
    bad_date = client.put(put, json={**ANA_TN, "issued_on": "2001-13-01"}, headers=ana)
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["loc"][:2] == ["body", "issued_on"]


def test_a_state_board_sees_only_its_own_licensees(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    client.put("/api/v1/passport/licences/TN", json=ANA_TN, headers=token("learner", learner=ids["ana"]))
    ben = {"licence_type": "MD", "number": "2009-01234", "issued_on": "2009-05-01"}
    client.put("/api/v1/passport/licences/NC", json=ben, headers=token("learner", learner=ids["ben"]))
    path = "/api/v1/states/TN/compliance"
    assert client.get(path).status_code == 401
    for who in (
        token("board", state="NC"),
        token("board", board="ABIM"),
        token("accreditor"),
        token("auditor"),
        token("provider", provider="0004444"),
        token("learner", learner=ids["ana"]),
    ):
        refused = client.get(path, headers=who)
        assert refused.status_code == 403 and "García" not in refused.text and ids["ana"] not in refused.text
    answer = client.get(path, headers=token("board", state="TN"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["licensees"] == 1 and body["meeting"] == 0 and body["not_meeting"] == 1
    [ana] = body["items"]
    assert ana["learner_id"] == ids["ana"] and ana["last_name"] == "García-López" and ana["licence_number"] == "MD12345"
    assert ana["counted_in_cycle"] is True and ana["progress"]["requirements"][0]["counted"] == 12.0
    assert ana["progress"]["days_left"] == 303
    # a cycle without credit: the licensee is listed, nothing counted
    old = client.get(path, params={"on": "2022-01-01"}, headers=token("board", state="TN")).json()
    assert old["items"][0]["counted_in_cycle"] is False and old["items"][0]["progress"]["met"] is False
    nc = client.get("/api/v1/states/NC/compliance", headers=token("board", state="NC")).json()
    assert [i["learner_id"] for i in nc["items"]] == [ids["ben"]]
    assert client.get("/api/v1/states/XX/compliance", headers=token("board", state="TN")).status_code == 404


def test_a_cycle_without_credit_of_its_own_shows_a_one_time_topic_met_before(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    """The board's view answers as the physician's own: the next cycle holds no credit, yet the one-time topic
    met in this one stays met (and the totals count it)."""
    ana = token("learner", learner=ids["ana"])
    board = token("board", state="TN")
    client.put("/api/v1/passport/licences/TN", json=ANA_TN, headers=ana)
    rules = copy.deepcopy(tn_rules())
    rules[0]["total_hours"] = 0
    rules[0]["category1_min"] = 0
    rules[0]["topics"][0]["every_cycles"] = 0  # one-time: once in the licence's life
    assert client.put("/api/v1/licence-rules/TN", json={"rules": rules}, headers=board).status_code == 200
    for on in ("2025-06-01", "2027-01-01", "2040-01-01"):  # the cycle of the credit, the next one, much later
        mine = client.get("/api/v1/passport/requirements", params={"on": on}, headers=ana).json()["licences"][0]
        body = client.get("/api/v1/states/TN/compliance", params={"on": on}, headers=board).json()
        [item] = body["items"]
        assert item["progress"] == mine["progress"] and item["problem"] is None
        assert item["progress"]["met"] is True and item["progress"]["requirements"][2]["counted"] == 6.0
        assert item["counted_in_cycle"] is (on == "2025-06-01")
        assert (body["meeting"], body["not_meeting"]) == (1, 0)
        met = client.get("/api/v1/states/TN/compliance", params={"on": on, "met": "true"}, headers=board).json()
        unmet = client.get("/api/v1/states/TN/compliance", params={"on": on, "met": "false"}, headers=board).json()
        assert [i["learner_id"] for i in met["items"]] == [ids["ana"]] and unmet["items"] == []
    # before the licence's first credit nothing counts, and the board says so too
    old = client.get("/api/v1/states/TN/compliance", params={"on": "2020-01-01"}, headers=board).json()
    assert old["items"][0]["progress"]["met"] is False and (old["meeting"], old["not_meeting"]) == (0, 1)


def test_a_database_made_before_the_kept_counts_starts_the_licences_read_model_over(  # type: ignore[no-untyped-def]
    client: TestClient, token, ids, system: System
) -> None:
    """An older database's status rows hold only cycles with credit and no kept counts: start-up empties the read
    model and its position, and the projections catch it up from the log to the same answers."""
    board = token("board", state="TN")
    client.put("/api/v1/passport/licences/TN", json=ANA_TN, headers=token("learner", learner=ids["ana"]))
    system.projections.wait(system.store.head())
    before = client.get("/api/v1/states/TN/compliance", headers=board).json()
    assert before["licensees"] == 1
    assert refill_if_made_before_steps(system.db) is False  # a current database is left alone
    with system.db.engine.begin() as conn:
        conn.execute(delete(licence_status_steps))  # as an older database had them: not at all
    assert refill_if_made_before_steps(system.db) is True
    system.projections.wait(system.store.head())
    assert client.get("/api/v1/states/TN/compliance", headers=board).json() == before
    assert refill_if_made_before_steps(system.db) is False
