"""Year-end reminders over HTTP: who is reminded, what the mail says, the 7-day rule and `force`, the history
event, and the forbidden cases (a provider's token, a state accreditor naming another's provider)."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest

from adapters.mail import FileMailer
from tests.annual.activities import add_activity, complete_data
from tests.annual.conftest import at, register, settle

URL = "/api/v1/accreditor/year-end/2025/reminders"
FULL = {"advertising_exhibit_income": 0, "registration_fees": 1200, "government_grants": 0, "private_donations": 50}


@pytest.fixture
def mail(system, tmp_path: Path) -> Path:
    box = tmp_path / "mail"
    system.annual.mailer = FileMailer(str(box))
    return box


def mails(box: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in sorted(box.glob("*.eml"))
    ]


@pytest.fixture
def providers(system, client, token):
    register(system, "0001234", "ACCME", "Acme CME")
    register(system, "0005678", "CA", "Golden CME")
    register(system, "0009999", "ACCME", "Done CME")
    at(system, 2026, 3, 1)
    done = token("provider", provider="0009999")
    base = "/api/v1/providers/0009999/years/2025"
    assert client.post(f"{base}/agreement", headers=done).status_code == 200
    assert client.put(f"{base}/program-summary", headers=done, json=FULL).status_code == 200
    assert client.post(f"{base}/contacts-reviewed", headers=done).status_code == 200
    assert client.post(f"{base}/attestation", headers=done).status_code == 200
    acme = token("provider", provider="0001234")
    summary = {"registration_fees": 10}
    assert (
        client.put("/api/v1/providers/0001234/years/2025/program-summary", headers=acme, json=summary).status_code
        == 200
    )
    rounds = add_activity(system, "0001234", "GR-1", complete_data("Grand Rounds", "2025-06-01", "2025-06-30"))
    settle(system)
    return rounds.number


def test_every_incomplete_provider_is_mailed_exactly_what_is_missing(client, system, token, mail, providers):
    staff = token("accreditor")
    answer = client.post(URL, headers=staff, json={})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    by_id = {r["accme_id"]: r for r in body["results"]}
    assert set(by_id) == {"0001234", "0005678"}  # the complete provider is left alone
    assert body["counts"]["sent"] == 2 and body["counts"]["complete"] == 0
    assert by_id["0001234"]["to"] == "p0001234@example.org"
    assert by_id["0001234"]["missing_steps"] == [
        "agreement",
        "activities_closed",
        "program_summary",
        "contacts_reviewed",
        "attestation",
    ]
    sent = {m["To"]: m for m in mails(mail)}
    assert set(sent) == {"p0001234@example.org", "p0005678@example.org"}
    text = sent["p0001234@example.org"].get_content()
    assert "2025 year-end reporting is due March 31, 2026" in sent["p0001234@example.org"]["Subject"]
    assert "Acme CME (ACCME ID 0001234)" in text and "30 days from today" in text
    assert f"{providers}  Grand Rounds (ended 2025-06-30)" in text
    assert "advertising and exhibit income, government monetary grants, private monetary donations not entered" in text
    assert "Accept the annual agreement" in text and "Review contact information" in text
    assert "Update enduring-material" not in text  # nothing is missing there
    assert "/provider/0001234/year/2025" in text
    # each reminder is an event on the provider's history, with who sent it and through which channel
    history = client.get("/api/v1/providers/0001234/history?type=ReminderSent", headers=staff).json()
    (event,) = [e for e in history["items"] if e["type"].endswith("ReminderSent")]
    assert event["channel"] == "web_service" and event["data"]["to"] == "p0001234@example.org"
    assert event["data"]["missing_steps"][0] == "agreement" and event["data"]["forced"] is False


def test_not_reminded_twice_within_7_days_unless_forced(client, system, token, mail, providers):
    staff = token("accreditor")
    assert client.post(URL, headers=staff, json={"providers": ["0001234"]}).json()["counts"]["sent"] == 1
    at(system, 2026, 3, 7)
    again = client.post(URL, headers=staff, json={"providers": ["0001234"]}).json()
    (result,) = again["results"]
    assert result["status"] == "reminded_recently" and result["last_reminded"].startswith("2026-03-01")
    assert "not reminded again within 7 days" in result["msg"]
    assert len(mails(mail)) == 1
    forced = client.post(URL, headers=staff, json={"providers": ["0001234"], "force": True}).json()
    assert forced["results"][0]["status"] == "sent" and len(mails(mail)) == 2
    at(system, 2026, 3, 14, 13)  # seven days after the forced one
    assert client.post(URL, headers=staff, json={"providers": ["0001234"]}).json()["counts"]["sent"] == 1
    history = client.get("/api/v1/providers/0001234/history?type=ReminderSent", headers=staff).json()["items"]
    assert [e["data"]["forced"] for e in history] == [False, True, False]


def test_named_providers_get_one_result_each(client, system, token, mail, providers):
    answer = client.post(
        URL, headers=token("accreditor"), json={"providers": ["0009999", "0001234", "0000001", "0001234"]}
    ).json()
    assert [(r["accme_id"], r["status"]) for r in answer["results"]] == [
        ("0009999", "complete"),
        ("0001234", "sent"),
        ("0000001", "not_found"),
    ]


def test_a_state_accreditor_reminds_only_its_own_providers(client, system, token, mail, providers):
    ca = token("accreditor", state="CA")
    everyone = client.post(URL, headers=ca, json={}).json()
    assert [r["accme_id"] for r in everyone["results"]] == ["0005678"]
    other = client.post(URL, headers=ca, json={"providers": ["0001234"]}).json()
    assert other["results"] == [
        {
            "accme_id": "0001234",
            "status": "not_found",
            "msg": "no provider you oversee has this ACCME ID",
            "to": None,
            "missing_steps": None,
            "last_reminded": None,
            "copies": None,
        }
    ]
    assert "Acme" not in str(other)
    assert [m["To"] for m in mails(mail)] == ["p0005678@example.org"]


def test_a_failed_mail_is_reported_and_recorded(client, system, token, tmp_path, providers):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    system.annual.mailer = FileMailer(str(blocker))
    (result,) = client.post(URL, headers=token("accreditor"), json={"providers": ["0001234"]}).json()["results"]
    assert result["status"] == "mail_failed" and "send it again with force" in result["msg"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"providers": ["123"]}, ["body", "providers", "0"]),
        ({"providers": []}, ["body", "providers"]),
        ({"providers": "0001234"}, ["body", "providers"]),
        ({"force": "maybe"}, ["body", "force"]),
        ({"force": 0}, ["body", "force"]),
        ({"force": "true"}, ["body", "force"]),
        ({"provider": ["0001234"]}, ["body", "provider"]),
    ],
)
def test_bad_bodies_are_422_naming_the_field(client, token, mail, providers, body, loc):
    answer = client.post(URL, headers=token("accreditor"), json=body)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert loc in [e["loc"] for e in answer.json()["errors"]]
    assert mails(mail) == []


def test_only_accreditor_staff_send_reminders(client, token, mail, providers):
    assert client.post(URL, json={}).status_code == 401
    for who in (
        token("provider", provider="0001234"),
        token("board", board="ABIM"),
        token("auditor"),
    ):
        answer = client.post(URL, headers=who, json={})
        assert answer.status_code == 403, answer.text
    assert (
        client.post("/api/v1/accreditor/year-end/2027/reminders", headers=token("accreditor"), json={}).status_code
        == 422
    )
    assert (
        client.post("/api/v1/accreditor/year-end/20x5/reminders", headers=token("accreditor"), json={}).status_code
        == 422
    )
    assert mails(mail) == []


def test_the_reminder_time_is_the_services_clock(system, providers, mail):
    """The event records the instant the service's clock gives (the 7-day rule counts from it)."""
    from commands.annual import RemindProviders
    from tests.annual.conftest import CLI

    outcome = system.annual.handle(RemindProviders(year=2025, providers=("0005678",), base_url="http://x"), CLI)
    assert outcome.value["results"][0]["status"] == "sent"
    report = system.annual.load("0005678", 2025)
    assert report is not None and report.last_reminded == datetime(2026, 3, 1, 12, tzinfo=UTC)
