"""The tokens read model: one row per recorded bearer token (never its secret)."""

from sqlalchemy import Column, DateTime, Index, String, Table

from adapters.db.tables import Json, metadata

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("accme_id", String(7), nullable=True),
    Column("issued_at", DateTime, nullable=False),
    Column("doc", Json, nullable=False),
    Index("ix_api_tokens_accme_id", "accme_id"),
)
