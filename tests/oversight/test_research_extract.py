"""GET /api/v1/accreditor/research-extract/{year}: ACCME staff only; CSV rows alone or a zip with README.txt;
providers by pseudonyms stable within a year and different across years; and an attempt to re-identify a
provider or a learner from the extract, which fails."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from services.queries.research_extract import pseudonym, year_key
from tests.activities.helpers import ACCME_ID, OTHER_ID, item
from tests.completions.helpers import BY, envelope, report, setup

URL = "/api/v1/accreditor/research-extract/2025"


def _learners(n: int) -> dict[str, Any]:
    categories = [
        {"category": "physician", "numberOfParticipants": n},
        {"category": "other", "numberOfParticipants": 25},
    ]
    return {"ParticipationMetrics": {"participantsByCategory": categories}}


@pytest.fixture
def ids(system: System, client: TestClient, token: Any) -> dict[str, Any]:
    found = setup(system, running=True)  # A-1 (ours) and B-1 (theirs): 120 physicians, 30 others each
    submit_items(system.activities, ACCME_ID, [item("S-1", **_learners(3)), item("S-2", **_learners(4))], BY)
    answer = client.post(
        "/accme/learner-activities",
        json=envelope(report(found["activity"])),
        headers=token("provider", provider=ACCME_ID),
    )
    assert answer.status_code == 201, answer.text
    system.projections.wait(system.store.head())
    return found


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_only_accme_staff_download_the_extract(client: TestClient, token: Any, ids: dict[str, Any]) -> None:
    assert client.get(URL).status_code == 401
    for who in (
        token("accreditor", state="CA"),
        token("auditor"),
        token("provider", provider=ACCME_ID),
        token("board", board="ABIM"),
        token("learner", learner=ids["ana"]),
    ):
        answer = client.get(URL, headers=who)
        assert answer.status_code == 403 and "Provider Pseudonym" not in answer.text
    staff = token("accreditor")
    for bad in ("format=parquet", "format="):
        answer = client.get(f"{URL}?{bad}", headers=staff)
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["query", "format"]
    assert client.get("/api/v1/accreditor/research-extract/1890", headers=staff).status_code == 422


def test_the_csv_and_the_zip(client: TestClient, token: Any, ids: dict[str, Any]) -> None:
    staff = token("accreditor")
    answer = client.get(URL, params={"format": "csv"}, headers=staff)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = _rows(answer.text)
    *activities, totals = rows
    assert len(activities) == 4 and totals["Provider Pseudonym"] == "All activities"
    assert len({r["Provider Pseudonym"] for r in activities}) == 2
    assert sorted(r["Physician Learners"] for r in activities) == ["120", "120", "<11", "<11"]
    small = [r for r in activities if r["Physician Learners"] == "<11"]
    assert all(r["Total Learners"] == "<11" for r in small)  # 30 others: the total would give the 3 and 4 away
    assert totals["Physician Learners"] == "247" and totals["Other Learners"] == "110"
    assert totals["Total Learners"] == "357"
    assert activities[0]["Year Ended"] == "2025" and activities[0]["Quarter Ended"] == "Q1"
    zipped = client.get(URL, params={"format": "zip"}, headers=staff)
    assert zipped.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert archive.namelist() == ["research-extract-2025.csv", "README.txt"]
        assert archive.read("research-extract-2025.csv").decode() == answer.text
        readme = archive.read("README.txt").decode()
    assert "HMAC-SHA256" in readme and "under 11" in readme and "Secondary" in readme


def test_pseudonyms_are_stable_within_a_year_and_differ_across_years(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    staff = token("accreditor")
    first = {r["Provider Pseudonym"] for r in _rows(client.get(URL, headers=staff).text)[:-1]}
    again = {r["Provider Pseudonym"] for r in _rows(client.get(URL, headers=staff).text)[:-1]}
    assert first == again
    secret = system.settings.signing_key()
    assert first == {pseudonym(year_key(secret, 2025), p) for p in (ACCME_ID, OTHER_ID)}
    assert not first & {pseudonym(year_key(secret, 2024), p) for p in (ACCME_ID, OTHER_ID)}
    other_year = _rows(client.get("/api/v1/accreditor/research-extract/2024", headers=staff).text)
    assert [r["Provider Pseudonym"] for r in other_year] == ["All activities"]


def test_the_extract_cannot_be_linked_to_a_provider_or_a_learner(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    staff = token("accreditor")
    text = client.get(URL, headers=staff).text
    zipped = client.get(URL, params={"format": "zip"}, headers=staff).content
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        everything = text + "".join(archive.read(n).decode() for n in archive.namelist())
    # Nothing that names a provider, an activity or a learner is in it.
    profiles = system.reads.profiles.list_profiles()
    learners = system.matcher.view.by_learner_ids([ids["ana"], ids["ben"]])
    assert len(learners) == 2
    known = [p["accme_id"] for p in profiles] + [p["name"] for p in profiles]
    known += [a["activity_id"] for p in (ACCME_ID, OTHER_ID) for a in system.reads.activities.summaries(p, None)]
    known += [a["title"] for p in (ACCME_ID, OTHER_ID) for a in system.reads.activities.summaries(p, None)]
    known += [ids["ana"], ids["ben"], "García", "Garcia", "Okafor", "MD12345", "123456", "ccid:"]
    known += [d.get("npi") or "" for d in learners]
    for value in filter(None, known):
        assert value not in everything, value
    # Someone who knows a provider's ACCME ID but not the deployment's secret cannot compute its pseudonym.
    pseudonyms = {r["Provider Pseudonym"] for r in _rows(text)[:-1]}
    for accme_id in (ACCME_ID, OTHER_ID):
        guesses = [
            hashlib.sha256(accme_id.encode()).hexdigest(),
            hashlib.md5(accme_id.encode()).hexdigest(),
            hmac.new(b"", accme_id.encode(), hashlib.sha256).hexdigest(),
            hmac.new(b"2025", accme_id.encode(), hashlib.sha256).hexdigest(),
            hmac.new(b"pars research extract 2025", accme_id.encode(), hashlib.sha256).hexdigest(),
        ]
        assert not pseudonyms & {"P-" + g[:16] for g in guesses}
    # And the small activities' learner counts (3 and 4) do not show, in the rows or by subtraction from totals.
    rows = _rows(text)
    assert "3" not in {r["Physician Learners"] for r in rows} and "4" not in {r["Physician Learners"] for r in rows}
    released = sum(int(r["Physician Learners"]) for r in rows[:-1] if r["Physician Learners"] != "<11")
    assert int(rows[-1]["Physician Learners"]) - released == 7  # two hidden cells: 3 + 4, neither on its own
