"""As-of reads: after every step of a provider's life, each read route's live answer is captured with
the time; afterwards the same routes asked `as_of` each time must answer exactly what was captured.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from adapters.formats.accme.learner_reports import report_completions
from adapters.tokens import issue_token
from commands.activities import CloseActivity
from commands.annual import AcceptAgreement, Attest, ReviewContacts, SetReportingDeadline, SubmitProgramSummary
from commands.providers import AssignContact, ContactDetails, RecordAccreditationDecision
from domain.audit_log import AuditorRead
from domain.base import Acting, Channel
from services import as_of as as_of_service
from tests.activities.helpers import ACCME_ID, HE, OTHER_ID, item
from tests.activities.helpers import register as register_provider
from tests.audit.as_of_helpers import cme_report
from tests.completions.helpers import BY
from tests.learners.helpers import ana_and_ben

SUPPORTED = {
    HE + "commercialSupport": True,
    "ActivityDescription__commercialSupportAmount": [{"supportSource": "Acme Pharma", "value": 5000}],
}
STAFF = Acting("accreditor:ACCME:staff", Channel.WEB)


@pytest.fixture
def app(any_system: System) -> Iterator[tuple[System, TestClient]]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        yield any_system, client


@pytest.fixture
def registered(app: tuple[System, TestClient]) -> tuple[System, TestClient]:
    """The app with our provider and theirs registered, in the read models."""
    system, _ = app
    register_provider(system)
    register_provider(system, OTHER_ID)
    settle(system)
    return app


def bearer(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


def routes(activities: list[str]) -> list[str]:
    base = f"/api/v1/providers/{ACCME_ID}"
    return [
        base,
        f"{base}/years/2025/checklist",
        f"{base}/dashboard?year=2025",
        f"{base}/dashboard",
        f"{base}/activities?year=2025",
        *[f"{base}/activities/{a}" for a in activities],
    ]


def with_as_of(path: str, moment: datetime) -> str:
    return path + ("&" if "?" in path else "?") + urlencode({"as_of": moment.isoformat()})


def settle(system: System) -> None:
    system.projections.wait(system.store.head(), timeout=10)


def capture(system: System, client: TestClient, activities: list[str]) -> tuple[datetime, dict[str, tuple[int, Any]]]:
    """Every route's live answer now, and the instant they were read at."""
    settle(system)
    headers = bearer(system, "provider", provider=ACCME_ID)
    answers = {}
    for path in routes(activities):
        r = client.get(path, headers=headers)
        answers[path] = (r.status_code, r.json())
    moment = datetime.now(UTC)
    time.sleep(0.002)  # the next step's events are stamped strictly later
    return moment, answers


