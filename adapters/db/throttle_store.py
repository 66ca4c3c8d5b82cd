"""Wrong passwords per (email, client address), in a table beside the event log; the rule is the domain's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Table, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from adapters.db.database import Database
from adapters.db.tables import metadata
from domain.account import Throttle

# Wrong passwords per (email, client address) pair, keyed by an HMAC of the pair (no addresses or
# emails in clear): sign-in pauses for the pair, never for the account (domain/account.py Throttle).
sign_in_throttle = Table(
    "sign_in_throttle",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("window_started", DateTime, nullable=True),
    Column("locked_until", DateTime, nullable=True),
)


def _naive(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment else None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment else None


class SqlSignInThrottle:
    """Wrong passwords per (email, client address) key; the rule is the domain's `Throttle`."""

    #: Every this many failures, rows nobody has failed on for a day are swept (a spray of guesses
    #: over many emails and addresses must not grow the table for ever).
    SWEEP_EVERY = 100

    def __init__(self, db: Database) -> None:
        self.db = db
        self._failures = 0

    def locked(self, key: str, now: datetime) -> datetime | None:
        with self.db.read_engine.connect() as conn:
            until = conn.execute(select(sign_in_throttle.c.locked_until).where(sign_in_throttle.c.key == key)).scalar()
        return Throttle(locked_until=_aware(until)).locked(now)

    def failed(self, key: str, now: datetime) -> datetime | None:
        """Counts one wrong password for the key; when sign-in for it is paused now, until when."""
        for _ in range(3):  # two first failures at once: one insert wins, the other counts again
            try:
                with self.db.engine.begin() as conn:
                    row = conn.execute(
                        select(sign_in_throttle).where(sign_in_throttle.c.key == key).with_for_update()
                    ).first()
                    before = (
                        Throttle(row.failures, _aware(row.window_started), _aware(row.locked_until))
                        if row
                        else Throttle()
                    )
                    after = before.failed(now)
                    values = {
                        "failures": after.failures,
                        "window_started": _naive(after.window_started),
                        "locked_until": _naive(after.locked_until),
                    }
                    if row is None:
                        conn.execute(insert(sign_in_throttle).values(key=key, **values))
                    else:
                        conn.execute(update(sign_in_throttle).where(sign_in_throttle.c.key == key).values(**values))
                break
            except IntegrityError:
                continue
        else:
            return None
        self._failures += 1
        if self._failures % self.SWEEP_EVERY == 0:
            self.sweep(now)
        return after.locked(now)

    def sweep(self, now: datetime) -> int:
        """Deletes the rows of pairs with no failure and no pause within the last day."""
        day_ago = _naive(now - timedelta(days=1))
        stale = and_(
            or_(sign_in_throttle.c.locked_until.is_(None), sign_in_throttle.c.locked_until < day_ago),
            or_(sign_in_throttle.c.window_started.is_(None), sign_in_throttle.c.window_started < day_ago),
        )
        with self.db.engine.begin() as conn:
            return conn.execute(delete(sign_in_throttle).where(stale)).rowcount

    def clear(self, key: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(delete(sign_in_throttle).where(sign_in_throttle.c.key == key))
