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
from adapters.http.locations import Fields, locate, placed, route_fields
from domain.errors import ConflictError, DomainError, InvalidValueError, NotFoundError

ROOT = Path(__file__).resolve().parents[2]
#: The places of a request: the words an adapter, never the domain, puts at the head of a `loc`.
REQUEST_PLACES = {"body", "path", "query"}


def located_literals(source: str) -> list[str]:
    """Every tuple or list literal in `source` that starts with a request place: ("body", "email")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
            head = node.elts[0]
            if isinstance(head, ast.Constant) and head.value in REQUEST_PLACES:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("layer", ["domain", "commands", "services"])
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
        ('raise NotFoundError("no one matches", loc=("query",))', True),
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


def test_an_error_naming_no_field_is_answered_where_the_route_says_and_a_token_field_as_token() -> None:
    fields = Fields(query=frozenset({"npi"}), token=frozenset({"learner"}), whole="query")
    assert locate((), fields) == ["query"]
    assert locate(("learner",), fields) == ["token", "learner"]
    assert locate(("npi",), fields) == ["query", "npi"]
    assert locate((), Fields(token=frozenset({"learner"}))) == []


def test_a_declared_body_member_wins_over_a_path_parameter_of_the_same_name() -> None:
    fields = Fields(path=frozenset({"role"}), body=frozenset({"role"}))
    assert locate(("role",), fields) == ["body", "role"]


# --- the API's answers: the route that took the request says where ------------------------------


class Contact(BaseModel):
    role: str = ""
    email: str = ""
    phone: str = ""
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
    @placed("body", "role", "email", kind=ConflictError)
    def add(accme_id: str, body: Contact) -> None:
        if body.phone:  # the domain refuses the value: not a conflict, so not placed in the body
            _raise(InvalidValueError("bad phone", loc=("phone",)))
        if body.email:
            _raise(InvalidValueError("bad email", loc=("email",)))
        _raise(ConflictError("role filled", loc=("role",)))

    @app.put("/providers/{accme_id}/contacts/{role}")
    def replace(accme_id: str, role: str, body: Contact) -> None:
        _raise(InvalidValueError("unknown role", loc=("role",)))

    @app.post("/providers/{accme_id}/decisions")
    @placed("body", "decidedOn")
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

    @app.post("/accme/activities")
    @placed("path", "accme_id", kind=NotFoundError)
    def accme(body: Contact) -> None:
        _raise(NotFoundError("no provider", loc=("accme_id",)))

    @app.get("/transcripts")
    @placed("query", kind=NotFoundError)
    @placed("token", "learner", kind=NotFoundError)
    def transcript(npi: str = "") -> None:
        if npi == "mine":  # as a learner token's learner missing from the directory
            _raise(NotFoundError("not in the directory", loc=("learner",)))
        if npi:
            _raise(NotFoundError("no one matches", loc=()))
        _raise(InvalidValueError("name someone", loc=()))  # not the declared kind: named nowhere

    @app.post("/forms/{accme_id}")
    def form(accme_id: str, email: Annotated[str, Form()]) -> None:
        _raise(InvalidValueError("bad email", loc=("email",)))

    return TestClient(app)


@pytest.mark.parametrize(
    "method, url, body, status, loc",
    [
        ("post", "/providers/0001234/contacts", {"role": "billing"}, 409, ["body", "role"]),
        ("post", "/providers/0001234/contacts", {"phone": "x"}, 422, ["phone"]),
        ("post", "/providers/0001234/contacts", {"email": "x"}, 422, ["email"]),
        ("put", "/providers/0001234/contacts/billing", {}, 422, ["path", "role"]),
        ("post", "/providers/0001234/decisions", {}, 422, ["body", "decidedOn"]),
        ("get", "/providers/0001234/activities/123456789", None, 404, ["path", "activityId"]),
        ("post", "/providers/0001234/activities/123456789/close", None, 409, ["outcomes"]),
        ("get", "/providers/0001234/table", None, 422, ["query", "sortBy"]),
        ("get", "/providers/0001234", None, 404, ["path", "accme_id"]),
        ("post", "/accme/activities", {}, 404, ["path", "accme_id"]),
        ("post", "/forms/0001234", "form", 422, ["email"]),  # a body member the route did not declare
        ("get", "/transcripts?npi=1234567890", None, 404, ["query"]),
        ("get", "/transcripts?npi=mine", None, 404, ["token", "learner"]),
        ("get", "/transcripts", None, 422, []),
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


def test_a_declared_body_member_is_placed_for_any_error_unless_a_kind_is_named() -> None:
    @placed("body", "email")
    def any_kind() -> None: ...

    @placed("body", "email", kind=ConflictError)
    def conflicts() -> None: ...

    class Route:
        dependant = None

        def __init__(self, endpoint: Any) -> None:
            self.endpoint = endpoint

    bad, taken = InvalidValueError("bad", loc=("email",)), ConflictError("taken", loc=("email",))
    assert route_fields(Route(any_kind), error=bad).location_of("email") == "body"
    assert route_fields(Route(conflicts), error=bad).location_of("email") is None
    assert route_fields(Route(conflicts), error=taken).location_of("email") == "body"
