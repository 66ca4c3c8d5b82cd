"""RFC 9457 problem details for every error, with an `errors` list naming each bad field or row."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from adapters.http.locations import problem_errors
from adapters.http.statuses import domain_status
from domain.errors import DomainError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Invalid input",
    500: "Internal error",
    503: "Service unavailable",
}


class ProblemError(BaseModel):
    """One invalid field or row: where (`loc`, from `body`, `query`, `path`, ... inward) and why, in PARS's words."""

    model_config = ConfigDict(extra="allow")
    loc: list[str | int]
    msg: str


class ProblemDocument(BaseModel):
    """An RFC 9457 problem; routes may add members (RFC 9457 section 3.2), e.g. per-item results."""

    model_config = ConfigDict(extra="allow", title="Problem")
    type: str = Field(description="`about:blank`: the status and title say what kind of problem it is")
    title: str
    status: int
    detail: str = Field(description="what went wrong in this request")
    errors: list[ProblemError] = Field(description="each invalid field or row; empty when no one field is at fault")


class Problem(Exception):
    """Raised by routes to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers


def problem_response(
    status: int,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem document; `extensions` become extra members (RFC 9457 section 3.2), e.g. per-item results."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": errors or [],
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        # The error names its field; the route that took the request says where it came from.
        return problem_response(domain_status(exc), exc.message, problem_errors(exc, request.scope))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_field_error(e) for e in exc.errors()]
        where = ", ".join(".".join(e["loc"]) for e in errors[:5])
        return problem_response(422, f"the request has {len(errors)} invalid field(s): {where}", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.__cause__ is not None:  # FastAPI could not read a JSON body at all
            return problem_response(
                422, "the body cannot be read as JSON", [{"loc": ["body"], "msg": _unreadable(exc.__cause__)}]
            )
        headers = getattr(exc, "headers", None)
        if (
            exc.status_code == 405
        ):  # Starlette names only the first route that matched the path; RFC 9110 wants them all
            headers = {**(headers or {}), "Allow": ", ".join(sorted(_allowed_methods(request)))}
        return problem_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(TimeoutError)
    async def _catching_up(request: Request, exc: TimeoutError) -> JSONResponse:
        # Read-your-writes waited too long for the read models (projections.wait): a busy moment, not a fault.
        log.warning("timed out on %s %s: %s", request.method, request.url.path, exc)
        detail = "the read models are catching up (what this request changed is saved); try again shortly"
        return problem_response(503, detail, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return problem_response(500, "an unexpected error occurred; it has been logged")


def _allowed_methods(request: Request) -> set[str]:
    """Every method some route answers at this path (routes of included routers too, on FastAPI ≥ 0.160)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI lists every route in app.routes
        routes: Any = request.app.routes
    else:
        routes = iter_route_contexts(request.app.routes)
    allowed: set[str] = set()
    for route in routes:
        match, _ = route.matches(
            {**request.scope, "method": "\0"}
        )  # no route takes this method: path matches are PARTIAL
        if match is Match.PARTIAL and getattr(route, "methods", None):
            allowed |= set(route.methods)
    return allowed


def _unreadable(cause: BaseException) -> str:
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text (byte {cause.start}), so it is not JSON"
    return f"the body cannot be read: {cause}"


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":  # say where the JSON broke, not "body.1"
        reason = error.get("ctx", {}).get("error", "invalid JSON")
        return {"loc": ["body"], "msg": f"the body is not valid JSON: {reason} (at character {error['loc'][-1]})"}
    return {"loc": [str(part) for part in error["loc"]], "msg": error["msg"]}
