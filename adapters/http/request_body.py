"""A request's body as the app-wide limit (adapters/api/upload_limits.py) hands it to its reader: counted
as it is received, cut off past the limit, and with a peek at its start (the web pages' CSRF check)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

MB = 1024 * 1024
SCOPE_KEY = "pars.request_body"


class BodyTooLarge(HTTPException):
    """The body passed the limit while being read (or its Content-Length already did)."""

    def __init__(self, limit: int) -> None:
        size = f"{limit // MB} MB" if limit % MB == 0 else f"{limit // 1024} KB"
        super().__init__(413, f"the request body is larger than {size}, the most this route reads")
        self.limit = limit


class RequestBody:
    """`receive` with a byte count, and a peek at the start of the body that the reader later gets again.
    `before_reading()` runs once, when the first byte is asked for; it may refuse the body."""

    def __init__(
        self, receive: Receive, limit: int, before_reading: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        self._receive = receive
        self.limit = limit
        self.received = 0  # bytes taken from the client so far
        self._held: list[Message] = []  # peeked messages, handed out again before anything new
        self._ended = False
        self._before_reading = before_reading

    async def _next(self) -> Message:
        if self._before_reading is not None:
            check, self._before_reading = self._before_reading, None
            await check()
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
