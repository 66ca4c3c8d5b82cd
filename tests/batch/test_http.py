"""Activity batches over HTTP: upload (raw or multipart), 422 problems naming rows, export, templates, access."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

import adapters.batch as batch
from adapters.batch import columns
from tests.batch.fakes import FakeActivityRegistry
from tests.batch.test_importer import activity

URL = "/api/v1/providers/0001234/activities"


@pytest.fixture
def registry(system, client, token):
    """Provider 0001234, with the in-memory registry in place of the system's (the route code is the same either way)."""
    made = client.post(
        "/api/v1/providers",
        headers=token("accreditor"),
        json={
            "accme_id": "0001234",
            "name": "Acme CME",
            "accreditor": "ACCME",
            "primary_contact": {"name": "Ann Lee", "email": "ann@acme.org"},
        },
    )
    assert made.status_code == 201, made.text
    system.accme_activities = FakeActivityRegistry()
    return system.accme_activities


@pytest.mark.parametrize("fmt", list(batch.FORMATS))
def test_a_raw_upload_answers_the_report_and_a_second_upload_changes_nothing(client, token, registry, fmt):
    prov = token("provider", provider="0001234")
    data = batch.render(fmt, [activity(1), activity(2, endDateTime="2024-01-01T00:00:00")])
    first = client.post(f"{URL}/batch", headers=prov, content=data)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["format"] == fmt and body["counts"]["created"] == 1 and body["counts"]["rejected"] == 1
    assert body["errors"][0]["row"] in (
        "ACCMEActivities.MedicalEducationMetrics[1]",
        "/ACCMEActivities/MedicalEducationMetrics[2]",
        "row 3",
    )
    again = client.post(f"{URL}/batch", headers=prov, content=data).json()
    assert again["counts"]["unchanged"] == 1 and again["counts"]["created"] == 0
    assert registry.channels == {"batch"}


def test_a_multipart_upload_checks_the_file_name_against_the_content(client, token, registry):
    prov = token("provider", provider="0001234")
    data = batch.render("tab", [activity(1)])
    ok = client.post(f"{URL}/batch", headers=prov, files={"file": ("mine.txt", data, "text/plain")})
    assert ok.status_code == 200 and ok.json()["counts"]["created"] == 1
    wrong = client.post(f"{URL}/batch", headers=prov, files={"file": ("mine.xml", data, "application/xml")})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
    assert "mine.xml is named as MEMS XML but its content is tab-delimited" in wrong.json()["detail"]
    missing = client.post(f"{URL}/batch", headers=prov, files={"other": ("x.txt", data, "text/plain")})
    assert missing.status_code == 422 and missing.json()["errors"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02garbage",
        b"PK\x03\x04broken",
        b"{not json",
        b"<ACCMEActivities><unclosed>",
        b"Bad Column\tAlso Bad\r\n1\t2",
        "\ufffe\u0000".encode("utf-16"),
    ],
)
def test_malformed_files_get_a_422_problem_never_a_5xx(client, token, registry, data):
    response = client.post(f"{URL}/batch", headers=token("provider", provider="0001234"), content=data)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json" and response.json()["errors"]


def test_a_bad_header_names_each_column_in_row_one(client, token, registry):
    response = client.post(
        f"{URL}/batch?filename=a.txt",
        headers=token("provider", provider="0001234"),
        content=b"Provider Activity ID\tTitel\r\nA\tB",
    )
    assert response.json()["errors"] == [{"loc": ["row 1", "column 2"], "msg": "unknown column 'Titel'"}]


def test_only_the_provider_itself_may_upload(client, token, registry):
    data = batch.render("json", [activity(1)])
    assert client.post(f"{URL}/batch", content=data).status_code == 401
    assert client.post(f"{URL}/batch", headers=token("provider", provider="0009999"), content=data).status_code == 404
    assert registry.calls == []


@pytest.mark.parametrize("fmt", list(batch.FORMATS))
def test_export_in_each_format_reads_back_as_the_same_activities(client, token, registry, fmt):
    prov = token("provider", provider="0001234")
    client.post(f"{URL}/batch", headers=prov, content=batch.render("json", [activity(1), activity(2)]))
    exported = client.get(f"{URL}/export?format={fmt}", headers=prov)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith(
        batch.MEDIA_TYPES[fmt].split(";")[0]
    )
    assert f"activities-0001234.{batch.EXTENSIONS[fmt]}" in exported.headers["content-disposition"]
    assert [r.item for r in batch.read_file(exported.content)[1]] == registry.export_accme_activities("0001234")
    again = client.post(f"{URL}/batch", headers=prov, content=exported.content).json()
    assert again["counts"]["unchanged"] == 2
    assert client.get(f"{URL}/export?format=pdf", headers=prov).status_code == 422


def test_the_blank_templates_are_handed_out(client):
    xlsx = client.get("/api/v1/templates/activities.xlsx")
    assert xlsx.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(xlsx.content))["Activities"][1]] == columns.header()
    txt = client.get("/api/v1/templates/activities.txt")
    assert txt.text.rstrip("\r\n").split("\t") == columns.header()
