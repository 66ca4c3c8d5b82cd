"""Outbound HTTP for webhooks, guarded against server-side request forgery.

Every new connection resolves the host, refuses it if any address it resolves to is not a global unicast address
(private, loopback, link-local, shared, reserved, multicast, unspecified; IPv4 inside IPv6 is unwrapped) unless
`allow_private` (tests, a private deployment) says otherwise, and then connects to the checked address itself,
so a second DNS answer cannot swap in another (rebinding). The check is made in the connection's `connect`, so
no socket is ever opened unchecked (http.client reopening a closed connection goes through it too). Plain
`http://` needs `allow_http`. No redirect is followed (a 3xx is an answer like any other, a failed delivery),
each socket operation times out, the whole call has a deadline, and at most `max_response` bytes of the answer
are read.

Connections are kept (HTTP/1.1 keep-alive) in a small pool per origin (scheme, host, port), shared by the
sender's threads: an endpoint's deliveries are sequential, so one connection carries them all, whichever thread
sends the next batch. A connection is reused only if its last answer was read whole and the endpoint did not
say it closes, and for at most KEEP_SECONDS after it was opened (then a new one is opened and checked again).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from domain.webhook import WebhookRuleError, check_url
from services.webhook_sender import Answer, TransportError

KEEP_SECONDS = 30.0
#: Idle connections kept per origin: one endpoint needs one (its deliveries are sequential); a few endpoints of
#: a provider may share a host.
IDLE_PER_ORIGIN = 4
#: In this order: the most telling words first (a link-local address is private too).
ADDRESS_WORDS = {
    "loopback": "a loopback address",
    "link_local": "a link-local address",
    "unspecified": "an unspecified address",
    "multicast": "a multicast address",
    "private": "a private address",
    "reserved": "a reserved address",
}

Origin = tuple[str, str, int]  # scheme, host, port


def refusal(address: str) -> str | None:
    """Why PARS must not call this address, or None for a global unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for attribute, words in ADDRESS_WORDS.items():
        if getattr(ip, f"is_{attribute}"):
            return words
    if not ip.is_global:
        return "an address that is not public"
    return None


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, resolve: Callable[[str, int], str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._resolve = resolve
        self.opened = time.monotonic()

    def _socket(self) -> socket.socket:
        """A socket to the host's checked address (resolved and checked now, for every new connection)."""
        address = self._resolve(self.host, self.port)
        sock = socket.create_connection((address, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opened = time.monotonic()
        return sock

    def connect(self) -> None:
        self.sock = self._socket()


class _TlsConnection(_Connection):
    default_port = http.client.HTTPS_PORT

    def __init__(self, host: str, port: int, resolve: Callable[[str, int], str], timeout: float) -> None:
        super().__init__(host, port, resolve, timeout)
        self._context = ssl.create_default_context()

    def connect(self) -> None:
        self.sock = self._context.wrap_socket(self._socket(), server_hostname=self.host)


class SafeTransport:
    def __init__(
        self,
        *,
        allow_private: bool = False,
        allow_http: bool = False,
        timeout: float = 10.0,
        max_response: int = 4096,
    ) -> None:
        self.allow_private = allow_private
        self.allow_http = allow_http
        self.timeout = timeout
        self.max_response = max_response
        self._lock = threading.Lock()
        self._idle: dict[Origin, list[_Connection]] = {}  # each origin's kept connections, the latest last

    # --- the checks: at registration (in PARS's words, naming the field) and for each new connection --------

    def check(self, url: str) -> None:
        """Raises WebhookRuleError (loc `url`) when a delivery to this URL would be refused."""
        try:
            _, host, port, _ = self._parse(check_url(url))
            self._resolve(host, port)
        except TransportError as error:
            raise WebhookRuleError(str(error), loc=("url",)) from None

    def _parse(self, url: str) -> tuple[str, str, int, str]:
        """(scheme, host, port, path with query)."""
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and self.allow_http):
            raise TransportError("the URL must start with https://")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.scheme, parts.hostname or "", port, path

    def _resolve(self, host: str, port: int) -> str:
        """The address to connect to, once every address the host resolves to has passed the check."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise TransportError(f"the host {host!r} cannot be found (DNS)") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise TransportError(f"the host {host!r} cannot be found (DNS)")
        if not self.allow_private:
            for address in addresses:
                why = refusal(address)
                if why is not None:
                    raise TransportError(
                        f"the host {host!r} resolves to {address}, {why}; webhooks are sent to public addresses only"
                    )
        return addresses[0]

    # --- the pool ----------------------------------------------------------------------------------------

    def _take(self, origin: Origin) -> _Connection | None:
        """A kept connection to this origin still young enough, or None (the expired ones are closed)."""
        with self._lock:
            idle = self._idle.get(origin, [])
            while idle:
                connection = idle.pop()
                if time.monotonic() - connection.opened < KEEP_SECONDS:
                    return connection
                connection.close()
        return None

    def _give_back(self, origin: Origin, connection: _Connection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < IDLE_PER_ORIGIN:
                idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Closes the kept connections."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    # --- each delivery -----------------------------------------------------------------------------------

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """One delivery, on a kept connection to the URL's origin when there is one."""
        scheme, host, port, path = self._parse(url)
        origin = (scheme, host, port)
        connection = self._take(origin)
        if connection is not None:
            try:
                return self._send(origin, connection, path, body, headers)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                pass  # the endpoint had closed the kept connection: send on a new one (at least once)
        kind = _TlsConnection if scheme == "https" else _Connection
        return self._send(origin, kind(host, port, self._resolve, self.timeout), path, body, headers, fresh=True)

    def _send(
        self,
        origin: Origin,
        connection: _Connection,
        path: str,
        body: bytes,
        headers: dict[str, str],
        fresh: bool = False,
    ) -> Answer:
        deadline = time.monotonic() + self.timeout * 2
        kept = False
        try:
            connection.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = connection.getresponse()
            answer = b""
            while len(answer) < self.max_response and time.monotonic() < deadline:
                chunk = response.read1(self.max_response - len(answer))  # what has arrived, at most the rest
                if not chunk:
                    break
                answer += chunk
            # Answered whole (all of its declared length read) and not closing: it may carry the next delivery.
            # A longer answer than we read, or one without a length, is not reused.
            whole = response.isclosed() or response.length == 0
            response.close()  # our reading of it (the socket stays with the connection)
            kept = whole and not response.will_close
            return Answer(response.status, answer.decode("utf-8", "replace"))
        except TransportError:
            raise  # refused at connect time
        except TimeoutError:
            raise TransportError(f"no answer within {self.timeout:g} s") from None
        except ssl.SSLError as error:
            raise TransportError(f"TLS failed: {error.reason or error}") from None
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as error:
            if not fresh:
                raise  # a kept connection the endpoint had closed: post() sends on a new one
            raise TransportError(f"could not deliver: {type(error).__name__}: {error}"[:300]) from None
        except (OSError, http.client.HTTPException) as error:
            raise TransportError(f"could not deliver: {type(error).__name__}: {error}"[:300]) from None
        finally:
            if kept:
                self._give_back(origin, connection)
            else:
                connection.close()
