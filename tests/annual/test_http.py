"""The /years/{year}/... routes and the accreditor's year-end table over HTTP, including the forbidden cases."""

from __future__ import annotations

import csv
import io

import pytest

from tests.annual.conftest import at, register, settle

BASE = "/api/v1/providers/0001234/years/2025"
FULL = {"advertising_exhibit_income": 0, "registration_fees": 1200, "government_grants": 0, "private_donations": 50}


@pytest.fixture
def prov(system, token):
    register(system, "0001234", "ACCME", "Acme CME")
    register(system, "0005678", "CA", "Golden CME")
    register(system, "0009999", "TN", "Other CME")
    at(system, 2026, 2, 1)
    return token("provider", provider="0001234")


def steps(body):
    return {s["key"]: s for s in body["steps"]}


def complete_all(client, headers, base=BASE):
    assert client.post(f"{base}/agreement", headers=headers).status_code == 200
    assert client.put(f"{base}/program-summary", headers=headers, json=FULL).status_code == 200
    assert client.post(f"{base}/contacts-reviewed", headers=headers).status_code == 200


def test_a_year_from_empty_checklist_to_attestation(client, prov):
    empty = client.get(f"{BASE}/checklist", headers=prov)
    assert empty.status_code == 200
    body = empty.json()
    assert body["complete"] is False and body["deadline"] == "2026-03-31"
    assert [s["key"] for s in body["steps"]] == [
        "agreement",
        "activities_closed",
        "enduring_counts",
        "program_summary",
        "contacts_reviewed",
        "attestation",
    ]
    # each change answers with the checklist as it now stands
    r = client.post(f"{BASE}/agreement", headers=prov)
    assert r.status_code == 200 and steps(r.json())["agreement"]["done"] is True
    r = client.put(f"{BASE}/program-summary", headers=prov, json={"registration_fees": 10})
    assert steps(r.json())["program_summary"]["missing"] == [
        "advertising_exhibit_income",
        "government_grants",
        "private_donations",
    ]
    refused = client.post(f"{BASE}/attestation", headers=prov)
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    assert {m["key"]: m["missing"] for m in refused.json()["missing"]} == {
        "program_summary": ["advertising_exhibit_income", "government_grants", "private_donations"],
        "contacts_reviewed": ["contacts_reviewed"],
    }
    assert [e["loc"] for e in refused.json()["errors"]] == [
        ["checklist", "program_summary"],
        ["checklist", "contacts_reviewed"],
    ]
    complete_all(client, prov)
    attested = client.post(f"{BASE}/attestation", headers=prov)
    assert attested.status_code == 200 and attested.json()["complete"] is True
    assert client.get(f"{BASE}/checklist", headers=prov).json()["complete"] is True


def test_an_attested_summary_changes_only_after_the_accreditor_reopens_with_a_reason(client, system, prov, token):
    complete_all(client, prov)
    client.post(f"{BASE}/attestation", headers=prov)
    locked = client.put(f"{BASE}/program-summary", headers=prov, json={**FULL, "registration_fees": 9})
    assert locked.status_code == 409
    acc = token("accreditor")
    assert client.post(f"{BASE}/reopen", headers=acc, json={}).status_code == 422
    assert client.post(f"{BASE}/reopen", headers=prov, json={"reason": "mine"}).status_code == 403
    assert (
        client.post(f"{BASE}/reopen", headers=token("accreditor", state="TN"), json={"reason": "x"}).status_code == 404
    )
    reopened = client.post(f"{BASE}/reopen", headers=acc, json={"reason": "registration fees misreported"})
    assert reopened.status_code == 200 and steps(reopened.json())["attestation"]["done"] is False
    assert client.put(f"{BASE}/program-summary", headers=prov, json={**FULL, "registration_fees": 9}).status_code == 200
    assert client.post(f"{BASE}/reopen", headers=acc, json={"reason": "again"}).status_code == 409  # not attested now
    settle(system)  # the routes wait for the checklist only; the history may be a moment behind
    history = client.get("/api/v1/providers/0001234/history", headers=prov).json()["items"]
    reopen = [e for e in history if e["type"] == "AnnualReport.Reopened"]
    assert reopen[0]["data"]["reason"] == "registration fees misreported" and reopen[0]["actor"].startswith(
        "accreditor"
    )


def test_steps_after_the_deadline_are_late(client, system, prov):
    at(system, 2026, 4, 1, hour=3)  # 31 March, 10 pm in Chicago: still on time
    r = client.post(f"{BASE}/agreement", headers=prov)
    assert steps(r.json())["agreement"]["late"] is False
    at(system, 2026, 4, 2)
    r = client.post(f"{BASE}/contacts-reviewed", headers=prov)
    assert steps(r.json())["contacts_reviewed"]["late"] is True


