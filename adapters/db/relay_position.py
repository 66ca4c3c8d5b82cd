"""The Kafka relay's position in the log (services/feed_relay.py), a row of `projection_tracking`."""

from __future__ import annotations

from sqlalchemy import and_, insert, select, update

from adapters.db.database import Database
from adapters.db.tables import projection_tracking
from projections.base import APPLICATION_NAME
from services.feed_relay import PositionMovedError


class SqlRelayPosition:
    """The relay's position: a row of `projection_tracking`, moved by compare-and-set, so two relays
    never both believe they moved it (the loser reloads; it has only sent repeats)."""

    def __init__(self, db: Database, name: str, application_name: str = APPLICATION_NAME) -> None:
        self.db = db
        self.key = and_(
            projection_tracking.c.projection == name, projection_tracking.c.application_name == application_name
        )
        self.name = name
        self.application_name = application_name

    def get(self) -> int:
        with self.db.read_engine.connect() as conn:
            return int(conn.execute(select(projection_tracking.c.notification_id).where(self.key)).scalar() or 0)

    def advance(self, expected: int, to: int) -> None:
        with self.db.engine.begin() as conn:
            moved = conn.execute(
                update(projection_tracking)
                .where(self.key, projection_tracking.c.notification_id == expected)
                .values(notification_id=to)
            ).rowcount
            if moved:
                return
            if (
                expected == 0
                and conn.execute(select(projection_tracking.c.notification_id).where(self.key)).scalar() is None
            ):
                conn.execute(
                    insert(projection_tracking).values(
                        projection=self.name, application_name=self.application_name, notification_id=to
                    )
                )
                return
        raise PositionMovedError(f"{self.name} is no longer at {expected}")
