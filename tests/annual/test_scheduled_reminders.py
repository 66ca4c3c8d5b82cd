"""Scheduled year-end reminders: an accreditor's staff switch them on N days before their deadline
(PUT /api/v1/accreditor/reminder-schedule); the scheduler (`pars reminders run`, and `pars serve` every hour)
reminds that accreditor's incomplete providers once a year inside the window, and nobody else's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.scheduler import send_due_reminders
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from domain.reminder_schedule import ReminderSchedule
from tests.annual.conftest import at, settle
from tests.annual.test_reminders import mail, mails, providers  # noqa: F401 - fixtures

URL = "/api/v1/accreditor/reminder-schedule"
BY = Acting("test", Channel.WEB)


def test_the_schedule_is_set_by_accreditor_staff_for_their_own_providers(client, token, system) -> None:
    staff, ca = token("accreditor"), token("accreditor", state="CA")
    assert client.get(URL, headers=staff).json() == {
        "accreditor": "ACCME",
        "enabled": False,
        "days_before": 14,
        "sent_years": [],
    }
    answer = client.put(URL, headers=staff, json={"enabled": True, "days_before": 10})
    assert answer.status_code == 200 and answer.json()["enabled"] is True and answer.json()["days_before"] == 10
    assert client.put(URL, headers=ca, json={"enabled": True, "days_before": 30}).json()["accreditor"] == "CA"
    assert client.get(URL, headers=staff, params={"accreditor": "CA"}).json()["days_before"] == 30
    assert client.put(URL, headers=ca, json={"enabled": True, "accreditor": "ACCME"}).status_code == 403
    assert client.put(URL, headers=token("provider", provider="0001234"), json={"enabled": True}).status_code in (
        403,
        404,
    )
    assert client.put(URL, json={"enabled": True}).status_code == 401
    bad = client.put(URL, headers=staff, json={"enabled": True, "days_before": 0})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "days_before"]
    assert client.put(URL, headers=staff, json={"enabled": "yes"}).status_code == 422


def test_scheduled_reminders_go_out_once_inside_the_window(client, token, system, mail, providers) -> None:  # noqa: F811
    assert client.put(URL, headers=token("accreditor"), json={"enabled": True, "days_before": 20}).status_code == 200
    at(system, 2026, 3, 1)  # ACCME's 2025 deadline is 31 March 2026: 30 days away, outside the window
    assert send_due_reminders(system) == []
    at(system, 2026, 3, 15)
    [sent] = send_due_reminders(system)
    assert (sent["accreditor"], sent["year"]) == ("ACCME", 2025)
    assert [r["accme_id"] for r in sent["results"]] == ["0001234"]  # ACCME's incomplete provider; not CA's
    assert [m["To"] for m in mails(mail)] == ["p0001234@example.org"]
    at(system, 2026, 3, 25)
    assert send_due_reminders(system) == []  # once a year
    settle(system)
    assert client.get(URL, headers=token("accreditor")).json()["sent_years"] == [2025]
    history = client.get("/api/v1/providers/0001234/history", headers=token("accreditor")).json()
    reminded = [e for e in history["items"] if e["type"].endswith("ReminderSent")]
    assert reminded and reminded[-1]["actor"] == "system:scheduled-reminders"


def test_switched_off_nothing_is_sent(client, token, system, mail, providers) -> None:  # noqa: F811
    assert client.put(URL, headers=token("accreditor"), json={"enabled": True, "days_before": 20}).status_code == 200
    assert client.put(URL, headers=token("accreditor"), json={"enabled": False, "days_before": 20}).status_code == 200
    at(system, 2026, 3, 20)
    assert send_due_reminders(system) == [] and mails(mail) == []


@given(
    days=st.integers(1, 90),
    offset=st.integers(-120, 30),
    enabled=st.booleans(),
)
def test_due_only_when_on_and_within_the_days_before_the_deadline(days: int, offset: int, enabled: bool) -> None:
    deadline = date(2026, 3, 31)
    schedule = ReminderSchedule.start("ACCME", enabled, days, BY)
    today = deadline + timedelta(days=offset)
    assert schedule.due(2025, deadline, today) == (enabled and -days <= offset <= 0)
    if enabled and -days <= offset <= 0:
        schedule.mark_sent(2025, today, BY)
        assert not schedule.due(2025, deadline, today)


@pytest.mark.parametrize("days", [0, 91, -1])
def test_days_before_is_1_to_90(days: int) -> None:
    with pytest.raises(InvalidValueError):
        ReminderSchedule.start("ACCME", True, days, BY)
