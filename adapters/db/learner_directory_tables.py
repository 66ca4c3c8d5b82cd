"""Tables of the learner_directory projection (the matching read model).

They hold personal data in clear for matching, so the projection deletes a learner's rows when
the learner is erased. The learners' data keys are in learner_key_store.py.
"""

from sqlalchemy import Column, Index, Integer, String, Table

from adapters.db.tables import Json, metadata

learner_directory = Table(
    "learner_directory",
    metadata,
    Column("learner_id", String(36), primary_key=True),
    Column("name_key", String(210), nullable=False),  # normalised "first|last"
    Column("birth_md", String(4), nullable=False),  # MMDD
    Column("npi", String(10), nullable=True),
    Column("doc", Json, nullable=False),
    Index("ix_learner_directory_name", "name_key", "birth_md"),
    Index("ix_learner_directory_npi", "npi"),
)

learner_licences = Table(
    "learner_licences",
    metadata,
    Column("learner_id", String(36), primary_key=True),
    Column("state", String(2), primary_key=True),
    Column("number_key", String(40), nullable=False),
    Index("ix_learner_licences_number", "state", "number_key"),
)

learner_board_ids = Table(
    "learner_board_ids",
    metadata,
    Column("learner_id", String(36), primary_key=True),
    Column("board", String(8), primary_key=True),
    Column("board_id_key", String(40), nullable=False),
    Index("ix_learner_board_ids_id", "board", "board_id_key"),
)

#: Counts that survive erasure (learners ever registered, learners erased), for reports.
learner_counts = Table(
    "learner_counts",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("value", Integer, nullable=False),
)

#: The tables that hold a learner's identifiers (or the key to them): an erasure deletes the learner's
#: rows from them (and blanks the names the MIPS report keeps for its order, adapters/db/mips_totals.py), then
#: purges the deleted rows and old row versions from the database files (Database.purge_deleted).
PERSONAL_TABLES = ("learner_keys", "learner_directory", "learner_licences", "learner_board_ids", "mips_physicians")
