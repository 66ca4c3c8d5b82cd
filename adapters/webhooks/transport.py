"""Outbound HTTP for webhooks, guarded against server-side request forgery.

Every call resolves the host, refuses it if any address it resolves to is not a global unicast address
(private, loopback, link-local, shared, reserved, multicast, unspecified; IPv4 inside IPv6 is unwrapped)
unless `allow_private` (tests, a private deployment) says otherwise, and then connects to the checked
address itself, so a second DNS answer cannot swap in another (rebinding). Plain `http://` needs
`allow_http`. No redirect is followed (a 3xx is an answer like any other, a failed delivery), each socket
operation times out, the whole call has a deadline, and at most `max_response` bytes of the answer are read.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from domain.webhook import WebhookRuleError, check_url
from services.webhook_sender import Answer, TransportError

KEEP_SECONDS = 30.0
#: In this order: the most telling words first (a link-local address is private too).
ADDRESS_WORDS = {
    "loopback": "a loopback address",
    "link_local": "a link-local address",
    "unspecified": "an unspecified address",
    "multicast": "a multicast address",
    "private": "a private address",
    "reserved": "a reserved address",
}


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
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _TlsConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


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
        self._local = threading.local()  # each worker thread's open connections: {url: (connection, opened)}

    # --- at registration: the same checks, in PARS's words, naming the field -----------------------

    def check(self, url: str) -> None:
        """Raises WebhookRuleError (loc `url`) when a delivery to this URL would be refused."""
        try:
            self._target(check_url(url))
        except TransportError as error:
            raise WebhookRuleError(str(error), loc=("url",)) from None

    def _target(self, url: str) -> tuple[str, str, int, str, str]:
        """(scheme, host, port, path with query, the checked address to connect to)."""
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and self.allow_http):
            raise TransportError("the URL must start with https://")
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
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
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return parts.scheme, host, port, path, addresses[0]

    # --- each delivery --------------------------------------------------------------------------------

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """One delivery. A connection is kept open for the next delivery to the same URL from this thread
        (HTTP/1.1 keep-alive) for at most KEEP_SECONDS: the address is checked again when it is reopened."""
        connections: dict[str, tuple[http.client.HTTPConnection, float]] = self._local.__dict__.setdefault(
            "connections", {}
        )
        kept = connections.pop(url, None)
        if kept is not None and time.monotonic() - kept[1] < KEEP_SECONDS:
            connection, opened = kept
        else:
            if kept is not None:
                kept[0].close()
            scheme, host, port, _, address = self._target(url)
            kind = _TlsConnection if scheme == "https" else _Connection
            connection, opened = kind(host, port, address, self.timeout), time.monotonic()
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        deadline = time.monotonic() + self.timeout * 2
        try:
            connection.request("POST", path, body=body, headers={**headers, "Content-Length": str(len(body))})
            response = connection.getresponse()
            answer = b""
            while len(answer) < self.max_response and time.monotonic() < deadline:
                chunk = response.read1(self.max_response - len(answer))  # what has arrived, at most the rest
                if not chunk:
                    break
                answer += chunk
            if response.isclosed() and not response.will_close:
                connections[url] = (connection, opened)  # answered whole: the connection may carry the next
            else:
                connection.close()  # a longer answer than we read, or the endpoint closes: not reused
            return Answer(response.status, answer.decode("utf-8", "replace"))
        except TimeoutError:
            connection.close()
            raise TransportError(f"no answer within {self.timeout:g} s") from None
        except ssl.SSLError as error:
            connection.close()
            raise TransportError(f"TLS failed: {error.reason or error}") from None
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            if kept is not None and isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError)):
                return self.post(url, body, headers)  # the kept connection had been closed by the endpoint
            raise TransportError(f"could not deliver: {type(error).__name__}: {error}"[:300]) from None
