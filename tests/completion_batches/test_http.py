"""Completion batch routes: upload (multipart and raw), templates; tokens, tenants and bad files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from adapters.bootstrap import System
from tests.completion_batches.test_import import tab_file
from tests.completions.helpers import setup

URL = "/api/v1/providers/0004444/completions/batch"


@pytest.fixture
def ids(system: System, client: TestClient) -> dict[str, Any]:
    return setup(system, running=True)


def test_upload_multipart_then_raw_again_changes_nothing(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    me = token("provider", provider="0004444")
    data = tab_file(
        f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t2.5\t\t",
        f"{ids['activity']}\tBen\tOkafor\t11\t3\tZZ\t03/02/2025\t2\t\t",
    )
    first = client.post(URL, files={"file": ("completions.txt", data, "text/plain")}, headers=me)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["format"] == "tab" and body["counts"] == {"recorded": 1, "unchanged": 0, "deleted": 0, "rejected": 1}
    assert body["errors"] == [
        {"row": 3, "loc": ["State of Licensure"], "msg": "'ZZ' is not a US state or territory code"}
    ]
    assert body["read_models_current"] is True
    # The provider's transcript rows are current when the answer comes: the credit ID is found.
    credit = body["completions"][0]["credit_ids"][0]
    assert client.get("/accme/learner-activities/status", params={"CreditId": credit}, headers=me).status_code == 200
    again = client.post(URL, content=data, headers={**me, "Content-Type": "text/plain"})
    assert again.status_code == 200 and again.json()["counts"]["unchanged"] == 1


def test_upload_refusals(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    data = tab_file(f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t2.5\t\t")
    assert client.post(URL, content=data).status_code == 401
    assert client.post(URL, content=data, headers=token("learner", learner=ids["ben"])).status_code in (403, 404)
    other = client.post(URL, content=data, headers=token("provider", provider="0005555"))
    assert other.status_code in (403, 404) and "CME 0004444" not in other.text  # the path ID is echoed, nothing else
    me = token("provider", provider="0004444")
    wrong = client.post(URL, params={"filename": "completions.xlsx"}, content=data, headers=me)
    assert wrong.status_code == 422 and wrong.headers["content-type"].startswith("application/problem+json")
    assert "named as an Excel workbook" in wrong.json()["detail"] and wrong.json()["errors"][0]["loc"] == ["file"]
    activity_file = client.post(URL, content=b'{"ACCMEActivities": {"MedicalEducationMetrics": []}}', headers=me)
    assert activity_file.status_code == 422 and "activity file" in activity_file.json()["detail"]
    garbage = client.post(URL, content=b"\x00\x01\x02 nothing", headers=me)
    assert garbage.status_code == 422
    no_field = client.post(URL, files={"other": ("c.txt", data, "text/plain")}, headers=me)
    assert no_field.status_code == 422 and no_field.json()["errors"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize("name", ["completions.xlsx", "completions.txt"])
def test_blank_templates_are_public_and_upload_as_nothing(client: TestClient, token, ids, name: str) -> None:  # type: ignore[no-untyped-def]
    answer = client.get(f"/api/v1/templates/{name}")
    assert answer.status_code == 200 and f'filename="{name}"' in answer.headers["content-disposition"]
    if name.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(answer.content))
        assert workbook.sheetnames == ["Completions", "Instructions"]
        assert [c.value for c in workbook["Completions"][1]][:3] == ["Activity ID", "First Name", "Last Name"]
    else:
        assert answer.content.startswith(b"Activity ID\tFirst Name\tLast Name\t")
    uploaded = client.post(
        URL, params={"filename": name}, content=answer.content, headers=token("provider", provider="0004444")
    )
    assert uploaded.status_code == 200 and uploaded.json()["total"] == 0


def test_non_finite_credits_are_refused_by_field_never_a_5xx(client: TestClient, token, ids) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.completions.helpers import envelope, report

    me = token("provider", provider="0004444")
    body = json.dumps(envelope(report(ids["activity"]))).replace('"numberOfCredits": 6', '"numberOfCredits": NaN', 1)
    answer = client.post("/accme/learner-activities", content=body, headers={**me, "Content-Type": "application/json"})
    assert answer.status_code in (400, 422) and "numberOfCredits" in answer.text
    batch = client.post(URL, params={"filename": "c.json"}, content=body.replace("NaN", "Infinity"), headers=me)
    assert batch.status_code == 200 and batch.json()["errors"][0]["loc"][-1] == "numberOfCredits"
    row = tab_file(f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\tnan\t\t")
    assert client.post(URL, content=row, headers=me).json()["errors"][0]["loc"] == ["CME Credits"]
