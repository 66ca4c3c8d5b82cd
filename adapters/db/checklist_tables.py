"""Tables of the checklist projection (annual reports and accreditors' deadlines)."""

from sqlalchemy import BigInteger, Boolean, Column, Date, Float, Index, Integer, String, Table, Text

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

#: What the checklist needs of each activity, kept by the checklist projection from the activity events.
annual_activity_facts = Table(
    "annual_activity_facts",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("activity_id", String(20), nullable=False),  # the 9-digit ACCME activity ID people see
    Column("accme_id", String(7), nullable=False),
    Column("title", Text, nullable=False),
    Column("enduring", Boolean, nullable=False),
    Column("format", String(60), nullable=True),
    Column("credits", Float, nullable=True),
    Column("physician_learners", BigInteger, nullable=True),
    Column("other_learners", BigInteger, nullable=True),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("closed", Boolean, nullable=False),
    Column(
        "complete", Boolean, nullable=True
    ),  # has what an active activity needs (None: projected before it was kept)
    Column("deleted", Boolean, nullable=False),
    Column("counted_years", Json, nullable=False),  # years with a learner count as of 31 December
    Column("commercial_support", Json, nullable=False),  # [{"source", "monetary", "amount"}]
    Index("ix_annual_activity_facts_provider_end", "accme_id", "end_date"),
    Index("ix_annual_activity_facts_provider_enduring", "accme_id", "enduring", "start_date"),
)

#: One row per enduring material and year with a learner count as of 31 December (so "which lack one" is a query).
annual_enduring_counts = Table(
    "annual_enduring_counts",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("year", Integer, primary_key=True),
)

#: The checklist's kept counts per provider and year (projections/checklist.py `fact_counts` says what each
#: activity adds), moved in the same commit as the facts, so the dashboard's checklist and the year-end table
#: read a few rows per provider instead of every activity of the year. Rows that fall to zero stay.
checklist_counts = Table(
    "checklist_counts",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("open_activities", Integer, nullable=False),  # ended in the year and not closed
    Column("enduring_spans", Integer, nullable=False),  # summed over the years up to Y: enduring spanning Y
    Column("enduring_counted", Integer, nullable=False),  # of those, counted as of 31 December of the year
)

#: Per provider and year (the year activities ended): how many standing activities are in each state — draft,
#: open (has what an active activity needs; by end date, since "active" or "ready to close" depends on the day it
#: is read; other states have end_date "") and closed — moved by each activity's old part out and new part in as a
#: page commits (the year-end table's activity counts cost the same at any provider size).
annual_activity_counts = Table(
    "annual_activity_counts",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("state", String(6), primary_key=True),
    Column("end_date", String(10), primary_key=True),
    Column("n", Integer, nullable=False),
    Index("ix_annual_activity_counts_year", "year", "accme_id"),
)
