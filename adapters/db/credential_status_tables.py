"""Read-model tables of credential status: each status-list index given out, and the erased learners."""

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Table, false

from adapters.db.tables import metadata

credential_indexes = Table(
    "credential_indexes",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),  # the bit in the status lists
    # The completion stream id, or `learner:<learner_id>` for the learner's CLR transcripts.
    Column("subject", String(48), nullable=False),
    Column("learner_id", String(36), nullable=False),
    Column("revoked", Boolean, nullable=False, server_default=false()),
    Index("ix_credential_indexes_subject", "subject", "idx"),
    Index("ix_credential_indexes_learner", "learner_id"),
)

credential_erased_learners = Table(
    "credential_erased_learners",
    metadata,
    Column("learner_id", String(36), primary_key=True),
)
