"""Helpers for the web page tests: mail links, CSRF tokens from pages, signed-in clients."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from adapters.bootstrap import System
from commands.accounts import InviteAccount, SetPassword
from domain.account import Account
from domain.base import Acting, Channel

BY = Acting("cli:tester", Channel.CLI)
PASSWORD = "correct horse battery staple"


def mails(directory: Path) -> list[Any]:
    """Every message in the file mailer's directory, oldest first."""
    return [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in sorted(directory.glob("*.eml"))]


def last_link(directory: Path, to: str) -> str:
    """The set-password link (path and query) of the newest message to `to`."""
    for message in reversed(mails(directory)):
        if message["To"] == to:
            match = re.search(r"https?://[^/\s]+(/set-password\?token=\S+)", message.get_content())
            assert match, message.get_content()
            return match[1]
    raise AssertionError(f"no mail to {to}")


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match[1]


def invite(system: System, email: str, role: str = "accreditor", **scope: str) -> Account:
    return system.accounts.handle(
        InviteAccount(
            email=email,
            name=email.split("@")[0].title(),
            role=role,
            tenant=Account.tenant_of(role, **scope),
            base_url="http://testserver",
        ),
        BY,
    )


def activate(system: System, mail_dir: Path, email: str, role: str = "accreditor", **scope: str) -> Account:
    """An account with its password set (through the invitation link, as a person would)."""
    invite(system, email, role, **scope)
    token = last_link(mail_dir, email).split("token=", 1)[1]
    return system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))


def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/sign-in")
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def post_form(client: Any, page_url: str, action: str, data: dict[str, Any], **kw: Any) -> Any:
    """Loads the page (for its CSRF token), then posts the form to `action`."""
    page = client.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    return client.post(action, data={**data, "csrf_token": csrf_of(page.text)}, follow_redirects=False, **kw)
