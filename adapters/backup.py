"""`pars admin backup FILE` / `pars admin restore FILE`: a consistent copy of the whole store —
events, snapshots, read models and their positions, learner keys, password hashes, sessions —
and putting it back.

SQLite: the online backup API (`sqlite3.Connection.backup`), a consistent snapshot while `pars
serve` keeps writing, copied page by page into a new file that is renamed into place at the end.
PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot) and `pg_restore` into the
database of PARS_DATABASE_URL. A restore refuses a store that holds events unless told to replace
it, and never runs beside `pars serve` or a worker writing to the same store (stop them first).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from adapters.db.database import DatabaseUrl

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
#: The event table of each persistence module (services/store.py names the application PARS).
SQLITE_EVENTS = "stored_events"
PG_EVENTS = "pars_events"


class BackupError(Exception):
    """Raised with a message for the operator when a backup or a restore cannot be made."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    bytes: int
    kind: str  # "sqlite" or "pg_dump"


def backup(url: DatabaseUrl, target: Path) -> BackupFile:
    """Writes a consistent copy of the store to `target` (a new file beside it first, renamed at the end:
    never half a backup under the name asked for)."""
    target = target.resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a directory; name the backup file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        kind = _sqlite_backup(url, partial) if url.is_sqlite else _pg_dump(url, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupFile(target, target.stat().st_size, kind)


def restore(url: DatabaseUrl, source: Path, *, replace: bool = False) -> BackupFile:
    """Puts the backup in `source` into the store of `url`; refuses a store holding events unless `replace`."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    with source.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    expected = SQLITE_MAGIC if url.is_sqlite else PG_DUMP_MAGIC
    if not head.startswith(expected):
        made_by = (
            "pars admin backup on SQLite"
            if url.is_sqlite
            else "pars admin backup on PostgreSQL (pg_dump --format=custom)"
        )
        raise BackupError(
            f"{source} is not a backup made by {made_by}, which this store ({'SQLite' if url.is_sqlite else 'PostgreSQL'}) needs"
        )
    events = _sqlite_events(url) if url.is_sqlite else _pg_events(url)
    if events and not replace:
        raise BackupError(
            f"the store at PARS_DATABASE_URL already holds {events} events; restoring would replace them. "
            "Stop pars serve and the workers, then run again with --replace"
        )
    kind = _sqlite_restore(url, source) if url.is_sqlite else _pg_restore(url, source)
    return BackupFile(source, source.stat().st_size, kind)


# --- SQLite ------------------------------------------------------------------------------------


def _sqlite_backup(url: DatabaseUrl, partial: Path) -> str:
    path = Path(url.sqlite_path)
    if not path.is_file():
        raise BackupError(f"no store at {path}")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        if not _has_table(src, SQLITE_EVENTS):
            raise BackupError(f"{path} is not a PARS store (no {SQLITE_EVENTS} table)")
        src.backup(dst)  # the online backup API: one consistent snapshot, writers carry on
    finally:
        dst.close()
        src.close()
    return "sqlite"


def _sqlite_restore(url: DatabaseUrl, source: Path) -> str:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is damaged (SQLite quick_check failed)")
        if not _has_table(src, SQLITE_EVENTS):
            raise BackupError(f"{source} is not a PARS backup (no {SQLITE_EVENTS} table)")
        path = Path(url.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(path, timeout=30)
        try:
            src.backup(dst)  # replaces every page of the store, under its write lock
        finally:
            dst.close()
    finally:
        src.close()
    return "sqlite"


def _sqlite_events(url: DatabaseUrl) -> int:
    path = Path(url.sqlite_path)
    if not path.is_file():
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return (
            conn.execute(f"SELECT count(*) FROM {SQLITE_EVENTS}").fetchone()[0]
            if _has_table(conn, SQLITE_EVENTS)
            else 0
        )
    finally:
        conn.close()


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


# --- PostgreSQL --------------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client (Debian: apt-get install postgresql-client)"
        )
    return found


def _libpq_url(url: DatabaseUrl) -> str:
    return "postgresql://" + url.raw.split("://", 1)[1]


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # The tools' own words (they name the table or the connection problem); never the URL's password.
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _pg_dump(url: DatabaseUrl, partial: Path) -> str:
    if not _pg_events_table(url):
        raise BackupError(f"the database of PARS_DATABASE_URL is not a PARS store (no {PG_EVENTS} table)")
    # --format=custom: compressed, and pg_restore can restore it into any empty database.
    _run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={partial}",
            f"--dbname={_libpq_url(url)}",
        ]
    )
    return "pg_dump"


def _pg_restore(url: DatabaseUrl, source: Path) -> str:
    # --clean --if-exists: a database `pars` already opened has PARS's (empty) tables; they are replaced.
    # --single-transaction: all or nothing.
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_libpq_url(url)}",
            str(source),
        ]
    )
    return "pg_dump"


def _pg_events_table(url: DatabaseUrl) -> bool:
    with psycopg.connect(_libpq_url(url), connect_timeout=10) as conn:
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (PG_EVENTS,)).fetchone()
        assert row is not None  # a SELECT without FROM answers one row
        return bool(row[0])


def _pg_events(url: DatabaseUrl) -> int:
    try:
        if not _pg_events_table(url):
            return 0
        with psycopg.connect(_libpq_url(url), connect_timeout=10) as conn:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(PG_EVENTS))).fetchone()
            assert row is not None  # count(*) answers one row
            return int(row[0])
    except psycopg.OperationalError as error:
        raise BackupError(f"cannot reach the database of PARS_DATABASE_URL: {error}") from None
