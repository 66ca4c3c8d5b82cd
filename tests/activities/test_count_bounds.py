"""Learner counts and monetary amounts have an upper bound, and a history cursor fits a BIGINT: an activity
with 10**30 physician learners was saved and then failed the activity summary and checklist read models for
good (an integer SQLite and PostgreSQL cannot store), and `?after=10**30` was a 500 (found by schemathesis)."""

from __future__ import annotations

from tests.activities.helpers import ACCME_ID, HE, item, register
from tests.http.helpers import assert_problem

HUGE = 10**30


def post(client, token, *items):  # type: ignore[no-untyped-def]
    return client.post(
        "/accme/activities",
        json={"ACCMEActivities": {"MedicalEducationMetrics": list(items)}},
        headers=token("provider", provider=ACCME_ID),
    )


def test_a_learner_count_or_amount_beyond_the_bound_is_refused_and_the_read_models_stay_healthy(
    client, token, system
) -> None:  # type: ignore[no-untyped-def]
    register(system)
    head = system.store.head()
    learners = item(
        "BIG-1",
        ParticipationMetrics={
            "participantsByCategory": [
                {"category": "physician", "numberOfParticipants": HUGE},
                {"category": "other", "numberOfParticipants": 1},
            ]
        },
    )
    body = assert_problem(post(client, token, learners), 422)
    assert body["activities"][0]["action"] == "rejected"
    assert "at most 100,000,000" in body["errors"][0]["msg"]
    money = item(
        "BIG-2",
        **{
            HE + "commercialSupport": True,
            "ActivityDescription": {
                "commercialSupportAmount": [{"currency": "USD", "supportSource": "Acme Pharma", "value": HUGE}]
            },
        },
    )
    body = assert_problem(post(client, token, money), 422)
    assert "at most 1,000,000,000,000 dollars" in body["errors"][0]["msg"]
    assert system.store.head() == head
    fine = post(
        client,
        token,
        item(
            "OK-1",
            ParticipationMetrics={
                "participantsByCategory": [
                    {"category": "physician", "numberOfParticipants": 100_000_000},
                    {"category": "other", "numberOfParticipants": 0},
                ]
            },
        ),
    )
    assert fine.status_code == 201, fine.text
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_enduring_learner_counts_by_year_are_bounded(client, token, system) -> None:  # type: ignore[no-untyped-def]
    register(system)
    enduring = item(
        "EM-1",
        **{
            HE + "activityFormat": "Enduring Material",
            HE + "endDateTime": "2026-12-31",
            "ReportDescription": {"ReportingStartDate": "2025-03-01", "ReportingEndDate": "2026-12-31"},
        },
    )
    created = post(client, token, enduring)
    assert created.status_code == 201, created.text
    number = created.json()["activities"][0]["activityId"]
    path = f"/api/v1/providers/{ACCME_ID}/activities/{number}/learner-counts/2025"
    r = client.put(path, json={"physician": HUGE, "other": 1}, headers=token("provider", provider=ACCME_ID))
    assert assert_problem(r, 422)["errors"][0]["loc"] == ["body", "physician"]
    assert client.get("/api/v1/health").json()["status"] == "ok"


def test_a_history_cursor_beyond_any_position_is_a_422(client, token, system) -> None:  # type: ignore[no-untyped-def]
    register(system)
    r = client.get(
        f"/api/v1/providers/{ACCME_ID}/history", params={"after": HUGE}, headers=token("provider", provider=ACCME_ID)
    )
    assert assert_problem(r, 422)["errors"][0]["loc"] == ["query", "after"]
