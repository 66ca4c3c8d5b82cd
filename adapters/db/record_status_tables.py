"""Tables of the record_status projection: each completion's status with each board (no personal data: a
learner_id only), each standing record's board statuses and dates (for the roster's filters), the kept counts per
provider, year, board and status (the dashboard's), and each activity's credit-claim dates."""

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, false, true

from adapters.db.tables import Json, metadata

record_statuses = Table(
    "record_statuses",
    metadata,
    Column("key", String(36), primary_key=True),  # the Completion aggregate id
    Column("accme_id", String(7), nullable=False),
    Column("activity_id", String(9), nullable=False),
    Column("learner_id", String(36), nullable=False),
    Column("credit_id", String(300), nullable=False),
    Column("completion_date", String(10), nullable=False),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Column("consent", Boolean, nullable=False, server_default=true()),
    Column("doc", Json, nullable=False),  # cme, moc, late, boards {board: {points, status, reason...}}, states
    Index("ix_record_statuses_activity", "accme_id", "activity_id", "completion_date"),
    Index("ix_record_statuses_credit", "accme_id", "credit_id"),
)

#: One row per standing record and board it carries points for: its status with that board.
record_boards = Table(
    "record_boards",
    metadata,
    Column("key", String(36), primary_key=True),
    Column("board", String(8), primary_key=True),
    Column("accme_id", String(7), nullable=False),
    Column("activity_id", String(9), nullable=False),
    Column("year", Integer, nullable=False),  # of the completion date
    Column("status", String(16), nullable=False),
    # The date by which the board should have accepted it (domain/credit_deadlines.py): at risk and late records.
    Column("due", String(10), nullable=True),
    Index("ix_record_boards_activity", "accme_id", "activity_id", "status"),
    Index("ix_record_boards_due", "accme_id", "status", "due"),
)

#: Per activity: its MOC credit-claim dates by board (what a record's dates with each board start from).
record_activities = Table(
    "record_activities",
    metadata,
    Column("key", String(36), primary_key=True),  # the Activity aggregate id
    Column("accme_id", String(7), nullable=False),
    Column("activity_id", String(9), nullable=False, index=True),
    Column("claims", Json, nullable=False),
)

#: Standing records per provider, year of completion, board and status, moved at each batch's commit.
record_board_counts = Table(
    "record_board_counts",
    metadata,
    Column("accme_id", String(7), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("board", String(8), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("n", Integer, nullable=False),
)
