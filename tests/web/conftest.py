"""Fixtures of the web page tests: a system whose mail goes to a temporary folder, and a page client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings


def make_web_system(url: str, mail_dir: Path) -> System:
    return bootstrap(
        Settings(database_url=url, secret_key="test-secret-key", mail=f"file:{mail_dir}", fast_password_hashing=True)
    )


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def web_system(sqlite_url: str, mail_dir: Path) -> Iterator[System]:
    system = make_web_system(sqlite_url, mail_dir)
    yield system
    system.close()


@pytest.fixture
def pages(web_system: System) -> Iterator[TestClient]:
    """A browser-like client of the pages (cookies kept, redirects not followed unless asked)."""
    with TestClient(create_app(web_system), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client
