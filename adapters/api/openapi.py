"""The OpenAPI document tells the truth about errors: every 4xx/5xx a route can give, as `application/problem+json`.

FastAPI documents only the answers a route declares, and its own 422 as `application/json`. Here each
operation's error answers are derived from how the route is built, so a route added later is documented
without work of its own:

| status | given by | documented when the route |
| --- | --- | --- |
| 401 | `get_principal`: no token, or one not valid or revoked | depends on `get_principal` |
| 403 | `get_principal`: an auditor's token is read-only | depends on `get_principal` and is not GET |
| 404 | the lookup of what a path parameter names (`visible_profile` for `accme_id`) | has a path parameter that is not a number |
| 422 | request validation (`problems.install`) | has any parameter or a body |
| 404, 503 | `as_of.ReadsAt`: not registered yet at the instant, history catching up | takes `AsOfQuery` |

What only the route's code knows (a role it refuses with 403, a 409 rule, a 413 upload limit, a 400 ACCME
envelope) it declares with FastAPI's own `responses=` (on the route or its router, e.g. `documented(403)`);
the declared description is kept and the problem schema filled in. Every error answer, derived or declared,
gets the `Problem` schema under `application/problem+json` (extensions such as per-item results allowed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from adapters.api.as_of import AsOfQuery
from adapters.api.deps import get_principal
from adapters.api.problems import PROBLEM_JSON, TITLES, ProblemDocument

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
READ_METHODS = {"GET", "HEAD"}
AS_OF = get_args(AsOfQuery)[1].description  # FastAPI copies the shared Query(...); its description identifies it
WHY = {
    401: "no bearer token, or one that is not valid or has been revoked",
    403: "this token may not do this (an auditor's token is read-only)",
    404: "what the path names does not exist or is not visible to this token; `errors` names the parameter",
    422: "a parameter or the body is invalid; `errors` names each field and the reason",
    503: "the history read model is catching up; try again shortly",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for statuses only the route's code knows about; the problem schema is added for them."""
    return {status: {"description": TITLES.get(status, "Error")} for status in statuses}


#: A command's route: the change breaks a rule of the record's current state, or others kept changing it first
#: (409); it was saved but the read models it answers from lag behind (503, see problems.install).
COMMAND: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "the change conflicts with the record as it stands (the rule is in `detail`), or others kept "
        "changing it at the same moment; try again"
    },
    503: {
        "description": "the change was saved, but the read models that answer are still catching up; read it again shortly"
    },
}


def install(app: FastAPI) -> None:
    """Wraps `app.openapi` so that each generated document is completed once, whenever FastAPI regenerates it."""
    generate = app.openapi
    completed: list[int] = []

    def openapi() -> dict[str, Any]:
        doc = generate()
        if id(doc) not in completed:
            document_errors(app, doc)
            completed[:] = [id(doc)]
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Each documented route, seen with its router's prefix, dependencies and `responses=` (FastAPI ≥ 0.160
    keeps included routers nested; older versions copy their routes into `app.routes`)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        contexts: Iterator[Any] = iter(app.routes)
    else:
        contexts = iter_route_contexts(app.routes)
    for route in contexts:
        if isinstance(getattr(route, "original_route", route), APIRoute) and route.include_in_schema:
            yield route


def document_errors(app: FastAPI, doc: dict[str, Any]) -> None:
    for route in api_routes(app):
        derived = derived_statuses(route)
        for method in route.methods:
            operation = doc.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            statuses = dict(derived)
            if method not in READ_METHODS and 401 in statuses:
                statuses[403] = WHY[403]
            responses = operation.setdefault("responses", {})
            for status, why in statuses.items():
                answer = responses.setdefault(str(status), {"description": why})
                if answer.get("description") == "Validation Error":  # FastAPI's own words for its 422
                    answer["description"] = why
            for status, answer in responses.items():
                if status[:1] in ("4", "5"):
                    answer["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
                if status == "401":  # get_principal's challenge (RFC 6750)
                    answer.setdefault("headers", {})["WWW-Authenticate"] = {
                        "schema": {"type": "string", "enum": ["Bearer"]}
                    }
            operation["responses"] = dict(sorted(responses.items()))
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    problem = ProblemDocument.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422 body, which PARS never sends
        schemas.pop(unused, None)


def derived_statuses(route: Any) -> dict[int, str]:
    calls = {d.call for d in _dependants(route.dependant)}
    params = [
        p
        for d in _dependants(route.dependant)
        for p in (*d.path_params, *d.query_params, *d.header_params, *d.cookie_params, *d.body_params)
    ]
    statuses: dict[int, str] = {}
    if get_principal in calls:
        statuses[401] = WHY[401]
    if any(p.field_info.annotation is not int for d in _dependants(route.dependant) for p in d.path_params):
        statuses[404] = WHY[404]
    if params:
        statuses[422] = WHY[422]
    if any(p.field_info.description == AS_OF for p in params):
        statuses[404] = WHY[404] + ", or did not exist yet at `as_of`"
        statuses[503] = WHY[503]
    return statuses


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)
