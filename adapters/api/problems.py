"""RFC 9457 problem details for every error, with an `errors` list naming each bad field or row."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import ConflictError, DomainError, InvalidValueError, NotFoundError

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
}


class Problem(Exception):
    """Raised by routes to answer with a problem document."""

    def __init__(self, status: int, detail: str, errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None) -> None:
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
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail, "errors": errors or [], **extensions}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_status(error: DomainError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, InvalidValueError):
        return 422
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, exc.errors, exc.headers)

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(domain_status(exc), exc.message, [{"loc": list(loc), "msg": msg} for loc, msg in exc.problems()])

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_field_error(e) for e in exc.errors()]
        where = ", ".join(".".join(e["loc"]) for e in errors[:5])
        return problem_response(422, f"the request has {len(errors)} invalid field(s): {where}", errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(500, "an unexpected error occurred; it has been logged")


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":  # say where the JSON broke, not "body.1"
        reason = error.get("ctx", {}).get("error", "invalid JSON")
        return {"loc": ["body"], "msg": f"the body is not valid JSON: {reason} (at character {error['loc'][-1]})"}
    return {"loc": [str(part) for part in error["loc"]], "msg": error["msg"]}
