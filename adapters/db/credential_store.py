"""Password hashes by account, in a table beside the event log: secrets never go into the
immutable, published log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, String, Table, Text, delete, insert, select

from adapters.db.database import Database
from adapters.db.tables import metadata

account_credentials = Table(
    "account_credentials",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SqlCredentials:
    """Argon2 hashes by account id (see the module docstring for why they are not events)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, account_id: str) -> str | None:
        with self.db.read_engine.connect() as conn:
            return conn.execute(
                select(account_credentials.c.password_hash).where(account_credentials.c.account_id == account_id)
            ).scalar()

    def put(self, account_id: str, password_hash: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(account_credentials).where(account_credentials.c.account_id == account_id))
            conn.execute(
                insert(account_credentials).values(
                    account_id=account_id, password_hash=password_hash, updated_at=_now()
                )
            )

    def delete(self, account_id: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(account_credentials).where(account_credentials.c.account_id == account_id))
