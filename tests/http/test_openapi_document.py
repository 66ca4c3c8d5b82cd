"""The OpenAPI document's error answers (adapters/api/openapi.py) and the answers they describe: unreadable
bodies, dates that are not ISO-8601, a method the path does not take."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from adapters.api.deps import PrincipalDep
from adapters.api.problems import PROBLEM_JSON
from adapters.app import create_app
from adapters.bootstrap import System
from tests.http.helpers import OURS, assert_problem, create

PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def statuses(doc: dict[str, Any], method: str, path: str) -> set[int]:
    return {int(s) for s in doc["paths"][path][method]["responses"] if s[0] in "45"}


def test_every_error_answer_is_documented_as_a_problem(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    operations = [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) > 50
    for method, path, op in operations:
        for status, answer in op["responses"].items():
            if status[0] in "45":
                assert answer["content"] == PROBLEM, (method, path, status)
                assert answer["description"], (method, path, status)
    problem = doc["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "errors"}
    assert problem["additionalProperties"] is True  # per-item results ride along (RFC 9457 extension members)
    error = doc["components"]["schemas"]["ProblemError"]
    assert set(error["required"]) == {"loc", "msg"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]  # FastAPI's 422 body, never sent


def test_each_route_documents_the_statuses_it_can_give_and_no_others(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    p = "/api/v1/providers/{accme_id}"
    assert doc["paths"][p]["get"]["responses"]["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ["Bearer"]
    assert statuses(doc, "get", p) == {401, 404, 422, 503}  # as_of: not registered yet (404), history catching up (503)
    assert statuses(doc, "put", p + "/contacts/{role}") == {401, 403, 404, 409, 422, 503}  # 403: auditors read only
    assert statuses(doc, "get", p + "/contacts") == {401, 404, 422}  # another tenant is a 404, never a 403
    assert statuses(doc, "get", "/api/v1/providers") == {401, 403}  # declared: a learner or board token
    assert statuses(doc, "get", "/api/v1/accreditor/deadlines/{year}") == {401, 403, 422}  # a year names nothing
    assert statuses(doc, "post", "/accme/learner-activities") == {400, 401, 403, 409, 422, 503}
    assert statuses(doc, "get", "/api/v1/directory") == {422}  # public: no token, so no 401
    assert statuses(doc, "get", "/api/v1/health") == set()
    assert statuses(doc, "get", "/api/v1/templates/activities.xlsx") == set()
    upload = doc["paths"][p + "/activities/batch"]["post"]
    assert statuses(doc, "post", p + "/activities/batch") == {401, 403, 404, 409, 413, 422, 503}
    assert set(upload["requestBody"]["content"]) == {"application/octet-stream", "multipart/form-data"}
    assert set(doc["paths"]["/api/v1/templates/activities.xlsx"]["get"]["responses"]["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    }
    assert not [path for path in doc["paths"] if not path.startswith(("/api/", "/accme/"))]  # the HTML pages stay out


def test_a_route_added_later_is_documented_without_work_of_its_own(system: System) -> None:
    app = create_app(system, run_projections=False)
    later = APIRouter(prefix="/api/v1/things")

    @later.get("/{thing_id}")
    def read_thing(thing_id: str, principal: PrincipalDep) -> dict[str, str]:
        return {"thing_id": thing_id}

    @later.delete("/{thing_id}", status_code=204)
    def delete_thing(thing_id: str, principal: PrincipalDep) -> None:
        return None

    app.include_router(later)
    doc = app.openapi()
    assert statuses(doc, "get", "/api/v1/things/{thing_id}") == {401, 404, 422}
    assert statuses(doc, "delete", "/api/v1/things/{thing_id}") == {401, 403, 404, 422}
    assert doc["paths"]["/api/v1/things/{thing_id}"]["delete"]["responses"]["403"]["content"] == PROBLEM


def test_a_body_that_is_not_text_is_a_422_naming_the_body(client: TestClient, token) -> None:  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/providers",
        content=b'{"accme_id": "\xff\xfe"}',
        headers={**token("accreditor"), "Content-Type": "application/json"},
    )
    body = assert_problem(r, 422)
    assert body["errors"] == [{"loc": ["body"], "msg": "the body is not UTF-8 text (byte 14), so it is not JSON"}]


@pytest.mark.parametrize(
    ("method", "path", "params", "json", "loc"),
    [
        ("get", "/api/v1/passport/transcript", {"to": "0"}, None, ["query", "to"]),  # pydantic alone: 1970-01-01
        ("get", f"/api/v1/providers/{OURS}/history", {"as_of": "20250101"}, None, ["query", "as_of"]),  # ... 1970-08-23
        ("get", f"/api/v1/providers/{OURS}", {"as_of": "0"}, None, ["query", "as_of"]),
        (
            "post",
            f"/api/v1/providers/{OURS}/accreditation-decisions",
            None,
            {"decision": "Accreditation", "decided_on": 0},
            ["body", "decided_on"],
        ),
        ("put", "/api/v1/accreditor/deadlines/2025", None, {"deadline": "2026-03-31T00:00:00"}, ["body", "deadline"]),
    ],
)
def test_dates_and_instants_are_iso_8601_only(client: TestClient, token, method, path, params, json, loc) -> None:  # type: ignore[no-untyped-def]
    create(client, token)
    who = token("learner", learner="1234567893") if "passport" in path else token("accreditor")
    body = assert_problem(client.request(method, path, params=params, json=json, headers=who), 422)
    assert [e["loc"] for e in body["errors"]] == [loc]
    assert "YYYY-MM-DD" in body["errors"][0]["msg"]


def test_a_method_the_path_does_not_take_is_a_405_allowing_every_method_it_does(client: TestClient) -> None:
    r = client.options(f"/api/v1/providers/{OURS}/contacts/billing")
    assert_problem(r, 405)
    assert r.headers["allow"] == "DELETE, PUT"
    r = client.request("PATCH", "/api/v1/providers")
    assert r.headers["allow"] == "GET, POST"


def test_a_change_whose_read_models_lag_too_long_is_a_503_and_stays_saved(
    client: TestClient, token, system: System, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    create(client, token)
    me = token("provider", provider=OURS)

    def too_slow(*_: Any, **__: Any) -> None:
        raise TimeoutError("provider_profile did not reach the position in 5.0 s")

    monkeypatch.setattr(system.projections, "wait", too_slow)
    r = client.put(
        f"/api/v1/providers/{OURS}/contacts/billing", json={"name": "Bea Bills", "email": "bea@acme.org"}, headers=me
    )
    assert_problem(r, 503)
    assert r.headers["retry-after"] == "2"
    monkeypatch.undo()
    system.projections.wait(system.store.head())
    assert (
        client.get(f"/api/v1/providers/{OURS}/contacts", headers=me).json()["contacts"]["billing"]["name"]
        == "Bea Bills"
    )