def test_a_state_accreditor_sets_an_earlier_deadline(client, system, prov, token):
    ca = token("accreditor", state="CA")
    r = client.put("/api/v1/accreditor/deadlines/2025", headers=ca, json={"deadline": "2026-03-13"})
    assert r.status_code == 200 and r.json() == {"accreditor": "CA", "year": 2025, "deadline": "2026-03-13"}
    assert (
        client.put("/api/v1/accreditor/deadlines/2025", headers=ca, json={"deadline": "2026-04-13"}).status_code == 422
    )
    assert (
        client.put(
            "/api/v1/accreditor/deadlines/2025", headers=ca, json={"deadline": "2026-03-13", "accreditor": "TN"}
        ).status_code
        == 403
    )
    assert (
        client.put("/api/v1/accreditor/deadlines/2025", headers=prov, json={"deadline": "2026-03-13"}).status_code
        == 403
    )
    assert client.put("/api/v1/accreditor/deadlines/2025", json={"deadline": "2026-03-13"}).status_code == 401
    golden = token("provider", provider="0005678")
    assert (
        client.get("/api/v1/providers/0005678/years/2025/checklist", headers=golden).json()["deadline"] == "2026-03-13"
    )
    assert client.get(f"{BASE}/checklist", headers=prov).json()["deadline"] == "2026-03-31"
    at(system, 2026, 3, 20)
    r = client.post("/api/v1/providers/0005678/years/2025/agreement", headers=golden)
    assert steps(r.json())["agreement"]["late"] is True
    assert client.get("/api/v1/accreditor/deadlines/2025", headers=ca).json()["deadline"] == "2026-03-13"


def test_provider_tokens_change_only_their_own_years(client, prov, token):
    other = token("provider", provider="0009999")
    for method, path, body in [
        ("post", "agreement", None),
        ("put", "program-summary", FULL),
        ("post", "contacts-reviewed", None),
        ("post", "attestation", None),
    ]:
        r = client.request(method.upper(), f"{BASE}/{path}", headers=other, json=body)
        assert r.status_code == 404, (path, r.text)
        assert "Acme" not in r.text
        assert (
            client.request(method.upper(), f"{BASE}/{path}", headers=token("accreditor"), json=body).status_code == 403
        )
        assert client.request(method.upper(), f"{BASE}/{path}", json=body).status_code == 401
    assert client.get(f"{BASE}/checklist", headers=other).status_code == 404
    assert client.get(f"{BASE}/checklist", headers=token("accreditor")).status_code == 200
    assert client.get(f"{BASE}/checklist", headers=token("accreditor", state="TN")).status_code == 404
    assert client.get(f"{BASE}/checklist").status_code == 401
    assert client.get("/api/v1/providers/0007777/years/2025/checklist", headers=token("accreditor")).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"registration_fees": -5}, "registration_fees"),
        ({"government_grants": 10.5}, "government_grants"),
        ({"private_donations": "100"}, "private_donations"),
        ({"advertising_exhibit_income": True}, "advertising_exhibit_income"),
        ({"commercial_support": 1}, "commercial_support"),
    ],
)
def test_bad_program_summary_is_422_naming_the_field(client, prov, body, field):
    r = client.put(f"{BASE}/program-summary", headers=prov, json=body)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert ["body", field] in [e["loc"] for e in r.json()["errors"]]


@pytest.mark.parametrize("year", ["20x5", "25", "1999", "2101", "2025.0"])
def test_a_malformed_year_is_422_naming_the_year(client, prov, year):
    r = client.get(f"/api/v1/providers/0001234/years/{year}/checklist", headers=prov)
    assert r.status_code == 422 and ["path", "year"] in [e["loc"] for e in r.json()["errors"]]


def test_a_year_not_yet_begun_cannot_be_reported(client, prov):
    r = client.post("/api/v1/providers/0001234/years/2027/agreement", headers=prov)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["path", "year"]


def test_malformed_json_is_422_not_500(client, prov):
    r = client.put(f"{BASE}/program-summary", headers={**prov, "content-type": "application/json"}, content=b"{")
    assert r.status_code == 422


def test_the_accreditor_year_end_table_lists_overseen_providers(client, system, prov, token):
    complete_all(client, prov)
    client.post(f"{BASE}/attestation", headers=prov)
    everyone = client.get("/api/v1/accreditor/year-end/2025", headers=token("accreditor")).json()
    rows = {r["accme_id"]: r for r in everyone["data"]}
    assert everyone["count"] == 3 and set(rows) == {"0001234", "0005678", "0009999"}
    assert rows["0001234"]["status"] == "complete" and rows["0001234"]["missing_count"] == 0
    assert rows["0009999"]["missing_count"] == 4 and rows["0009999"]["days_to_deadline"] == 58
    assert rows["0009999"]["missing_steps"] == ["agreement", "program_summary", "contacts_reviewed", "attestation"]
    ca = client.get("/api/v1/accreditor/year-end/2025", headers=token("accreditor", state="CA")).json()
    assert [r["accme_id"] for r in ca["data"]] == ["0005678"]
    complete = client.get("/api/v1/accreditor/year-end/2025?status=complete", headers=token("accreditor")).json()
    assert [r["accme_id"] for r in complete["data"]] == ["0001234"]
    by_missing = client.get("/api/v1/accreditor/year-end/2025?sort=-missing_count", headers=token("accreditor")).json()
    assert [r["accme_id"] for r in by_missing["data"]] == ["0005678", "0009999", "0001234"]
    by_name = client.get("/api/v1/accreditor/year-end/2025?sort=name", headers=token("accreditor")).json()
    assert [r["name"] for r in by_name["data"]] == ["Acme CME", "Golden CME", "Other CME"]
    assert client.get("/api/v1/accreditor/year-end/2025?status=late", headers=token("accreditor")).json()["count"] == 0
    at(system, 2026, 4, 15)
    late = client.get("/api/v1/accreditor/year-end/2025?status=late", headers=token("accreditor")).json()
    assert [r["accme_id"] for r in late["data"]] == ["0005678", "0009999"]
    assert late["data"][0]["days_to_deadline"] == -15


