"""Webhook fixtures: a system that may call 127.0.0.1 over plain http with a backoff of milliseconds, and a
real HTTP receiver (http.server in a thread on 127.0.0.1) that records what it is sent and can be taken down;
a principal's Authorization header."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from adapters.tokens import issue_token

SECRET = "whsec-test-0123456789abcdef"


def webhook_settings(url: str, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": url,
        "secret_key": "test-secret-key",
        "mail": "file:var/mail",
        "fast_password_hashing": True,
        "webhook_allow_private": True,
        "webhook_allow_http": True,
        "webhook_retry_first": 0.05,
        "webhook_retry_longest": 0.2,
        "webhook_retry_for": 30.0,
        "webhook_timeout": 2.0,
        **over,
    }
    return Settings(**values)


def auth(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


@pytest.fixture
def wh_system(database_url: str) -> Iterator[System]:
    system = bootstrap(webhook_settings(database_url))
    yield system
    system.close()


class Receiver:
    """A real endpoint: records each request (headers, body, arrival time); answers `status` (200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0
        self.lock = threading.Lock()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.connections: list[socket.socket] = []
        self.start()

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the sender reuses a connection between deliveries

            def setup(self) -> None:
                super().setup()
                with receiver.lock:
                    receiver.connections.append(self.connection)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.status
                with receiver.lock:
                    receiver.received.append(
                        {
                            "at": time.time(),
                            "path": self.path,
                            "headers": dict(self.headers),
                            "body": body,
                            "json": json.loads(body),
                            "answered": status,
                        }
                    )
                payload = b'{"ok": true}' if status < 300 else b"not now"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: connections are refused until `start` again (same port)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        with self.lock:
            kept, self.connections = self.connections, []
        for connection in kept:  # kept-alive connections too: down is down
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/pars"

    def delivered(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.received if r["answered"] < 300]

    def wait_for(self, check: Callable[[list[dict[str, Any]]], bool], timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.delivered()
            if check(got):
                return got
            time.sleep(0.02)
        raise AssertionError(f"the receiver did not get what was expected; got {len(self.delivered())} deliveries")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()
