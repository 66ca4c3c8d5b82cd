"""Where in a request a domain error's field came from: the domain names the field, the edge adds the place.

A domain or service error names only the field it concerns (`loc=("email",)`, `("moc", "0", "board")`);
the route handling the request knows where it took that field from, and `locate` puts "path", "query" or
"body" in front: "path" and "query" for the route's own parameters (and its dependencies'), "body" for
the body members the route declares with `@placed("body", ...)`. The body's members are declared, not read
off the body model, because not every refusal of a member has been answered in "body": a contact's phone
or email the domain finds malformed is answered `["phone"]`, as the domain names it, while a staff email
already in use is `["body", "email"]` (`kind=ConflictError`), and answers stay as they were.
A field the route does not take (an activity's missing `outcomes` when closing it) is answered as the
domain named it, and a `loc` an adapter placed itself (`("body", "item", ...)`) is kept. A route may also
declare a field carried by its bearer token (`@placed("token", "learner")`: the learner a learner token
names) and where an error naming no field is answered (`@placed("query", kind=...)`: a transcript whose
parameters, taken together, match no one is answered `["query"]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from domain.errors import DomainError

#: The places of a request an error's `loc` starts with (FastAPI's words).
LOCATIONS = frozenset({"body", "path", "query", "header", "cookie"})
#: A path parameter the services know by its ACCME name: a route's `activity_id` is ACCME's `activityId`.
PATH_ALIASES = {"activity_id": "activityId"}


@dataclass(frozen=True)
class Fields:
    """The names a route takes in each place of the request."""

    path: frozenset[str] = frozenset()
    query: frozenset[str] = frozenset()
    body: frozenset[str] = frozenset()
    token: frozenset[str] = frozenset()
    #: Where an error that names no field is answered (a route's `@placed("query")`): none by default.
    whole: str | None = None

    def location_of(self, name: str) -> str | None:
        if name in self.body:
            return "body"
        if name in self.path:
            return "path"
        if name in self.query:
            return "query"
        if name in self.token:
            return "token"
        return None


def locate(loc: Sequence[Any], fields: Fields) -> list[Any]:
    """The error's `loc` as the answer gives it: the field, preceded by where the request carried it."""
    if not loc:
        return [fields.whole] if fields.whole else []
    if str(loc[0]) in LOCATIONS:
        return list(loc)
    where = fields.location_of(str(loc[0]))
    return [where, *loc] if where else list(loc)


def route_fields(route: Any, path_params: Iterable[str] = (), error: DomainError | None = None) -> Fields:
    """What a FastAPI route takes where: its path parameters (and `path_params`, the request's), the query
    parameters of it and its dependencies (by the name the request uses), and the body members its
    endpoint declares (`placed`) for an error of the kind declared, and the fields it says its token carries
    and where it answers an error about no one field."""
    path: set[str] = set(path_params)
    query: set[str] = set()
    dependant = getattr(route, "dependant", None)
    stack = [dependant] if dependant is not None else []
    while stack:
        d = stack.pop()
        path.update(p.alias for p in d.path_params)
        query.update(p.alias for p in d.query_params)
        stack.extend(d.dependencies)
    path.update(PATH_ALIASES[p] for p in list(path) if p in PATH_ALIASES)
    body: set[str] = set()
    token: set[str] = set()
    whole = None
    for where, names, kind in getattr(getattr(route, "endpoint", None), PLACED, ()):
        if error is None or isinstance(error, kind):
            if not names:
                whole = where
            else:
                {"body": body, "path": path, "query": query, "token": token}[where].update(names)
    return Fields(frozenset(path), frozenset(query), frozenset(body), frozenset(token), whole)


PLACED = "pars_placed_fields"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def placed(
    where: Literal["body", "path", "query", "token"], *names: str, kind: type[DomainError] = DomainError
) -> Callable[[Endpoint], Endpoint]:
    """Declares fields the route's parameters do not tell the place of: the members of its JSON body that a
    domain error (of `kind`) about them is answered in "body" for, a field answered in "path" or "query", or
    one its bearer token carries ("token"). Without names: where a domain error (of `kind`) that names no
    field is answered, e.g. `@placed("query", kind=...)` for the query's parameters taken together.
    Put it under the router's decorator: `@router.post(...)`, `@placed("body", "email")`, `def ...`."""

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, PLACED, (*getattr(endpoint, PLACED, ()), (where, frozenset(names), kind)))
        return endpoint

    return declare


def fields_of(scope: Mapping[str, Any], error: DomainError | None = None) -> Fields:
    """The fields of the route that took this request (none before routing: a 404 for an unknown path)."""
    return route_fields(scope.get("route"), scope.get("path_params", {}), error)


def problem_errors(error: DomainError, scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A domain error's (field, reason) pairs as the answer's `errors: [{loc, msg}]`."""
    fields = fields_of(scope, error)
    return [{"loc": locate(loc, fields), "msg": msg} for loc, msg in error.problems()]
