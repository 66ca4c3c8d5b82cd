"""Outbound calls against real local servers: no redirect followed, at most a small answer read, a timeout
on a server that does not answer, the address check made again for each new connection (not only at
registration), and a connection kept for the next delivery only when its answer was read whole."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adapters.webhooks import transport as transport_module
from adapters.webhooks.transport import SafeTransport
from domain.webhook import WebhookRuleError
from services.webhook_sender import TransportError


class Script:
    """A server whose answer each test chooses; it counts the requests it gets and the connections they came on
    (HTTP/1.1: it keeps a connection open unless its answer says `Connection: close`)."""

    def __init__(self, status: int = 200, body: bytes = b"ok", headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers, self.hits = status, body, headers or {}, 0
        self.connections: list[socket.socket] = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                script.connections.append(self.connection)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                script.hits += 1
                self.send_response(script.status)
                for k, v in script.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(script.body)))
                self.end_headers()
                self.wfile.write(script.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/in"

    def drop_connections(self) -> None:
        """Closes the open connections (as a server does with idle ones)."""
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.drop_connections()


@pytest.fixture
def transport() -> SafeTransport:
    return SafeTransport(allow_private=True, allow_http=True, timeout=0.5, max_response=100)


def test_a_redirect_is_an_answer_not_followed(transport: SafeTransport) -> None:
    target = Script()
    redirecting = Script(status=302, body=b"", headers={"Location": target.url})
    try:
        answer = transport.post(redirecting.url, b"{}", {})
        assert answer.status == 302 and target.hits == 0
    finally:
        target.close()
        redirecting.close()


def test_at_most_a_small_answer_is_read(transport: SafeTransport) -> None:
    big = Script(body=b"x" * 1_000_000)
    try:
        answer = transport.post(big.url, b"{}", {})
        assert answer.status == 200 and len(answer.body) == 100
    finally:
        big.close()


def test_a_server_that_never_answers_times_out() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        began = time.monotonic()
        with pytest.raises(TransportError, match="no answer within"):
            SafeTransport(allow_private=True, allow_http=True, timeout=0.3).post(
                f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", {}
            )
        assert time.monotonic() - began < 2
    finally:
        silent.close()


def test_each_call_checks_the_address_again() -> None:
    server = Script()
    try:
        strict = SafeTransport(allow_private=False, allow_http=True)
        with pytest.raises(TransportError, match="loopback"):
            strict.post(server.url, b"{}", {})
        with pytest.raises(WebhookRuleError, match="loopback"):
            strict.check(server.url)
        assert server.hits == 0
        with pytest.raises(TransportError, match="https://"):
            SafeTransport(allow_private=True, allow_http=False).post(server.url, b"{}", {})
    finally:
        server.close()


def test_a_kept_connection_carries_the_next_deliveries(transport: SafeTransport) -> None:
    server = Script()
    try:
        for _ in range(5):
            assert transport.post(server.url, b"{}", {}).status == 200
        assert server.hits == 5 and len(server.connections) == 1
        # Another path of the same origin (scheme, host, port) shares it.
        assert transport.post(server.url + "/other", b"{}", {}).status == 200
        assert server.hits == 6 and len(server.connections) == 1
    finally:
        server.close()


def test_a_connection_the_endpoint_closed_is_replaced_by_a_new_one(transport: SafeTransport) -> None:
    server = Script()
    try:
        assert transport.post(server.url, b"{}", {}).status == 200
        server.drop_connections()  # the endpoint closes the idle connection
        assert transport.post(server.url, b"{}", {}).status == 200
        assert server.hits == 2 and len(server.connections) == 2
    finally:
        server.close()


@pytest.mark.parametrize(
    "body, headers",
    [(b"x" * 1000, {}), (b"ok", {"Connection": "close"})],
    ids=["an answer longer than what is read", "an endpoint that says it closes"],
)
def test_a_connection_is_not_kept_after(body: bytes, headers: dict[str, str], transport: SafeTransport) -> None:
    server = Script(body=body, headers=headers)
    try:
        for _ in range(3):
            assert transport.post(server.url, b"{}", {}).status == 200
        assert server.hits == 3 and len(server.connections) == 3
    finally:
        server.close()


def test_each_new_connection_checks_the_address_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a host that passed the check may resolve to a private address later. The rule changing
    (`allow_private` turned off) stands here for the host's DNS answer changing: a kept connection goes on to
    the address checked when it was opened; every new one is resolved and checked again, and refused."""
    server = Script()
    transport = SafeTransport(allow_private=True, allow_http=True, timeout=0.5)
    try:
        assert transport.post(server.url, b"{}", {}).status == 200
        transport.allow_private = False
        assert transport.post(server.url, b"{}", {}).status == 200  # the kept connection, to the checked address
        server.drop_connections()
        with pytest.raises(TransportError, match=r"resolves to 127\.0\.0\.1, a loopback address"):
            transport.post(server.url, b"{}", {})  # its replacement is checked
        transport.allow_private = True
        assert transport.post(server.url, b"{}", {}).status == 200
        transport.allow_private = False
        monkeypatch.setattr(transport_module, "KEEP_SECONDS", 0.0)  # kept too long: reopened, so checked again
        with pytest.raises(TransportError, match="loopback"):
            transport.post(server.url, b"{}", {})
        assert server.hits == 3 and len(server.connections) == 2
    finally:
        transport.close()
        server.close()
