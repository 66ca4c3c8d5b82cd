"""Read-model tables of the activity projections."""

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, false

from adapters.db.tables import Json, metadata

activity_summaries = Table(
    "activity_summaries",
    metadata,
    Column("key", String(36), primary_key=True),  # the aggregate id
    Column("accme_id", String(7), nullable=False),
    Column("activity_id", String(9), nullable=False, unique=True),
    Column("format", String(60), nullable=True),
    Column("start_date", String(10), nullable=False),  # ISO dates compare as text
    Column("end_date", String(10), nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("rems", Boolean, nullable=False),
    Column("mips", Boolean, nullable=False),
    Column("moc_boards", Text, nullable=False),  # " ABIM ABP " for LIKE '% ABIM %'
    Column("physician_learners", Integer, nullable=False),
    Column("for_public_list", Boolean, nullable=False, server_default=false()),  # listed in the CME Passport catalog
    Column("search_text", Text, nullable=False),
    Column("doc", Json, nullable=False),
    Index("ix_activity_summaries_provider_dates", "accme_id", "start_date", "end_date"),
    Index("ix_activity_summaries_passport", "for_public_list", "end_date"),
    Index("ix_activity_summaries_rems", "rems", "end_date"),
    Index("ix_activity_summaries_mips", "mips", "end_date"),
)
