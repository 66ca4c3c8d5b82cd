"""Tables of the provider_profile projection."""

from sqlalchemy import Column, String, Table, Text

from adapters.db.tables import Json, metadata

provider_profiles = Table(
    "provider_profiles",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("accreditor", String(10), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("doc", Json, nullable=False),
)
