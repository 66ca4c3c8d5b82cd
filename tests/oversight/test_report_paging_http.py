"""The REMS and MIPS reports over HTTP are paged (50 a page): the first page, the last, a page past the end (empty,
with the same totals), a bad page value refused naming the field, other roles still refused; the CSV gives every
row whatever the page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from tests.activities.helpers import ACCME_ID, OTHER_ID, XI, item, register
from tests.activities.test_rems import OA

REMS = {XI + "REMS": OA}
MIPS = {XI + "IsMeritBasedIncentivePaymentSystem": True}
MINE, THEIRS = 30, 23  # 53 activities of each report: a full page and three


def _post(client: TestClient, token: Any, accme_id: str, items: list[dict[str, Any]]) -> None:
    answer = client.post(
        "/accme/activities",
        headers=token("provider", provider=accme_id),
        json={"ACCMEActivities": {"MedicalEducationMetrics": items}},
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
def loaded(client: TestClient, system: System, token: Any) -> None:
    register(system)
    register(system, OTHER_ID)
    system.projections.wait(system.store.head(), timeout=10)
    for accme_id, n in ((ACCME_ID, MINE), (OTHER_ID, THEIRS)):
        _post(client, token, accme_id, [item(f"P-{accme_id}-{i}", **REMS, **MIPS) for i in range(n)])
    system.projections.wait(system.store.head(), timeout=30)


def _pages(client: TestClient, url: str, headers: Any, key: str, param: str = "page") -> list[dict[str, Any]]:
    answers = []
    for page in (1, 2, 3):
        answer = client.get(url, headers=headers, params={param: page})
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
    return answers


def test_the_rems_report_is_paged_with_totals_of_every_page(client: TestClient, token: Any, loaded: None) -> None:
    staff = token("accreditor")
    first, last, past = _pages(client, "/api/v1/accreditor/rems/2025", staff, "activities")
    assert [len(p["activities"]) for p in (first, last, past)] == [50, 3, 0]
    assert (first["page"], last["page"], past["page"], first["page_size"]) == (1, 2, 3, 50)
    assert first["totals"] == last["totals"] == past["totals"]
    every = first["activities"] + last["activities"]
    assert len({a["activity_id"] for a in every}) == MINE + THEIRS == first["totals"]["activities"]
    assert [(a["accme_id"], a["activity_id"]) for a in every] == sorted(
        (a["accme_id"], a["activity_id"]) for a in every
    )
    assert first["totals"]["physician_learners"] == sum(a["physician_learners"] for a in every)
    assert first["totals"]["providers"] == 2
    # the CSV is every activity, whichever page is asked for
    answer = client.get("/api/v1/accreditor/rems/2025", headers=staff, params={"format": "csv", "page": 2})
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["ACCME Activity ID"] for r in rows] == [a["activity_id"] for a in every]
    # one provider's: its own count, one page
    one = client.get("/api/v1/accreditor/rems/2025", headers=staff, params={"provider": OTHER_ID}).json()
    assert len(one["activities"]) == one["totals"]["activities"] == THEIRS


def test_the_mips_reports_lists_are_paged_each_on_its_own(client: TestClient, token: Any, loaded: None) -> None:
    staff = token("accreditor")
    url = "/api/v1/accreditor/mips/2025"
    first, last, past = _pages(client, url, staff, "activities", param="activities_page")
    assert [len(p["activities"]) for p in (first, last, past)] == [50, 3, 0]
    assert first["totals"] == last["totals"] == past["totals"] and first["totals"]["activities"] == MINE + THEIRS
    assert all(p["page"] == 1 for p in (first, last, past))  # the physicians' page did not move
    every = first["activities"] + last["activities"]
    assert len({a["activity_id"] for a in every}) == MINE + THEIRS
    beyond = client.get(url, headers=staff, params={"page": 2}).json()  # nobody completed them: no physician
    assert beyond["physicians"] == [] and beyond["totals"]["physicians"] == 0 and len(beyond["activities"]) == 50
    rows = list(csv.DictReader(io.StringIO(client.get(url, headers=staff, params={"format": "csv"}).text)))
    assert [r["ACCME Activity ID"] for r in rows] == [a["activity_id"] for a in every]


@pytest.mark.parametrize("report", ["rems", "mips"])
@pytest.mark.parametrize("param", ["page", "activities_page"])
@pytest.mark.parametrize("bad", ["0", "-1", "two", "100001", "1.5"])
def test_a_bad_page_is_refused_naming_the_field(
    client: TestClient, token: Any, report: str, param: str, bad: str
) -> None:
    if report == "rems" and param == "activities_page":
        return  # the REMS report has one list
    answer = client.get(f"/api/v1/accreditor/{report}/2025", headers=token("accreditor"), params={param: bad})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in answer.json()["errors"]] == [["query", param]]


@pytest.mark.parametrize("report", ["rems", "mips"])
def test_other_roles_are_still_refused_whatever_the_page(client: TestClient, token: Any, report: str) -> None:
    url = f"/api/v1/accreditor/{report}/2025"
    assert client.get(url, params={"page": 2}).status_code == 401
    for who in (token("provider", provider=ACCME_ID), token("board", board="ABIM")):
        for params in ({"page": 2}, {"page": 2, "format": "csv"}):
            answer = client.get(url, headers=who, params=params)
            assert answer.status_code == 403 and ACCME_ID not in answer.text
