"""The one limit on request bodies, counted on the bytes actually received, for every route.

A pure ASGI middleware wraps `receive`: the `Content-Length` a client claims is checked first,
then every `http.request` message is counted, so a chunked body (no `Content-Length`) is cut off
as soon as it passes the limit — whoever is reading it (FastAPI's body parameters, Starlette's
form parser, the batch routes' spooling) gets `BodyTooLarge`, answered 413 problem+json.

Limits: `PARS_MAX_UPLOAD_MB` (default 256) for the API, the ACCME web services and multipart
uploads of the web pages; a page's ordinary form (URL-encoded) is far smaller, so it gets
`FORM_LIMIT`.

Bodies nobody may send are refused before a byte is read: an API route that needs a bearer
token is checked for one (the same `get_principal` the route uses) before FastAPI reads its body
parameters, which it otherwise does before any dependency runs. The web pages' CSRF check peeks
at the start of a multipart body (`RequestBody.peek`) instead of reading the whole form.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.api.deps import bearer, get_principal
from adapters.api.problems import Problem, problem_response

MB = 1024 * 1024
FORM_LIMIT = 1 * MB
SCOPE_KEY = "pars.request_body"
GUARDED_PREFIXES = ("/api/", "/accme/")
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class BodyTooLarge(HTTPException):
    """The body passed the limit while being read (or its Content-Length already did)."""

    def __init__(self, limit: int) -> None:
        size = f"{limit // MB} MB" if limit % MB == 0 else f"{limit // 1024} KB"
        super().__init__(413, f"the request body is larger than {size}, the most this route reads (PARS_MAX_UPLOAD_MB)")
        self.limit = limit


class RequestBody:
    """`receive` with a byte count, and a peek at the start of the body that the reader later gets again."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        self.received = 0  # bytes taken from the client so far
        self._held: list[Message] = []  # peeked messages, handed out again before anything new
        self._ended = False

    async def _next(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise BodyTooLarge(self.limit)
            if not message.get("more_body", False):
                self._ended = True
        return message

    async def receive(self) -> Message:
        if self._held:
            return self._held.pop(0)
        return await self._next()

    async def peek(self, size: int) -> bytes:
        """At least the first `size` bytes of the body (fewer if it is shorter), without consuming them."""
        data = b"".join(m.get("body", b"") for m in self._held)
        while len(data) < size and not self._ended:
            message = await self._next()
            self._held.append(message)
            if message["type"] != "http.request":
                break
            data += message.get("body", b"")
        return data


def request_body(request: Request) -> RequestBody | None:
    return request.scope.get(SCOPE_KEY)


class UploadLimits:
    """Pure ASGI middleware: limit by route kind, refusal of unauthenticated API bodies before reading."""

    def __init__(self, app: ASGIApp, api: FastAPI, max_bytes: int) -> None:
        self.app = app
        self.api = api  # the FastAPI app, to find the route a request is for
        self.max_bytes = max_bytes
        self._needs_token: dict[int, bool] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        claimed = _content_length(scope)
        if claimed is not None and claimed > limit:
            await _answer(scope, receive, send, problem_response(413, BodyTooLarge(limit).detail))
            return
        if scope["method"] in BODY_METHODS and scope["path"].startswith(GUARDED_PREFIXES):
            refusal = await self.refusal(scope)
            if refusal is not None:
                await _answer(scope, receive, send, refusal)
                return
        body = RequestBody(receive, limit)
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
            await _answer(scope, receive, send, problem_response(413, too_large.detail))

    def limit_for(self, scope: Scope) -> int:
        if scope["path"].startswith(GUARDED_PREFIXES):
            return self.max_bytes
        if Headers(scope=scope).get("content-type", "").startswith("multipart/form-data"):
            return self.max_bytes  # the web pages' batch uploads
        return min(FORM_LIMIT, self.max_bytes)

    async def refusal(self, scope: Scope) -> Any:
        """The problem answer for a request its route would refuse for want of a valid token, else None."""
        route = self._route(scope)
        if route is None or not self._route_needs_token(route):
            return None
        request = Request(scope)
        try:
            credentials = await bearer(request)
            await run_in_threadpool(get_principal, request, self.api.state.system, credentials)
        except Problem as problem:
            return problem_response(problem.status, problem.detail, problem.errors, problem.headers)
        return None

    def _route(self, scope: Scope) -> APIRoute | None:
        for route in self.api.router.routes:
            if isinstance(route, APIRoute) and route.matches(scope)[0] is Match.FULL:
                return route
        return None

    def _route_needs_token(self, route: APIRoute) -> bool:
        key = id(route)
        if key not in self._needs_token:
            self._needs_token[key] = _calls(route.dependant, get_principal)
        return self._needs_token[key]


def _calls(dependant: Any, function: Any) -> bool:
    return any(d.call is function or _calls(d, function) for d in dependant.dependencies)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


async def _answer(scope: Scope, receive: Receive, send: Send, response: Any) -> None:
    """An answer without reading the body; the server closes the connection on the unread rest."""
    await response(scope, receive, send)


def install(app: FastAPI, max_bytes: int) -> None:
    app.add_middleware(UploadLimits, api=app, max_bytes=max_bytes)
