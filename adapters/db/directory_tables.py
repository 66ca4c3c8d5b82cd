"""Tables of the directory projection."""

from sqlalchemy import Boolean, Column, String, Table, Text

from adapters.db.tables import Json, metadata

directory_entries = Table(
    "directory_entries",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("name", Text, nullable=False),
    Column("listed", Boolean, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("doc", Json, nullable=False),
)
