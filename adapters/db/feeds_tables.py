"""Tables of the board feeds: the items of each feed, each feed's head, and what the projection
remembers to route completions (activity MOC registrations, learners' licence states, where each
completion went).

No personal data is stored here: an item names its learner by learner_id, and the learner's board
ID, licence number, names and birth day are read from the learner directory when the item is read
(projections/feeds.py), so erasing a learner erases them from every feed at once.
"""

from sqlalchemy import BigInteger, Boolean, Column, Index, String, Table

from adapters.db.tables import Json, metadata

#: One row per item of one feed ("board:ABIM", "state:TN"); seq counts 1, 2, 3... within the feed.
feed_items = Table(
    "feed_items",
    metadata,
    Column("feed", String(16), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),  # the event's notification id
    Column("item_id", String(80), nullable=False),  # stream id:version of the event, stable
    Column("learner_id", String(36), nullable=False),
    Column("doc", Json, nullable=False),  # the item without the learner's personal fields
    Index("ix_feed_items_position", "position"),
    Index("ix_feed_items_item", "item_id"),  # a board's acknowledgements name items by id
)

#: The last seq of each feed, so appends never read the items table.
feed_heads = Table(
    "feed_heads",
    metadata,
    Column("feed", String(16), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

#: Per activity (stream id): its 9-digit number and MOC registrations {board: {points, credit_types}}.
feed_activities = Table(
    "feed_activities",
    metadata,
    Column("key", String(36), primary_key=True),
    Column("number", String(9), nullable=False),
    Column("boards", Json, nullable=False),
    Index("ix_feed_activities_number", "number"),
)

#: Per learner: the states they hold a licence in (codes only, no numbers: which state feeds their
#: completions go to) and whether they were erased (states emptied then).
feed_learners = Table(
    "feed_learners",
    metadata,
    Column("learner_id", String(36), primary_key=True),
    Column("states", Json, nullable=False),
    Column("erased", Boolean, nullable=False),
)

#: Per completion (stream id): its standing facts and the feeds its last item went to, so a
#: deletion travels to exactly those feeds.
feed_completions = Table(
    "feed_completions",
    metadata,
    Column("key", String(36), primary_key=True),
    Column("doc", Json, nullable=False),
)
