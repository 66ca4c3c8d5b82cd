"""Webhooks: the `webhooks` read model's endpoints; beside the log, the sealed secrets and what the sender
keeps (the events to send, each endpoint's deliveries in order, every attempt and its response)."""

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, LargeBinary, String, Table, Text

from adapters.db.tables import Json, metadata

#: The `webhooks` projection: one row per endpoint (never its secret).
webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("endpoint_id", String(40), primary_key=True),
    Column("accme_id", String(7), nullable=False),
    Column("registered_position", BigInteger, nullable=False),
    Column("removed_position", BigInteger, nullable=True),
    Column("doc", Json, nullable=False),
    Index("ix_webhook_endpoints_accme_id", "accme_id"),
)

#: Beside the log: each endpoint's signing secret, sealed with AES-GCM under a key derived from PARS_SECRET_KEY.
webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("endpoint_id", String(40), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
)

#: The sender's: one row per event sent to a provider's systems, its JSON body exactly as sent.
webhook_events = Table(
    "webhook_events",
    metadata,
    Column("event_id", String(120), primary_key=True),  # the log event's stream id:version
    Column("accme_id", String(7), nullable=False),
    Column("type", String(40), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("body", Text, nullable=False),
)

#: The sender's: each endpoint's queue, in order (seq), and each delivery's state.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", String(60), primary_key=True),  # endpoint id . seq
    Column("endpoint_id", String(40), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("event_id", String(120), nullable=False),
    Column("accme_id", String(7), nullable=False),
    Column("type", String(40), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("redelivery_of", String(60), nullable=True),
    Column("requested_by", String(200), nullable=True),
    Column("status", String(12), nullable=False),  # pending, delivered, failed, cancelled
    Column("attempts", Integer, nullable=False),
    Column("first_attempt_at", DateTime, nullable=True),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_status", Integer, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("finished_at", DateTime, nullable=True),
    Index("ix_webhook_deliveries_queue", "endpoint_id", "status", "seq", unique=False),
    Index("ix_webhook_deliveries_order", "endpoint_id", "seq", unique=True),
    Index("ix_webhook_deliveries_pending", "status", "next_attempt_at"),
)

#: The sender's: every attempt of every delivery, with the endpoint's answer (its first bytes).
webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("delivery_id", String(60), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Column("status", Integer, nullable=True),
    Column("response", Text, nullable=True),
    Column("error", String(300), nullable=True),
)


#: The sender's lease: one row per sender name, held by the one running sender (renewed while it runs; another
#: takes it over once it has expired), so two senders on one database never both send a delivery.
webhook_sender_lease = Table(
    "webhook_sender_lease",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("holder", String(120), nullable=False),
    Column("expires_at", DateTime, nullable=False),
)