def test_as_of_answers_equal_what_the_live_read_models_said_at_each_instant(
    app: tuple[System, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    system, client = app
    system.completions.today = lambda: date(2025, 6, 1)  # inside the 2025 reporting window; reads use the real today
    [ana, _] = system.learners.register_many(ana_and_ben(), BY)
    before_registration = datetime.now(UTC)
    time.sleep(0.002)

    numbers: list[str] = []
    steps: list[tuple[str, Any]] = [
        ("register", lambda: (register_provider(system), register_provider(system, OTHER_ID))),
        (
            "billing contact",
            lambda: system.providers.handle(
                AssignContact(
                    accme_id=ACCME_ID, role="billing", contact=ContactDetails(name="Bo Billing", email="bo@cme.org")
                ),
                BY,
            ),
        ),
        (
            "decision",
            lambda: system.providers.handle(
                RecordAccreditationDecision(
                    accme_id=ACCME_ID,
                    decision="Accreditation",
                    decided_on=date(2024, 7, 1),
                    term_ends=date(2028, 7, 31),
                ),
                STAFF,
            ),
        ),
        (
            "activities",
            lambda: numbers.extend(
                o.activity_id
                for o in submit_items(
                    system.activities,
                    ACCME_ID,
                    [item("A-1"), item("A-2", Lom__general__title="Stroke care", **SUPPORTED)],
                    BY,
                )
            ),
        ),
        (
            "other provider's activity",
            lambda: submit_items(system.activities, OTHER_ID, [item("B-1")], BY),
        ),
        (
            "revise A-2",
            lambda: submit_items(
                system.activities, ACCME_ID, [item("A-2", Lom__general__title="Stroke care, revised", **SUPPORTED)], BY
            ),
        ),
        ("completion", lambda: system.completions.handle(report_completions(ACCME_ID, [cme_report(numbers[0])]), BY)),
        (
            "second completion",
            lambda: system.completions.handle(
                report_completions(ACCME_ID, [cme_report(numbers[0], "ccid:0004444:c2", day="2025-03-01")]), BY
            ),
        ),
        ("agreement", lambda: system.annual.handle(AcceptAgreement(accme_id=ACCME_ID, year=2025), BY)),
        ("close A-1", lambda: system.activities.close(CloseActivity(accme_id=ACCME_ID, activity_id=numbers[0]), BY)),
        (
            "deadline",
            lambda: system.annual.set_deadline(
                SetReportingDeadline(accreditor="ACCME", year=2025, deadline=date(2026, 4, 15)), STAFF
            ),
        ),
        (
            "program summary",
            lambda: system.annual.handle(
                SubmitProgramSummary(
                    accme_id=ACCME_ID,
                    year=2025,
                    advertising_exhibit_income=100,
                    registration_fees=2000,
                    government_grants=0,
                    private_donations=50,
                ),
                BY,
            ),
        ),
        ("close A-2", lambda: system.activities.close(CloseActivity(accme_id=ACCME_ID, activity_id=numbers[1]), BY)),
        (
            "delete a completion",
            lambda: system.completions.handle(
                report_completions(ACCME_ID, [cme_report(numbers[0], "ccid:0004444:c2", "delete", "2025-03-01")]), BY
            ),
        ),
        ("contacts reviewed", lambda: system.annual.handle(ReviewContacts(accme_id=ACCME_ID, year=2025), BY)),
        ("attest", lambda: system.annual.handle(Attest(accme_id=ACCME_ID, year=2025), BY)),
        (
            "new primary",
            lambda: system.providers.handle(
                AssignContact(
                    accme_id=ACCME_ID, role="primary", contact=ContactDetails(name="Nia New", email="nia@cme.org")
                ),
                BY,
            ),
        ),
    ]
    captured: list[tuple[str, datetime, dict[str, tuple[int, Any]]]] = []
    for name, step in steps:
        step()
        moment, answers = capture(system, client, numbers[:2] or ["000000000"])
        captured.append((name, moment, answers))

    # The sequence really moved every route (so equality below is no accident of empty answers).
    first, last = captured[0][2], captured[-1][2]
    assert all(first[p] != last[p] for p in routes([])[:3] + [routes([])[4]])
    completions = [
        c[2][f"/api/v1/providers/{ACCME_ID}/dashboard?year=2025"][1]["completions_reported"] for c in captured
    ]
    assert max(completions) == 2 and completions[-1] == 1
    checklist = captured[-1][2][f"/api/v1/providers/{ACCME_ID}/years/2025/checklist"]
    assert checklist[1]["complete"] is True and checklist[1]["deadline"] == "2026-04-15"
    assert ana.learner_id

    auditor = bearer(system, "auditor")
    # Replayed from the start each time; then with replay snapshots every 2 events, asked newest first
    # (no snapshot fits yet) and again oldest first (each replay starts from the latest snapshot before it).
    for every, order in ((10_000, captured), (2, captured[::-1]), (2, captured)):
        monkeypatch.setattr(as_of_service, "SNAPSHOT_EVERY", every)
        for name, moment, answers in order:
            for path, (status, body) in answers.items():
                r = client.get(with_as_of(path, moment), headers=auditor)
                assert (r.status_code, r.json()) == (status, body), (
                    f"after {name!r}: {path} as of {moment} (snapshots every {every})"
                )
    assert system.as_of._snapshots, "the replays above kept snapshots"

    # Before the provider existed: 404 naming as_of; a future instant answers as now.
    r = client.get(f"/api/v1/providers/{ACCME_ID}", headers=auditor, params={"as_of": before_registration.isoformat()})
    assert r.status_code == 404 and r.json()["errors"] == [
        {"loc": ["query", "as_of"], "msg": "before the provider was registered"}
    ]
    later = datetime.now(UTC) + timedelta(days=3)
    for path, (status, body) in captured[-1][2].items():
        r = client.get(with_as_of(path, later), headers=auditor)
        assert (r.status_code, r.json()) == (status, body)


def test_as_of_reads_are_refused_as_live_reads_are(registered: tuple[System, TestClient]) -> None:
    system, client = registered
    moment = datetime.now(UTC).isoformat()
    path = f"/api/v1/providers/{ACCME_ID}/dashboard"
    assert client.get(path, params={"as_of": moment}).status_code == 401
    theirs = client.get(path, params={"as_of": moment}, headers=bearer(system, "provider", provider=OTHER_ID))
    assert theirs.status_code == 404 and ACCME_ID in theirs.json()["detail"] and "CME 0004444" not in theirs.text
    for bad in ("yesterday", "2025-13-01T00:00:00", "2025-01-01T25:00"):
        r = client.get(path, params={"as_of": bad}, headers=bearer(system, "auditor"))
        assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["query", "as_of"], bad


def test_an_auditors_as_of_read_is_recorded(registered: tuple[System, TestClient]) -> None:
    system, client = registered
    moment = datetime.now(UTC).isoformat()
    assert (
        client.get(
            f"/api/v1/providers/{ACCME_ID}/years/2025/checklist",
            params={"as_of": moment},
            headers=bearer(system, "auditor"),
        ).status_code
        == 200
    )
    reads = [
        system.store.mapper.to_domain_event(n) for n in system.store.recorder.select_notifications(start=1, limit=100)
    ]
    [read] = [e for e in reads if isinstance(e, AuditorRead.Recorded)]
    assert read.accme_id == ACCME_ID and read.path.endswith("/years/2025/checklist") and "as_of=" in read.query


def test_one_activity_route_answers_its_summary_and_refuses_like_the_others(
    registered: tuple[System, TestClient],
) -> None:
    system, client = registered
    [outcome] = submit_items(system.activities, ACCME_ID, [item("A-1")], BY)
    settle(system)
    path = f"/api/v1/providers/{ACCME_ID}/activities/{outcome.activity_id}"
    mine = bearer(system, "provider", provider=ACCME_ID)
    r = client.get(path, headers=mine)
    assert r.status_code == 200 and r.json()["provider_activity_id"] == "A-1" and r.json()["status"] == "ready_to_close"
    assert client.get(path).status_code == 401
    theirs = client.get(path, headers=bearer(system, "provider", provider=OTHER_ID))
    assert theirs.status_code == 404 and "A-1" not in theirs.text and "Cardiology" not in theirs.text
    missing = client.get(f"/api/v1/providers/{ACCME_ID}/activities/999999999", headers=mine)
    assert missing.status_code == 404 and missing.json()["errors"] == [
        {"loc": ["path", "activity_id"], "msg": "not found"}
    ]
    bad = client.get(f"/api/v1/providers/{ACCME_ID}/activities/12345", headers=mine)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["path", "activity_id"]
