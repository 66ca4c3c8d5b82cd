"""PARS_MAX_UPLOAD_MB is enforced on the bytes actually received, on every upload route, and bodies
nobody may send are refused before they are read.

The refusal tests drive the ASGI app directly with a `receive` that hands out a chunked body (no
Content-Length) 64 KB at a time and counts what the app pulled, so "not read" is measured, not assumed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import adapters.batch as batch
from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from adapters.tokens import issue_token
from bench.activities_import import make_items
from tests.web.helpers import activate, csrf_of, sign_in

ACCME_ID = "0001234"
MB = 1024 * 1024
CHUNK = 64 * 1024


@pytest.fixture
def small_system(sqlite_url: str, tmp_path: Path) -> Iterator[System]:
    """A system that reads at most 1 MB of any request (PARS_MAX_UPLOAD_MB=1), with provider 0001234."""
    system = bootstrap(
        Settings(
            database_url=sqlite_url,
            secret_key="test-secret-key",
            mail=f"file:{tmp_path / 'mail'}",
            fast_password_hashing=True,
            max_upload_mb=1,
        )
    )
    yield system
    system.close()


@pytest.fixture
def client(small_system: System) -> Iterator[TestClient]:
    with TestClient(create_app(small_system), raise_server_exceptions=False, follow_redirects=False) as test_client:
        made = test_client.post(
            "/api/v1/providers",
            headers=bearer(small_system, "accreditor"),
            json={
                "accme_id": ACCME_ID,
                "name": "Acme CME",
                "accreditor": "ACCME",
                "primary_contact": {"name": "Ann Lee", "email": "ann@acme.org"},
            },
        )
        assert made.status_code == 201, made.text
        yield test_client


def bearer(system: System, role: str, **scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}


def tab_file(size: int) -> bytes:
    """A tab-delimited file of valid activities, at least `size` bytes."""
    data = batch.render("tab", make_items(size // 300 + 2))  # a row is more than 300 bytes
    assert len(data) >= size
    return data


def chunked(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK):
        yield data[start : start + CHUNK]


def drive(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, dict[str, str], bytes, int]:
    """One request through the ASGI app with a chunked body; (status, headers, body, bytes the app pulled)."""
    chunks = list(chunked(body))
    pulled = 0
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if not chunks:
            await asyncio.sleep(3600)  # a client still sending: nothing more arrives during the test
        chunk = chunks.pop(0)
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    path_only, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path_only,
        "raw_path": path_only.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=60))
    return answer["status"], answer["headers"], answer["body"], pulled


def assert_too_large(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 413
    assert headers["content-type"] == "application/problem+json"
    assert "1 MB" in json.loads(body)["detail"]


def test_settings_read_the_limit_in_megabytes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().max_upload_bytes == 256 * MB
    monkeypatch.setenv("PARS_MAX_UPLOAD_MB", "3")
    assert Settings().max_upload_bytes == 3 * MB
    monkeypatch.setenv("PARS_MAX_UPLOAD_MB", "0")
    with pytest.raises(ValueError, match="PARS_MAX_UPLOAD_MB"):
        Settings()


@pytest.mark.parametrize("route", ["activities/batch", "completions/batch"])
def test_a_chunked_batch_upload_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, small_system: System, route: str
) -> None:
    data = tab_file(MB + 1)
    status, headers, body, pulled = drive(
        client.app,
        "POST",
        f"/api/v1/providers/{ACCME_ID}/{route}",
        {**bearer(small_system, "provider", provider=ACCME_ID), "content-type": "text/plain"},
        data,
    )
    assert_too_large(status, headers, body)
    assert pulled <= MB + CHUNK  # reading stopped at the limit
    assert small_system.activities.list(ACCME_ID) == []


def test_a_claimed_content_length_over_the_limit_is_413_before_reading(
    client: TestClient, small_system: System
) -> None:
    headers = {**bearer(small_system, "provider", provider=ACCME_ID), "content-length": str(MB + 1)}
    status, answer_headers, body, pulled = drive(
        client.app, "POST", f"/api/v1/providers/{ACCME_ID}/activities/batch", headers, tab_file(MB + 1)
    )
    assert_too_large(status, answer_headers, body)
    assert pulled == 0


def test_a_chunked_accme_web_service_body_over_the_limit_is_413(client: TestClient, small_system: System) -> None:
    item = {"Lom": {"general": {"title": "x" * 1000}}}
    data = json.dumps({"ACCMEActivities": {"MedicalEducationMetrics": [item] * 1100}}).encode()
    assert len(data) > MB
    status, headers, body, _ = drive(
        client.app,
        "POST",
        "/accme/activities",
        {**bearer(small_system, "provider", provider=ACCME_ID), "content-type": "application/json"},
        data,
    )
    assert_too_large(status, headers, body)
    assert small_system.activities.list(ACCME_ID) == []


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (f"/api/v1/providers/{ACCME_ID}/activities/batch", "text/plain"),
        (f"/api/v1/providers/{ACCME_ID}/completions/batch", "text/plain"),
        ("/accme/activities", "application/json"),
        ("/accme/learner-activities", "application/json"),
    ],
)
def test_a_body_without_a_valid_token_is_refused_before_it_is_read(
    client: TestClient, small_system: System, path: str, content_type: str
) -> None:
    data = b"{" + b" " * (512 * 1024)
    for headers, expected in (
        ({}, 401),
        ({"authorization": "Bearer forged.token"}, 401),
        (bearer(small_system, "auditor"), 403),
    ):
        status, answer_headers, body, pulled = drive(
            client.app, "POST", path, {**headers, "content-type": content_type}, data
        )
        assert status == expected, (path, headers, body)
        assert answer_headers["content-type"] == "application/problem+json"
        assert pulled == 0, (path, headers)


@pytest.mark.parametrize("route", ["activities/batch", "completions/batch"])
def test_another_providers_token_is_refused_before_the_file_is_read(
    client: TestClient, small_system: System, route: str
) -> None:
    status, _, body, pulled = drive(
        client.app,
        "POST",
        f"/api/v1/providers/{ACCME_ID}/{route}",
        {**bearer(small_system, "provider", provider="0009999"), "content-type": "text/plain"},
        tab_file(300_000),
    )
    assert status == 404 and b"Acme" not in body
    assert pulled == 0


def test_an_anonymous_post_to_sign_in_is_refused_before_it_is_read(client: TestClient) -> None:
    status, _, _, pulled = drive(
        client.app,
        "POST",
        "/sign-in",
        {"content-type": "application/x-www-form-urlencoded"},
        b"email=" + b"a" * 600_000,
    )
    assert status == 403
    assert pulled == 0


def test_a_page_form_is_limited_to_a_megabyte_even_with_a_cookie_and_a_valid_token(
    client: TestClient, small_system: System
) -> None:
    small_system.settings.max_upload_mb = 8  # the pages' forms stay at 1 MB whatever the upload limit
    app = create_app(small_system)
    page = client.get("/sign-in")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    token = csrf_of(page.text)
    body = f"csrf_token={token}&email=".encode() + b"a" * (MB + CHUNK)
    status, headers, answer, pulled = drive(
        app, "POST", "/sign-in", {"content-type": "application/x-www-form-urlencoded", "cookie": cookie}, body
    )
    assert_too_large(status, headers, answer)
    assert pulled <= MB + CHUNK
    content_type, body = multipart([("csrf_token", None, token.encode()), ("file", "big.bin", b"a" * (2 * MB))])
    status, headers, answer, pulled = drive(
        app, "POST", "/sign-in", {"content-type": content_type, "cookie": cookie}, body
    )
    assert_too_large(status, headers, answer)
    assert pulled <= MB + CHUNK


@pytest.fixture
def signed_in(client: TestClient, small_system: System, tmp_path: Path) -> TestClient:
    activate(small_system, tmp_path / "mail", "ann@acme.org", "provider", provider=ACCME_ID)
    assert sign_in(client, "ann@acme.org").status_code == 303
    return client


def multipart(fields: list[tuple[str, str | None, bytes]]) -> tuple[str, bytes]:
    boundary = "pars-test-boundary"
    parts = []
    for name, filename, value in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        parts.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_a_web_upload_over_the_limit_is_413_and_nothing_is_stored(signed_in: TestClient, small_system: System) -> None:
    uploads = f"/provider/{ACCME_ID}/uploads"
    token = csrf_of(signed_in.get(uploads).text)
    content_type, body = multipart([("csrf_token", None, token.encode()), ("file", "big.txt", tab_file(MB + 1))])
    cookie = "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items())
    status, headers, answer, _ = drive(
        signed_in.app, "POST", f"{uploads}/activities", {"content-type": content_type, "cookie": cookie}, body
    )
    assert_too_large(status, headers, answer)
    assert small_system.activities.list(ACCME_ID) == []
    # Under the limit, the same form stores the file (through the same first-part CSRF check).
    content_type, body = multipart([("csrf_token", None, token.encode()), ("file", "small.txt", tab_file(10_000))])
    status, _, answer, _ = drive(
        signed_in.app, "POST", f"{uploads}/activities", {"content-type": content_type, "cookie": cookie}, body
    )
    assert status == 200 and small_system.activities.list(ACCME_ID), answer.decode()[-3000:]


def test_a_web_upload_without_its_csrf_token_first_is_refused_after_a_peek(
    signed_in: TestClient, small_system: System
) -> None:
    uploads = f"/provider/{ACCME_ID}/uploads"
    cookie = "; ".join(f"{k}={v}" for k, v in signed_in.cookies.items())
    for fields in (
        [("file", "a.txt", tab_file(900_000))],
        [("csrf_token", None, b"forged"), ("file", "a.txt", tab_file(900_000))],
    ):
        content_type, body = multipart(fields)
        status, _, _, pulled = drive(
            signed_in.app, "POST", f"{uploads}/activities", {"content-type": content_type, "cookie": cookie}, body
        )
        assert status == 403
        assert pulled <= CHUNK  # the first part only, never the file
    assert small_system.activities.list(ACCME_ID) == []


def test_a_body_request_reads_its_token_from_the_database_once(
    client: TestClient, small_system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit checks the token before the body is read; the route then reuses that check, not a second read."""
    checks: list[Any] = []
    refusal = small_system.tokens.refusal
    monkeypatch.setattr(
        small_system.tokens, "refusal", lambda principal: checks.append(principal) or refusal(principal)
    )
    answer = client.put(
        f"/api/v1/providers/{ACCME_ID}/contacts/billing",
        headers=bearer(small_system, "provider", provider=ACCME_ID),
        json={"name": "Bo Chen", "title": "Controller", "email": "bo@acme.org", "phone": "615-555-0100"},
    )
    assert answer.status_code == 200, answer.text
    assert len(checks) == 1
