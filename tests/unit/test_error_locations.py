"""The domain names only the field; the HTTP edge adds where the request carried it (issue 15, step 2).

Domain and service errors say `loc=("email",)`, never `("body", "email")`: which part of a request a
field came from is the route's knowledge (`adapters/http/locations.py`), so the same rule answers with
`["body", "role"]` when a POST body names the role and `["path", "role"]` when the URL does.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Form, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from adapters.api import problems
from adapters.http.locations import Fields, locate
from domain.errors import ConflictError, DomainError, InvalidValueError, NotFoundError

ROOT = Path(__file__).resolve().parents[2]
#: The places of a request: the words an adapter, never the domain, puts at the head of a `loc`.
REQUEST_PLACES = {"body", "path"}


def located_literals(source: str) -> list[str]:
    """Every tuple or list literal in `source` that starts with a request place: ("body", "email")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
            head = node.elts[0]
            if isinstance(head, ast.Constant) and head.value in REQUEST_PLACES:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("layer", ["domain", "services"])
def test_domain_and_services_name_fields_not_where_the_request_carried_them(layer: str) -> None:
    found = [
        f"{path.relative_to(ROOT)} {where}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for where in located_literals(path.read_text())
    ]
    assert not found, "name only the field; adapters/http/locations.py adds the place:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source, found",
    [
        ('raise InvalidValueError("bad", loc=("body", "email"))', True),
        ('raise NotFoundError("no", loc=("path", "accme_id"))', True),
        ('errors = [{"loc": ["body", "item"], "msg": m}]', True),
        ('raise InvalidValueError("bad", loc=("email",))', False),
        ('raise InvalidValueError("bad", loc=("moc", "0", "body"))', False),
        ('kind = ("path")', False),  # a string in brackets, not a tuple
    ],
)
def test_the_check_finds_located_literals(source: str, found: bool) -> None:
    assert bool(located_literals(source)) is found


# --- locate: the rule alone -------------------------------------------------------------------

FIELDS = Fields(
    path=frozenset({"accme_id", "activity_id", "activityId"}),
    query=frozenset({"sort"}),
    body=frozenset({"email", "moc"}),
)


@pytest.mark.parametrize(
    "loc, answered",
    [
        (("accme_id",), ["path", "accme_id"]),
        (("activityId",), ["path", "activityId"]),
        (("sort",), ["query", "sort"]),
        (("email",), ["body", "email"]),
        (("moc", "0", "board"), ["body", "moc", "0", "board"]),
        (("outcomes",), ["outcomes"]),  # not a field the route takes: as the domain named it
        ((), []),
        (("body", "item", "Lom"), ["body", "item", "Lom"]),  # an adapter placed it already
        (("query", "UniqueID"), ["query", "UniqueID"]),
    ],
)
def test_locate_puts_the_place_in_front_of_a_field_the_route_takes(loc: tuple[str, ...], answered: list[Any]) -> None:
    assert locate(loc, FIELDS) == answered


def test_an_explicit_location_wins_over_the_parameters() -> None:
    fields = Fields(path=frozenset({"role"}), explicit={"role": "body"})
    assert locate(("role",), fields) == ["body", "role"]


# --- the API's answers: the route that took the request says where ------------------------------


class Contact(BaseModel):
    role: str = ""
    email: str = ""
    decided: str = Field(default="", alias="decidedOn")


def _sorting(order: Annotated[str, Query(alias="sortBy")] = "") -> str:
    return order


def _raise(error: DomainError) -> None:
    raise error


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    problems.install(app)

    @app.post("/providers/{accme_id}/contacts")
    def add(accme_id: str, body: Contact) -> None:
        _raise(ConflictError("role filled", loc=(body.role or "role",)))

    @app.put("/providers/{accme_id}/contacts/{role}")
    def replace(accme_id: str, role: str, body: Contact) -> None:
        _raise(InvalidValueError("unknown role", loc=(role,)))

    @app.post("/providers/{accme_id}/decisions")
    def decide(accme_id: str, body: Contact) -> None:
        _raise(InvalidValueError("too early", loc=("decidedOn",)))

    @app.get("/providers/{accme_id}/activities/{activity_id}")
    def activity(accme_id: str, activity_id: str) -> None:
        _raise(NotFoundError("no activity", loc=("activityId",)))

    @app.post("/providers/{accme_id}/activities/{activity_id}/close")
    def close(accme_id: str, activity_id: str) -> None:
        _raise(ConflictError("not ready", loc=("outcomes",)))

    @app.get("/providers/{accme_id}/table")
    def table(accme_id: str, order: Annotated[str, Depends(_sorting)]) -> None:
        _raise(InvalidValueError("bad sort", loc=("sortBy",)))

    @app.get("/providers/{accme_id}")
    def provider(accme_id: str) -> None:
        _raise(NotFoundError("no provider", loc=("accme_id",)))

    @app.post("/forms/{accme_id}")
    def form(accme_id: str, email: Annotated[str, Form()]) -> None:
        _raise(InvalidValueError("bad email", loc=("email",)))

    def moved(accme_id: str) -> None:
        _raise(InvalidValueError("moved", loc=("accme_id",)))

    moved.field_locations = {"accme_id": "body"}  # type: ignore[attr-defined]
    app.get("/moved/{accme_id}")(moved)
    return TestClient(app)


@pytest.mark.parametrize(
    "method, url, body, status, loc",
    [
        ("post", "/providers/0001234/contacts", {"role": "role"}, 409, ["body", "role"]),
        ("put", "/providers/0001234/contacts/role", {}, 422, ["path", "role"]),
        ("post", "/providers/0001234/decisions", {}, 422, ["body", "decidedOn"]),
        ("get", "/providers/0001234/activities/123456789", None, 404, ["path", "activityId"]),
        ("post", "/providers/0001234/activities/123456789/close", None, 409, ["outcomes"]),
        ("get", "/providers/0001234/table", None, 422, ["query", "sortBy"]),
        ("get", "/providers/0001234", None, 404, ["path", "accme_id"]),
        ("post", "/forms/0001234", "form", 422, ["body", "email"]),
        ("get", "/moved/0001234", None, 422, ["body", "accme_id"]),
    ],
)
def test_a_domain_error_is_answered_with_the_place_its_route_took_the_field_from(
    client: TestClient, method: str, url: str, body: Any, status: int, loc: list[str]
) -> None:
    if body == "form":
        answer = client.request(method, url, data={"email": "x"})
    else:
        answer = client.request(method, url, json=body)
    assert answer.status_code == status
    problem = answer.json()
    assert problem["errors"] == [{"loc": loc, "msg": problem["detail"]}]