def test_the_year_end_table_as_csv(client, prov, token):
    client.post(f"{BASE}/agreement", headers=prov)
    for r in (
        client.get("/api/v1/accreditor/year-end/2025?format=csv", headers=token("accreditor")),
        client.get("/api/v1/accreditor/year-end/2025", headers={**token("accreditor"), "Accept": "text/csv"}),
    ):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["ACCME ID"] for row in rows] == ["0001234", "0005678", "0009999"]
        assert rows[0]["Agreement"] == "done" and rows[1]["Agreement"] == "missing" and rows[0]["Steps missing"] == "3"


def test_the_year_end_table_refuses_others_and_bad_parameters(client, prov, token):
    assert client.get("/api/v1/accreditor/year-end/2025", headers=prov).status_code == 403
    assert client.get("/api/v1/accreditor/year-end/2025").status_code == 401
    bad_sort = client.get("/api/v1/accreditor/year-end/2025?sort=secret", headers=token("accreditor"))
    assert bad_sort.status_code == 422 and bad_sort.json()["errors"][0]["loc"] == ["query", "sort"]
    assert client.get("/api/v1/accreditor/year-end/2025?status=done", headers=token("accreditor")).status_code == 422
    assert client.get("/api/v1/accreditor/year-end/20x5", headers=token("accreditor")).status_code == 422


def test_the_openapi_document_describes_the_annual_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    for route in ("agreement", "program-summary", "contacts-reviewed", "attestation", "checklist", "reopen"):
        assert f"/api/v1/providers/{{accme_id}}/years/{{year}}/{route}" in paths
    year = next(
        p
        for p in paths["/api/v1/providers/{accme_id}/years/{year}/checklist"]["get"]["parameters"]
        if p["name"] == "year"
    )
    assert year["schema"]["minimum"] == 2000 and year["schema"]["type"] == "integer"
    assert "/api/v1/accreditor/year-end/{year}" in paths and "/api/v1/accreditor/deadlines/{year}" in paths


def test_the_program_summary_reads_back_with_commercial_support(client, prov, token):
    client.put(f"{BASE}/program-summary", headers=prov, json={"registration_fees": 10})
    r = client.get(f"{BASE}/program-summary", headers=token("accreditor"))
    assert r.status_code == 200
    assert r.json() == {
        "year": 2025,
        "advertising_exhibit_income": None,
        "registration_fees": 10,
        "government_grants": None,
        "private_donations": None,
        "attested": False,
        "commercial_support": {
            "activities_supported": 0,
            "monetary_total": 0,
            "monetary_by_source": {},
            "in_kind_count": 0,
            "in_kind_sources": [],
        },
    }
    assert client.get(f"{BASE}/program-summary", headers=token("provider", provider="0009999")).status_code == 404


def test_the_data_report_sums_income_across_overseen_providers(client, prov, token):
    client.put(f"{BASE}/program-summary", headers=prov, json=FULL)
    golden = token("provider", provider="0005678")
    client.put(
        "/api/v1/providers/0005678/years/2025/program-summary", headers=golden, json={**FULL, "registration_fees": 1}
    )
    everyone = client.get("/api/v1/accreditor/data-report/2025", headers=token("accreditor"))
    assert everyone.status_code == 200, everyone.text
    body = everyone.json()
    assert body["providers"] == 3 and body["providers_attested"] == 0
    assert body["income"] == {
        "advertising_exhibit_income": 0,
        "registration_fees": 1201,
        "government_grants": 0,
        "private_donations": 100,
    }
    assert body["activities"] == 0 and body["commercial_support"]["monetary_total"] == 0
    ca = client.get("/api/v1/accreditor/data-report/2025", headers=token("accreditor", state="CA")).json()
    assert ca["providers"] == 1 and ca["income"]["registration_fees"] == 1
    assert client.get("/api/v1/accreditor/data-report/2025", headers=prov).status_code == 403
    assert client.get("/api/v1/accreditor/data-report/2025").status_code == 401
