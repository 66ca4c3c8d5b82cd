"""No text PARS keeps or searches holds U+0000: PostgreSQL's text cannot store it, so a NUL in a name or a
search word was a 500 there (and stored as-is on SQLite). Refused at the edge, naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import Request

from adapters.api.problems import Problem

MSG = "contains a NUL character (U+0000), which no text in PARS may hold"


async def refuse_nul(request: Request) -> None:
    """A router dependency of the API: the route's path and query parameters and a JSON body, before they are read."""
    route = request.scope.get("route")
    for name, value in request.path_params.items():
        if isinstance(value, str) and "\x00" in value:
            raise Problem(422, f"path parameter {name} {MSG}", [{"loc": ["path", name], "msg": MSG}])
    for name in _query_names(route):
        if any("\x00" in value for value in request.query_params.getlist(name)):
            raise Problem(422, f"query parameter {name} {MSG}", [{"loc": ["query", name], "msg": MSG}])
    if "json" in request.headers.get("content-type", "") and b"\\u0000" in await request.body():
        try:
            body = await request.json()
        except ValueError:
            return  # not JSON after all: the route's own validation says so
        loc = next(_nul_locs(body, ["body"]), None)
        if loc is not None:
            raise Problem(422, f"{'.'.join(map(str, loc))} {MSG}", [{"loc": loc, "msg": MSG}])


def _query_names(route: Any) -> Iterator[str]:
    """The query parameters the route reads (others are ignored, so they may hold anything)."""
    stack = [getattr(route, "dependant", None)]
    while stack:
        dependant = stack.pop()
        if dependant is None:
            continue
        for param in dependant.query_params:
            yield param.alias
        stack.extend(dependant.dependencies)


def _nul_locs(value: Any, loc: list[str | int]) -> Iterator[list[str | int]]:
    if isinstance(value, str):
        if "\x00" in value:
            yield loc
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield loc
            yield from _nul_locs(item, [*loc, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_locs(item, [*loc, index])
