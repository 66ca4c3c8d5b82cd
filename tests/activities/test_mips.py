"""The accreditor's MIPS report (activities registered as MIPS improvement activities and their completions by
physician; JSON, CSV), its access and scope, and the MIPS mark on the physician's own transcript."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from tests.activities.helpers import ACCME_ID, OTHER_ID, XI, item
from tests.completions.helpers import BY, MOC, envelope, report, setup

URL = "/accme/learner-activities"
MIPS = {XI + "IsMeritBasedIncentivePaymentSystem": True}


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    found = setup(system, running=True)
    mips = submit_items(system.activities, ACCME_ID, [item("M-1", **MOC, **MIPS), item("M-2", **MIPS)], BY)
    found["mips"], found["unfinished"] = mips[0].activity_id, mips[1].activity_id
    theirs = submit_items(system.activities, OTHER_ID, [item("M-9", **MIPS)], BY)
    found["theirs"] = theirs[0].activity_id
    system.projections.wait(system.store.head())
    return found


def _complete(client: TestClient, token: Any, system: System, *reports: dict[str, Any]) -> None:
    me = token("provider", provider=ACCME_ID)
    answer = client.post(URL, json=envelope(*reports), headers=me)
    assert answer.status_code == 201, answer.text
    system.projections.wait(system.store.head())


def test_the_mips_report_lists_mips_activities_and_their_completions_by_physician(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    _complete(
        client,
        token,
        system,
        report(ids["mips"], "ccid:0004444:m1"),  # Ana, a MIPS activity
        report(ids["activity"], "ccid:0004444:c1"),  # Ana, an activity not registered for MIPS
    )
    staff = token("accreditor")
    answer = client.get("/api/v1/accreditor/mips/2025", headers=staff)
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert [(a["accme_id"], a["activity_id"], a["completions"]) for a in got["activities"]] == sorted(
        [(ACCME_ID, ids["mips"], 1), (ACCME_ID, ids["unfinished"], 0), (OTHER_ID, ids["theirs"], 0)]
    )
    [ana] = got["physicians"]
    assert (ana["learner_id"], ana["last_name"], ana["npi"], ana["erased"]) == (
        ids["ana"],
        "García-López",
        ana["npi"],
        False,
    )
    assert [c["activity_id"] for c in ana["completions"]] == [ids["mips"]] and ana["credits"] == 6.0
    assert got["totals"] == {"activities": 3, "providers": 2, "completions": 1, "physicians": 1, "credits": 6.0}
    one = client.get("/api/v1/accreditor/mips/2025", headers=staff, params={"provider": OTHER_ID}).json()
    assert [a["activity_id"] for a in one["activities"]] == [ids["theirs"]] and one["physicians"] == []
    assert client.get("/api/v1/accreditor/mips/2024", headers=staff).json()["totals"]["activities"] == 0
    answer = client.get("/api/v1/accreditor/mips/2025?format=csv", headers=staff)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["ACCME Activity ID"], r["Physician Last Name"], r["Completion Date"]) for r in rows] == sorted(
        [(ids["mips"], "García-López", "2025-03-02"), (ids["unfinished"], "", ""), (ids["theirs"], "", "")],
        key=lambda r: (ACCME_ID if r[0] != ids["theirs"] else OTHER_ID, r[0]),
    )
    accept = client.get("/api/v1/accreditor/mips/2025", headers={**staff, "Accept": "text/csv"})
    assert accept.text == answer.text


def test_an_erased_physicians_mips_completion_still_counts_naming_no_one(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    _complete(client, token, system, report(ids["mips"], "ccid:0004444:m1"))
    staff = token("accreditor")
    assert client.delete(f"/api/v1/learners/{ids['ana']}/personal-data", headers=staff).status_code in (200, 204)
    system.projections.wait(system.store.head())
    got = client.get("/api/v1/accreditor/mips/2025", headers=staff).json()
    [who] = got["physicians"]
    assert who["erased"] and who["last_name"] is None and who["npi"] is None and got["totals"]["completions"] == 1
    assert "García" not in client.get("/api/v1/accreditor/mips/2025?format=csv", headers=staff).text


def test_the_mips_report_is_for_accreditor_staff_and_scoped(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    _complete(client, token, system, report(ids["mips"], "ccid:0004444:m1"))
    assert client.get("/api/v1/accreditor/mips/2025").status_code == 401
    for who in (
        token("provider", provider=ACCME_ID),
        token("board", board="ABIM"),
        token("learner", learner=ids["ana"]),
    ):
        assert client.get("/api/v1/accreditor/mips/2025", headers=who).status_code == 403
    ca = client.get("/api/v1/accreditor/mips/2025", headers=token("accreditor", state="CA")).json()
    assert ca["activities"] == [] and ca["physicians"] == [] and "García" not in str(ca)
    named = client.get(f"/api/v1/accreditor/mips/2025?provider={ACCME_ID}", headers=token("accreditor", state="CA"))
    assert named.json()["activities"] == []
    for bad in ("provider=12", "format=pdf"):
        answer = client.get(f"/api/v1/accreditor/mips/2025?{bad}", headers=token("accreditor"))
        assert answer.status_code == 422 and answer.json()["errors"][0]["loc"][0] == "query"
    assert client.get("/api/v1/accreditor/mips/1890", headers=token("accreditor")).status_code == 422


def test_the_physicians_transcript_marks_mips_completions(
    client: TestClient, token: Any, ids: dict[str, Any], system: System
) -> None:
    ana = token("learner", learner=ids["ana"])
    r = report(ids["activity"], "ccid:0004444:c1", Activity__Module__CompletedDateTime="2025-03-01T00:00:00")
    _complete(client, token, system, report(ids["mips"], "ccid:0004444:m1"), r)
    lines = client.get("/api/v1/passport/transcript", headers=ana).json()["completions"]
    assert sorted((line["activity"]["activity_id"], line["mips"]) for line in lines) == sorted(
        [(ids["mips"], True), (ids["activity"], False)]
    )
