"""Mailed links (invitations, set-password, reset) start at PARS_PUBLIC_URL, never at the request's Host header."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.cli.main import app as cli
from adapters.cli.serve import serve_address
from adapters.cli.system import system_or_exit
from adapters.settings import DEFAULT_PUBLIC_URL, Settings
from tests.web.helpers import activate, csrf_of, mails, sign_in

FORGED = {"host": "evil.example"}
PUBLIC = "https://pars.accme.example/app"


def links_to(mail_dir: Path, to: str) -> list[str]:
    """Every link of the newest message to `to`."""
    newest = [m for m in mails(mail_dir) if m["To"] == to][-1]
    return re.findall(r"https?://\S+", newest.get_content())


@pytest.fixture
def public_system(sqlite_url: str, mail_dir: Path) -> Iterator[System]:
    system = bootstrap(
        Settings(
            database_url=sqlite_url,
            secret_key="test-secret-key",
            mail=f"file:{mail_dir}",
            fast_password_hashing=True,
            public_url=PUBLIC + "/",
        )
    )
    yield system
    system.close()


def test_a_reset_asked_with_a_forged_host_mails_a_link_to_the_public_url(public_system: System, mail_dir: Path) -> None:
    activate(public_system, mail_dir, "ann@accme.org")
    with TestClient(create_app(public_system), follow_redirects=False) as pages:
        page = pages.get("/forgot-password", headers=FORGED)
        sent = pages.post(
            "/forgot-password", data={"email": "ann@accme.org", "csrf_token": csrf_of(page.text)}, headers=FORGED
        )
    assert sent.status_code == 200
    reset = links_to(mail_dir, "ann@accme.org")
    assert reset and all(u.startswith(PUBLIC + "/") for u in reset), reset
    assert not any("evil.example" in m.get_content() for m in mails(mail_dir))


def test_invitations_sent_from_a_page_with_a_forged_host_link_to_the_public_url(
    public_system: System, mail_dir: Path
) -> None:
    activate(public_system, mail_dir, "tia@tn.gov", state="TN")
    with TestClient(create_app(public_system), follow_redirects=False) as pages:
        sign_in(pages, "tia@tn.gov")
        page = pages.get("/accreditor/users", headers=FORGED)
        done = pages.post(
            "/accreditor/users",
            headers=FORGED,
            data={"role": "accreditor", "name": "Tom Staff", "email": "tom@tn.gov", "csrf_token": csrf_of(page.text)},
        )
    assert done.status_code == 303
    invitation = links_to(mail_dir, "tom@tn.gov")
    assert any("/set-password?token=" in u for u in invitation)
    assert all(u.startswith(PUBLIC + "/") for u in invitation), invitation


def test_without_public_url_links_point_to_the_default_address_not_the_host_header(
    web_system: System, pages: TestClient, mail_dir: Path
) -> None:
    activate(web_system, mail_dir, "ann@accme.org")
    page = pages.get("/forgot-password")
    pages.post("/forgot-password", data={"email": "ann@accme.org", "csrf_token": csrf_of(page.text)}, headers=FORGED)
    reset = links_to(mail_dir, "ann@accme.org")
    assert reset and all(u.startswith(DEFAULT_PUBLIC_URL + "/") for u in reset), reset


@pytest.mark.parametrize(
    "bad", ["ftp://pars.example", "pars.example", "https://", "https://pars.example/?next=x", "https://u@pars.example"]
)
def test_a_malformed_public_url_is_refused_at_start(bad: str) -> None:
    with pytest.raises(ValidationError, match="PARS_PUBLIC_URL"):
        Settings(public_url=bad)


def test_pars_serve_makes_its_own_address_the_default(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARS_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PARS_SECRET_KEY", "test-secret-key")
    monkeypatch.delenv("PARS_PUBLIC_URL", raising=False)
    assert serve_address("0.0.0.0", 8080) == "http://127.0.0.1:8080"
    assert serve_address("::1", 8080) == "http://[::1]:8080"
    with system_or_exit(serve_address("pars.internal", 9000)) as system:
        assert system.settings.public_base() == "http://pars.internal:9000"
    monkeypatch.setenv("PARS_PUBLIC_URL", PUBLIC)  # the operator's setting wins over the listening address
    with system_or_exit(serve_address("pars.internal", 9000)) as system:
        assert system.settings.public_base() == PUBLIC


def test_pars_admin_create_user_prints_a_link_at_the_public_url(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARS_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PARS_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("PARS_MAIL", f"file:{tmp_path / 'mail'}")
    monkeypatch.setenv("PARS_FAST_PASSWORD_HASHING", "1")
    monkeypatch.setenv("PARS_PUBLIC_URL", PUBLIC)
    result = CliRunner().invoke(cli, ["admin", "create-user", "--email", "ann@accme.org", "--name", "Ann"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith(PUBLIC + "/set-password?token=")
