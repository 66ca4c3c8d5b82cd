"""What every read model's tables share: the metadata they register with, the JSON column type, and
`projection_tracking` (every projection's position). Each projection's own tables are in `<projection>_tables.py`."""

from sqlalchemy import JSON, BigInteger, Column, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")

projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("application_name", String(100), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
)
