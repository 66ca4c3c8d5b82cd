"""Tables of the event_chain projection: one link of a provider's hash chain per stored event."""

from sqlalchemy import BigInteger, Column, Index, String, Table

from adapters.db.tables import metadata

event_chain = Table(
    "event_chain",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("accme_id", String(7), nullable=False),  # "" for events of no provider
    Column("hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Index("ix_event_chain_accme_position", "accme_id", "position"),
)
