"""Sign-in pages over HTTP: redirects, cookie flags, CSRF, lock-out, one-time links, sign-out, profile."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient

from adapters.app import create_app
from tests.web.helpers import (
    PASSWORD,
    activate,
    csrf_of,
    invite,
    last_link,
    mails,
    post_form,
    sign_in,
)


def errors_beside(html: str) -> dict[str, str]:
    """{field id: message} of the errors shown beside fields."""
    return {k: unescape(v) for k, v in re.findall(r'<p id="e-([\w-]+)" class="field-error">([^<]+)</p>', html)}


def test_pages_need_a_session_and_come_back_after_sign_in(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    answer = pages.get("/profile")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=/profile"
    activate(web_system, mail_dir, "ann@accme.org")
    page = pages.get("/sign-in?next=/profile")
    done = pages.post(
        "/sign-in",
        data={"email": "ann@accme.org", "password": PASSWORD, "next": "/profile", "csrf_token": csrf_of(page.text)},
    )
    assert done.status_code == 303 and done.headers["location"] == "/profile"
    cookie = done.headers["set-cookie"]
    assert "pars_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "ann@accme.org" in pages.get("/profile").text


def test_the_session_cookie_is_secure_behind_https(web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "ann@accme.org")
    with TestClient(create_app(web_system), base_url="https://testserver", follow_redirects=False) as client:
        assert "Secure" in sign_in(client, "ann@accme.org").headers["set-cookie"]


def test_next_never_leads_off_the_site(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "ann@accme.org")
    page = pages.get("/sign-in")
    done = pages.post(
        "/sign-in",
        data={
            "email": "ann@accme.org",
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": csrf_of(page.text),
        },
    )
    assert done.headers["location"] == "/accreditor"


def test_wrong_passwords_are_said_beside_the_field_and_the_fifth_locks(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "bo@acme.org", "provider", provider="0001234")
    answer = sign_in(pages, "bo@acme.org", "wrong password")
    assert answer.status_code == 401
    # The same words as for an address with no account: nobody learns which accounts exist.
    assert errors_beside(answer.text)["password"] == "the email address or the password is wrong"
    assert 'aria-invalid="true" aria-describedby="e-password"' in answer.text
    unknown = sign_in(pages, "nobody@acme.org", "wrong password")
    assert (
        unknown.status_code == 401
        and errors_beside(unknown.text)["password"] == "the email address or the password is wrong"
    )
    for _ in range(3):
        sign_in(pages, "bo@acme.org", "wrong password")
    locked = sign_in(pages, "bo@acme.org", "wrong password")
    assert locked.status_code == 429 and "locked for 15 more minutes" in errors_beside(locked.text)["password"]
    assert sign_in(pages, "bo@acme.org").status_code == 429
    # From another address the owner still signs in: the pause is for that email from that address.
    with TestClient(create_app(web_system), follow_redirects=False, client=("203.0.113.20", 50000)) as elsewhere:
        assert sign_in(elsewhere, "bo@acme.org").status_code == 303
    empty = pages.post("/sign-in", data={"csrf_token": csrf_of(pages.get("/sign-in").text)})
    assert empty.status_code == 422 and set(errors_beside(empty.text)) == {"email", "password"}


def test_every_post_needs_this_sessions_csrf_token(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "ann@accme.org")
    assert pages.post("/sign-in", data={"email": "ann@accme.org", "password": PASSWORD}).status_code == 403
    sign_in(pages, "ann@accme.org")
    stale = csrf_of(pages.get("/profile").text)
    for data in ({"name": "Ann"}, {"name": "Ann", "csrf_token": "forged"}):
        answer = pages.post("/profile", data=data)
        assert answer.status_code == 403 and "This form has expired" in answer.text
    other = TestClient(create_app(web_system), follow_redirects=False)
    with other:
        sign_in(other, "ann@accme.org")
        assert (
            other.post("/profile", data={"name": "Ann", "csrf_token": stale}).status_code == 403
        )  # another session's token
    assert pages.post("/profile", data={"name": "Ann Again", "csrf_token": stale}).status_code == 303


def test_sign_out_revokes_the_session_on_the_server(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "ann@accme.org")
    sign_in(pages, "ann@accme.org")
    cookie = pages.cookies.get("pars_session")
    assert post_form(pages, "/profile", "/sign-out", {}).headers["location"] == "/sign-in"
    pages.cookies.set("pars_session", cookie)  # a copy of the old cookie opens nothing
    assert pages.get("/profile").status_code == 303


def test_the_invitation_link_page_works_once(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    invite(web_system, "cy@acme.org", "provider", provider="0001234")
    link = last_link(mail_dir, "cy@acme.org")
    page = pages.get(link)
    assert page.status_code == 200 and "cy@acme.org" in page.text
    token = link.split("token=")[1]
    short = pages.post(
        "/set-password",
        data={"token": token, "password": "short", "confirm": "short", "csrf_token": csrf_of(page.text)},
    )
    assert short.status_code == 422 and errors_beside(short.text)["password"] == "use at least 12 characters"
    differ = pages.post(
        "/set-password",
        data={"token": token, "password": PASSWORD, "confirm": PASSWORD + "x", "csrf_token": csrf_of(page.text)},
    )
    assert errors_beside(differ.text)["password"] == "the two passwords are not the same"
    done = pages.post(
        "/set-password",
        data={"token": token, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert done.status_code == 303 and "Your password is saved" in pages.get("/sign-in").text
    again = pages.get(link)
    assert again.status_code == 410 and "already been used" in again.text
    assert pages.get("/set-password?token=garbage").status_code == 410


def test_forgot_password_says_the_same_whoever_asks(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "di@acme.org")
    for email in ("nobody@acme.org", "di@acme.org"):
        answer = post_form(pages, "/forgot-password", "/forgot-password", {"email": email})
        assert answer.status_code == 200 and "If <strong>" in answer.text
    assert [m["To"] for m in mails(mail_dir)] == ["di@acme.org", "di@acme.org"]
    assert mails(mail_dir)[-1]["Subject"] == "PARS: reset your password"


def test_profile_errors_sit_beside_the_field(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    activate(web_system, mail_dir, "ann@accme.org")
    sign_in(pages, "ann@accme.org")
    bad = post_form(pages, "/profile", "/profile", {"name": "", "title": "Director"})
    assert bad.status_code == 422 and errors_beside(bad.text) == {"name": "name is required"}
    post_form(pages, "/profile", "/profile", {"name": "Ann Lee", "title": "Director", "phone": "615-555-0100"})
    page = pages.get("/profile").text
    assert 'value="Director"' in page and "Your profile is saved." in page


def test_pages_forbid_framing_and_foreign_scripts_and_a_new_sign_in_replaces_the_session(
    pages, web_system, mail_dir: Path
):  # type: ignore[no-untyped-def]
    page = pages.get("/sign-in")
    assert (
        page.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )
    assert page.headers["referrer-policy"] == "same-origin"
    activate(web_system, mail_dir, "ann@accme.org")
    sign_in(pages, "ann@accme.org")
    first = pages.cookies.get("pars_session")
    sign_in(pages, "ann@accme.org")
    assert pages.cookies.get("pars_session") != first
    assert web_system.sessions.account_of(first) is None
