"""Tables of the licences projection (licence compliance): no licence numbers, learner_id only."""

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, false

from adapters.db.tables import Json, metadata

licence_rules_in_force = Table(
    "licence_rules_in_force",
    metadata,
    Column("state", String(2), primary_key=True),
    Column("rules", Json, nullable=False),
)

licence_holders = Table(
    "licence_holders",
    metadata,
    Column("state", String(2), primary_key=True),
    Column("learner_id", String(36), primary_key=True),
    Column("doc", Json, nullable=False),  # licence_type, issued_on, birth_month, birth_year (never the number)
    Index("ix_licence_holders_learner", "learner_id"),
)

licence_activities = Table(
    "licence_activities",
    metadata,
    Column("stream_id", String(36), primary_key=True),
    Column("activity_id", String(9), nullable=False),  # the 9-digit ACCME activity ID
    Column("tags", Json, nullable=False),  # folded state content domains and topics
    Index("ix_licence_activities_number", "activity_id"),
)

licence_completions = Table(
    "licence_completions",
    metadata,
    Column("key", String(36), primary_key=True),  # the Completion aggregate id
    Column("learner_id", String(36), nullable=False),
    Column("activity_id", String(9), nullable=False),
    Column("row", Json, nullable=False),  # the transcript row (projections/transcripts.entry)
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Index("ix_licence_completions_learner", "learner_id"),
    Index("ix_licence_completions_activity", "activity_id"),
)

licence_status = Table(
    "licence_status",
    metadata,
    Column("state", String(2), primary_key=True),
    Column("learner_id", String(36), primary_key=True),
    # A run of whole cycles answering alike (0001-01-01 .. 9999-12-31 at the ends): a licence's rows cover every
    # day. ISO dates compare as text.
    Column("cycle_start", String(10), primary_key=True),
    Column("cycle_end", String(10), nullable=False),
    Column("met", Boolean, nullable=False),
    Column("doc", Json, nullable=False),  # met, each requirement, counted_in_cycle; or the licence's problem
    Index("ix_licence_status_met", "state", "met", "learner_id", "cycle_start", "cycle_end"),  # a met/unmet page
)

licence_status_steps = Table(
    "licence_status_steps",
    metadata,
    # The kept counts: on `day`, how many status rows of the state begin less how many ended the day before
    # (all, and those that meet). A day's counts are the sum of the steps up to it: a few hundred rows a state.
    Column("state", String(2), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("licensees", Integer, nullable=False),
    Column("meeting", Integer, nullable=False),
)

licence_alerts = Table(
    "licence_alerts",
    metadata,
    Column("learner_id", String(36), primary_key=True),  # physicians who chose gap alerts
)

LICENCE_TABLES = (
    licence_rules_in_force,
    licence_holders,
    licence_activities,
    licence_completions,
    licence_status,
    licence_status_steps,
    licence_alerts,
)
