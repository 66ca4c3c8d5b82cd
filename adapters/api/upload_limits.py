"""The one limit on request bodies, counted on the bytes actually received, for every route.

A pure ASGI middleware wraps `receive`: the `Content-Length` a client claims is checked first,
then every `http.request` message is counted, so a chunked body (no `Content-Length`) is cut off
as soon as it passes the limit — whoever is reading it (FastAPI's body parameters, Starlette's
form parser, the batch routes' spooling) gets `BodyTooLarge`, answered 413 problem+json.

Limits: `PARS_MAX_UPLOAD_MB` (default 256) for the API, the ACCME web services and the web pages'
two batch upload forms; every other page form (sign-in among them, multipart or not) is far
smaller, so it gets `FORM_LIMIT`.

Bodies nobody may send are refused before a byte is read: FastAPI reads a route's body parameters
before any dependency runs, so when the first byte is asked for, an API route that needs a bearer
token (the router has put the matched route in `scope["route"]`) has the token checked first, by the
same `get_principal` the route uses. The web pages' CSRF check peeks at the start of a multipart
body (`RequestBody.peek`) instead of reading the whole form.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.api.deps import bearer, get_principal
from adapters.api.problems import Problem, problem_response
from adapters.http.request_body import MB, SCOPE_KEY, BodyTooLarge, RequestBody

FORM_LIMIT = 1 * MB
GUARDED_PREFIXES = ("/api/", "/accme/")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
WEB_UPLOADS = re.compile(r"/provider/[^/]+/uploads/(activities|completions)")  # the pages' batch upload forms
# The public verify page takes a pasted or uploaded credential: a CLR bundles a signed credential per completion
# (a 200-completion transcript's CLR JSON is about 2 MB), so more than a form, far less than a batch file.
VERIFY_PAGE, VERIFY_LIMIT = "/verify", 16 * MB


class Refused(HTTPException):
    """A body refused before it was read: its route's own answer (401/403 problem) to this request."""


class UploadLimits:
    """Pure ASGI middleware: the limit by kind of route, and no body read for an API route that refuses its token."""

    def __init__(self, app: ASGIApp, system: Any, max_bytes: int) -> None:
        self.app = app
        self.system = system
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        claimed = _content_length(scope)
        if claimed is not None and claimed > limit:
            await problem_response(413, BodyTooLarge(limit).detail)(
                scope, receive, send
            )  # the unread body is left to the server
            return
        check = None
        if scope["method"] in BODY_METHODS and scope["path"].startswith(GUARDED_PREFIXES):

            async def check() -> None:
                await self.authenticate(scope)

        body = RequestBody(receive, limit, check)
        scope[SCOPE_KEY] = body
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body.receive, send_tracking)
        except BodyTooLarge as too_large:  # raised where no exception handler saw it
            if started:
                raise
            await problem_response(413, too_large.detail)(scope, receive, send)

    def limit_for(self, scope: Scope) -> int:
        if scope["path"].startswith(GUARDED_PREFIXES) or WEB_UPLOADS.fullmatch(scope["path"]):
            return self.max_bytes
        if scope["path"] == VERIFY_PAGE:
            return min(VERIFY_LIMIT, self.max_bytes)
        return min(FORM_LIMIT, self.max_bytes)  # every other page form, signed in or not

    async def authenticate(self, scope: Scope) -> None:
        """Refused (401/403) if the matched route needs a bearer token and this request's is missing or not valid."""
        route = scope.get("route")
        dependant = getattr(route, "dependant", None)
        if dependant is None or not _calls(dependant, get_principal):
            return
        request = Request(scope)
        try:
            credentials = await bearer(request)
            await run_in_threadpool(get_principal, request, self.system, credentials)
        except Problem as problem:
            raise Refused(problem.status, problem.detail, problem.headers) from None


def _calls(dependant: Any, function: Any) -> bool:
    return any(d.call is function or _calls(d, function) for d in dependant.dependencies)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def install(app: FastAPI, max_bytes: int) -> None:
    app.add_middleware(UploadLimits, system=app.state.system, max_bytes=max_bytes)
