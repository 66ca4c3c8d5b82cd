"""The system with its issuer keys in the test's own folder (rotation writes there)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings

PUBLIC_URL = "https://pars.example.org"


def settings(url: str, keys: Path) -> Settings:
    return Settings(
        database_url=url,
        secret_key="test-secret-key",
        mail="file:var/mail",
        fast_password_hashing=True,
        public_url=PUBLIC_URL,
        issuer_key_dir=str(keys),
    )


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "issuer_keys"


@pytest.fixture
def system(sqlite_url: str, keys_dir: Path) -> Iterator[System]:
    system = bootstrap(settings(sqlite_url, keys_dir))
    yield system
    system.close()
