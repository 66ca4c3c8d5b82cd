"""Fresh, empty databases for one measurement: a temp SQLite file, or a PostgreSQL database dropped afterwards."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

PG_ADMIN_URL = os.environ.get("PARS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """Yields a PARS_DATABASE_URL for `sqlite` or `postgres`; nothing of it is left afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="pars_bench_") as tmp:
            yield f"sqlite:///{tmp}/pars.sqlite"
        return
    with scratch_postgres(PG_ADMIN_URL, "pars_bench") as url:
        yield url


@contextmanager
def scratch_postgres(admin_url: str, prefix: str) -> Iterator[str]:
    """Yields the URL of a new, empty PostgreSQL database named `prefix_…` on the server of `admin_url`;
    dropped afterwards even if connections to it remain (benches and tests alike)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
