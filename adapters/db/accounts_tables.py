"""Tables of the accounts projection (the web accounts read model). Password hashes, sessions and the
sign-in throttle are kept beside the event log, each in its store (credential_store.py, session_store.py,
throttle_store.py)."""

from sqlalchemy import Column, Index, String, Table

from adapters.db.tables import Json, metadata

web_accounts = Table(
    "web_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("email", String(200), nullable=False, unique=True),
    Column("tenant", String(60), nullable=False),
    Column("doc", Json, nullable=False),
    Index("ix_web_accounts_tenant", "tenant"),
)

#: The tables an erased learner's account leaves rows in (deleted, then purged from the files).
ACCOUNT_TABLES = ("web_accounts", "account_credentials", "web_sessions")
