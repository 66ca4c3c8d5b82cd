"""Web sign-in sessions, in a table beside the event log: short-lived and revocable, not facts of the domain."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, String, Table, delete, insert, select, update

from adapters.db.database import Database
from adapters.db.tables import metadata

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the cookie value: a leaked table opens no session
    Column("account_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlSessions:
    """Server-side sessions: the cookie holds a random token, the table its digest; revoking is one update."""

    def __init__(self, db: Database, lifetime: timedelta = timedelta(hours=12)) -> None:
        self.db = db
        self.lifetime = lifetime

    def open(self, account_id: str) -> str:
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.db.engine.begin() as conn:
            # Sessions ended a day ago or more are of no use to anyone: each sign-in sweeps them.
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < now - timedelta(days=1)))
            conn.execute(
                insert(web_sessions).values(
                    digest=_digest(token), account_id=account_id, created_at=now, expires_at=now + self.lifetime
                )
            )
        return token

    def account_of(self, token: str) -> str | None:
        """The signed-in account, if the session is neither expired nor revoked."""
        with self.db.read_engine.connect() as conn:
            row = conn.execute(select(web_sessions).where(web_sessions.c.digest == _digest(token))).first()
        if row is None or row.revoked_at is not None or row.expires_at <= _now():
            return None
        return row.account_id

    def revoke(self, token: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(update(web_sessions).where(web_sessions.c.digest == _digest(token)).values(revoked_at=_now()))

    def end_all(self, account_id: str) -> int:
        """Deletes the account's sessions, ended or not (an erased account keeps no trace here)."""
        with self.db.engine.begin() as conn:
            return conn.execute(delete(web_sessions).where(web_sessions.c.account_id == account_id)).rowcount

    def revoke_all(self, account_id: str) -> int:
        with self.db.engine.begin() as conn:
            return conn.execute(
                update(web_sessions)
                .where(web_sessions.c.account_id == account_id, web_sessions.c.revoked_at.is_(None))
                .values(revoked_at=_now())
            ).rowcount
