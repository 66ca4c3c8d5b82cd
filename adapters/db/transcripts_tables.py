"""Read-model table of the completions: the transcripts (no personal data; learner_id only)."""

from sqlalchemy import Boolean, Column, Index, String, Table, false

from adapters.db.tables import Json, metadata

transcript_entries = Table(
    "transcript_entries",
    metadata,
    Column("key", String(36), primary_key=True),  # the Completion aggregate id
    Column("accme_id", String(7), nullable=False),
    Column("learner_id", String(36), nullable=False),
    Column("activity_id", String(9), nullable=False),
    Column("credit_id", String(300), nullable=False),
    Column("completion_date", String(10), nullable=False),  # ISO dates compare as text
    Column("doc", Json, nullable=False),  # activity_title, cme, moc, late
    # A deleted completion's row stays, marked, so its resubmission (which names no learner) finds it again.
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Index("ix_transcript_entries_learner", "learner_id", "completion_date"),
    Index("ix_transcript_entries_provider", "accme_id", "completion_date"),
    Index("ix_transcript_entries_credit", "accme_id", "credit_id"),
    Index("ix_transcript_entries_activity", "activity_id"),  # the MIPS report: completions of its activities
)
