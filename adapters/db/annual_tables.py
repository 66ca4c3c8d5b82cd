"""Tables of the checklist projection (annual reports and accreditors' deadlines)."""

from sqlalchemy import Column, Date, Integer, String, Table

from adapters.db.tables import Json, metadata

annual_reports = Table(
    "annual_reports",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("doc", Json, nullable=False),
)

annual_deadlines = Table(
    "annual_deadlines",
    metadata,
    Column("accreditor", String(10), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("deadline", Date, nullable=False),
)
