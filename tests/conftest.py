"""Shared fixtures: a fresh store per test on SQLite (a temp file) or PostgreSQL (its own database).

PostgreSQL tests skip with a clear message on a laptop without a server; under CI=true a
skipped PostgreSQL or Kafka test fails the run (see pytest_sessionfinish below).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from adapters.tokens import issue_token

PG_ADMIN_URL = os.environ.get("PARS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ENFORCED_MARKERS = ("postgres", "kafka", "browser")
_skipped_enforced: list[str] = []
_pg_available: bool | None = None


def postgres_available() -> bool:
    global _pg_available  # noqa: PLW0603 - asked once per test process
    if _pg_available is None:
        try:
            with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
                _pg_available = True
        except psycopg.Error:
            _pg_available = False
    return _pg_available


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test alone; dropped afterwards."""
    if not postgres_available():
        pytest.skip(
            f"PostgreSQL is not answering at {PG_ADMIN_URL}; start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
            "or set PARS_TEST_POSTGRES_URL"
        )
    name = f"pars_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pars.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


def make_system(url: str) -> System:
    return bootstrap(
        Settings(database_url=url, secret_key="test-secret-key", mail="file:var/mail", fast_password_hashing=True)
    )


@pytest.fixture
def any_system(database_url: str) -> Iterator[System]:
    """The system on each backend in turn."""
    system = make_system(database_url)
    yield system
    system.close()


@pytest.fixture
def system(sqlite_url: str) -> Iterator[System]:
    """The system on the embedded default (SQLite)."""
    system = make_system(sqlite_url)
    yield system
    system.close()


@pytest.fixture
def client(system: System) -> Iterator[TestClient]:
    with TestClient(create_app(system), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def token(system: System):  # type: ignore[no-untyped-def]
    """token(role, **scope) -> Authorization header for that principal."""

    def make(role: str, **scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(system.secret, role, **scope)}"}

    return make


# --- CI: skipped PostgreSQL or Kafka tests fail the run ------------------------------------


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and any(m in report.keywords for m in ENFORCED_MARKERS):
        _skipped_enforced.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes") and _skipped_enforced:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not _skipped_enforced:
        return
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    verdict = "FAILING the run because CI=true" if ci else "allowed outside CI"
    terminalreporter.write_sep("!", f"{len(_skipped_enforced)} PostgreSQL/Kafka/browser test(s) skipped: {verdict}")
    for nodeid in _skipped_enforced[:10]:
        terminalreporter.write_line(f"  skipped: {nodeid}")
