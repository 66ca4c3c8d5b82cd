"""Where in a request a domain error's field came from: the domain names the field, the edge adds the place.

A domain or service error names only the field it concerns (`loc=("email",)`, `("moc", "0", "board")`);
the route handling the request knows whether that field is one of its path parameters, one of its query
parameters or a member of its JSON body, and `locate` puts "path", "query" or "body" in front. A field
the route does not take (an activity's missing `outcomes` when closing it) is answered as the domain
named it. An adapter that built a location itself (`("body", "item", ...)`) keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

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
    #: explicit field -> location, for what the parameters alone do not tell (a body the route reads itself)
    explicit: Mapping[str, str] = field(default_factory=dict)

    def location_of(self, name: str) -> str | None:
        if name in self.explicit:
            return self.explicit[name]
        if name in self.path:
            return "path"
        if name in self.query:
            return "query"
        if name in self.body:
            return "body"
        return None


def locate(loc: Sequence[Any], fields: Fields) -> list[Any]:
    """The error's `loc` as the answer gives it: the field, preceded by where the request carried it."""
    if not loc or str(loc[0]) in LOCATIONS:
        return list(loc)
    where = fields.location_of(str(loc[0]))
    return [where, *loc] if where else list(loc)


def route_fields(route: Any, path_params: Iterable[str] = ()) -> Fields:
    """What a FastAPI route takes where: its path parameters (and `path_params`, the request's), the query
    parameters of it and its dependencies (by the name the request uses), and its JSON body's members."""
    path: set[str] = set(path_params)
    query: set[str] = set()
    body: set[str] = set()
    dependant = getattr(route, "dependant", None)
    stack = [dependant] if dependant is not None else []
    while stack:
        d = stack.pop()
        path.update(p.alias for p in d.path_params)
        query.update(p.alias for p in d.query_params)
        for p in d.body_params:
            annotation = p.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel) and len(d.body_params) == 1:
                body.update(f.alias or name for name, f in annotation.model_fields.items())
            else:  # several body parameters are embedded by name
                body.add(p.alias)
        stack.extend(d.dependencies)
    path.update(PATH_ALIASES[p] for p in list(path) if p in PATH_ALIASES)
    explicit = getattr(getattr(route, "endpoint", None), "field_locations", {})
    return Fields(frozenset(path), frozenset(query), frozenset(body), explicit)


def fields_of(scope: Mapping[str, Any]) -> Fields:
    """The fields of the route that took this request (none before routing: a 404 for an unknown path)."""
    return route_fields(scope.get("route"), scope.get("path_params", {}))


def problem_errors(problems: Iterable[tuple[Sequence[Any], str]], scope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A domain error's (field, reason) pairs as the answer's `errors: [{loc, msg}]`."""
    fields = fields_of(scope)
    return [{"loc": locate(loc, fields), "msg": msg} for loc, msg in problems]
