"""Web accounts: the accounts read model, and two tables kept outside the event log on purpose:
password hashes (secrets never go into the immutable, published log) and sign-in sessions
(short-lived and revocable, not facts of the domain)."""

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

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

account_credentials = Table(
    "account_credentials",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),  # SHA-256 of the cookie value: a leaked table opens no session
    Column("account_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)

# Wrong passwords per (email, client address) pair, keyed by an HMAC of the pair (no addresses or
# emails in clear): sign-in pauses for the pair, never for the account (domain/account.py Throttle).
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started", DateTime, nullable=True),
    Column("locked_until", DateTime, nullable=True),
)

#: The tables an erased learner's account leaves rows in (deleted, then purged from the files).
ACCOUNT_TABLES = ("web_accounts", "account_credentials", "web_sessions")
