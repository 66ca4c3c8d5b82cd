"""The webhook sender's tables (services/webhook_sender.py): its position in `projection_tracking`
(`webhook_sender`), the events' bodies, each endpoint's deliveries and every attempt; and the facts the
bodies quote, read from the records' and activities' read models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update

from adapters.db.activity_summary_tables import activity_summaries
from adapters.db.database import Database
from adapters.db.record_status_tables import record_statuses
from adapters.db.tables import projection_tracking
from adapters.db.view_base import upsert
from adapters.db.webhooks_tables import webhook_attempts, webhook_deliveries, webhook_events, webhook_sender_lease
from projections.base import APPLICATION_NAME
from services.webhook_sender import (
    SENDER_NAME,
    Attempt,
    NewDelivery,
    Outgoing,
    Pending,
    PositionMovedError,
    Result,
)

CHUNK = 500


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _iso(moment: datetime | None) -> str | None:
    aware = _aware(moment)
    return aware.isoformat().replace("+00:00", "Z") if aware is not None else None


class SqlDeliveryStore:
    def __init__(self, db: Database, name: str = SENDER_NAME) -> None:
        self.db = db
        self.name = name
        self.key = and_(
            projection_tracking.c.projection == name, projection_tracking.c.application_name == APPLICATION_NAME
        )

    # --- the lease: one running sender per database ---------------------------------------------------

    def hold(self, holder: str, now: datetime, seconds: float) -> bool:
        """Takes or renews the sender's lease for `seconds` from `now`; False while another holder's lease runs.
        One statement (an upsert that changes the row only when it is ours or has expired), so two senders
        asking at once cannot both win."""
        lease = webhook_sender_lease
        values = {"name": self.name, "holder": holder, "expires_at": _naive(now + timedelta(seconds=seconds))}
        statement = upsert(self.db, lease).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=[lease.c.name],
            set_={"holder": statement.excluded.holder, "expires_at": statement.excluded.expires_at},
            where=or_(lease.c.holder == holder, lease.c.expires_at < _naive(now)),
        ).returning(lease.c.holder)
        with self.db.engine.begin() as conn:
            return conn.execute(statement).scalar() == holder

    def release(self, holder: str) -> None:
        """Gives the lease up at once (a sender stopping), so another may take it without waiting for it to run out."""
        with self.db.engine.begin() as conn:
            conn.execute(
                delete(webhook_sender_lease).where(
                    webhook_sender_lease.c.name == self.name, webhook_sender_lease.c.holder == holder
                )
            )

    def holder(self) -> tuple[str, datetime] | None:
        """Who holds the lease and until when (pars feeds status)."""
        with self.db.read_engine.connect() as conn:
            row = conn.execute(
                select(webhook_sender_lease.c.holder, webhook_sender_lease.c.expires_at).where(
                    webhook_sender_lease.c.name == self.name
                )
            ).first()
        return None if row is None else (row[0], _aware(row[1]) or row[1])

    # --- the position and the queue ----------------------------------------------------------------

    def position(self) -> int:
        with self.db.read_engine.connect() as conn:
            return int(conn.execute(select(projection_tracking.c.notification_id).where(self.key)).scalar() or 0)

    def enqueue(
        self,
        expected: int,
        to: int,
        events: Sequence[Outgoing],
        deliveries: Sequence[NewDelivery],
        cancelled: Sequence[tuple[str, int, datetime]],
    ) -> None:
        with self.db.engine.begin() as conn:
            moved = conn.execute(
                update(projection_tracking)
                .where(self.key, projection_tracking.c.notification_id == expected)
                .values(notification_id=to)
            ).rowcount
            if not moved:
                current = conn.execute(select(projection_tracking.c.notification_id).where(self.key)).scalar()
                if current is not None or expected != 0:
                    raise PositionMovedError(f"{self.name} is no longer at {expected}")
                conn.execute(
                    insert(projection_tracking).values(
                        projection=self.name, application_name=APPLICATION_NAME, notification_id=to
                    )
                )
            if events:
                statement = upsert(self.db, webhook_events).on_conflict_do_nothing(index_elements=["event_id"])
                conn.execute(
                    statement,
                    [
                        {
                            "event_id": e.event_id,
                            "accme_id": e.accme_id,
                            "type": e.type,
                            "position": e.position,
                            "body": e.body,
                        }
                        for e in events
                    ],
                )
            now = datetime.now(UTC).replace(tzinfo=None)
            if deliveries:
                conn.execute(
                    insert(webhook_deliveries),
                    [
                        {
                            "delivery_id": d.delivery_id,
                            "endpoint_id": d.endpoint_id,
                            "seq": d.seq,
                            "event_id": d.event_id,
                            "accme_id": d.accme_id,
                            "type": d.type,
                            "created_at": now,
                            "redelivery_of": d.redelivery_of,
                            "requested_by": d.requested_by,
                            "status": "pending",
                            "attempts": 0,
                            "next_attempt_at": now,
                        }
                        for d in deliveries
                    ],
                )
            for endpoint_id, _position, when in cancelled:
                conn.execute(
                    update(webhook_deliveries)
                    .where(webhook_deliveries.c.endpoint_id == endpoint_id, webhook_deliveries.c.status == "pending")
                    .values(status="cancelled", last_error="the webhook was removed", finished_at=_naive(when))
                )

    def _heads(self) -> Any:
        d = webhook_deliveries.c
        return (
            select(d.endpoint_id, func.min(d.seq).label("seq"))
            .where(d.status == "pending")
            .group_by(d.endpoint_id)
            .subquery()
        )

    def due(self, now: datetime, limit: int) -> list[str]:
        heads = self._heads()
        d = webhook_deliveries.c
        query = (
            select(d.endpoint_id)
            .join_from(webhook_deliveries, heads, and_(d.endpoint_id == heads.c.endpoint_id, d.seq == heads.c.seq))
            .where(d.next_attempt_at <= _naive(now))
            .order_by(d.next_attempt_at)
            .limit(limit)
        )
        with self.db.read_engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def next_due(self) -> datetime | None:
        heads = self._heads()
        d = webhook_deliveries.c
        query = select(func.min(d.next_attempt_at)).join_from(
            webhook_deliveries, heads, and_(d.endpoint_id == heads.c.endpoint_id, d.seq == heads.c.seq)
        )
        with self.db.read_engine.connect() as conn:
            return _aware(conn.execute(query).scalar())

    def queue(self, endpoint_id: str, limit: int, after: int = -1) -> list[Pending]:
        d = webhook_deliveries.c
        query = (
            select(
                d.delivery_id, d.endpoint_id, d.seq, d.event_id, webhook_events.c.body, d.attempts, d.first_attempt_at
            )
            .join_from(webhook_deliveries, webhook_events, d.event_id == webhook_events.c.event_id)
            .where(d.endpoint_id == endpoint_id, d.status == "pending", d.seq > after)
            .order_by(d.seq)
            .limit(limit)
        )
        with self.db.read_engine.connect() as conn:
            return [
                Pending(r.delivery_id, r.endpoint_id, r.seq, r.event_id, r.body, r.attempts, _aware(r.first_attempt_at))
                for r in conn.execute(query)
            ]

    def finish(self, attempts: Sequence[Attempt], results: Sequence[Result]) -> None:
        with self.db.engine.begin() as conn:
            if attempts:
                statement = upsert(self.db, webhook_attempts).on_conflict_do_nothing(
                    index_elements=["delivery_id", "n"]
                )
                conn.execute(
                    statement,
                    [
                        {
                            "delivery_id": a.delivery_id,
                            "n": a.n,
                            "at": _naive(a.at),
                            "duration_ms": a.duration_ms,
                            "status": a.status,
                            "response": a.response,
                            "error": a.error,
                        }
                        for a in attempts
                    ],
                )
            if results:  # one statement, executed for every row (executemany)
                d = webhook_deliveries.c
                conn.execute(
                    update(webhook_deliveries)
                    .where(d.delivery_id == bindparam("key"), d.status == "pending")
                    .values(
                        status=bindparam("new_status"),
                        attempts=bindparam("new_attempts"),
                        first_attempt_at=bindparam("first"),
                        next_attempt_at=bindparam("next"),
                        last_status=bindparam("code"),
                        last_error=bindparam("error"),
                        finished_at=bindparam("finished"),
                    ),
                    [
                        {
                            "key": r.delivery_id,
                            "new_status": r.status,
                            "new_attempts": r.attempts,
                            "first": _naive(r.first_attempt_at),
                            "next": _naive(r.next_attempt_at),
                            "code": r.last_status,
                            "error": r.last_error,
                            "finished": _naive(r.finished_at) if r.finished_at else None,
                        }
                        for r in results
                    ],
                )

    # --- what the provider sees ----------------------------------------------------------------------

    @staticmethod
    def _shown(r: Any) -> dict[str, Any]:
        return {
            "id": r.delivery_id,
            "webhook_id": r.endpoint_id,
            "event_id": r.event_id,
            "type": r.type,
            "status": r.status,
            "attempts": r.attempts,
            "created_at": _iso(r.created_at),
            "next_attempt_at": _iso(r.next_attempt_at) if r.status == "pending" else None,
            "last_status": r.last_status,
            "last_error": r.last_error,
            "finished_at": _iso(r.finished_at),
            "redelivery_of": r.redelivery_of,
            "requested_by": r.requested_by,
        }

    def delivery(self, accme_id: str | None, delivery_id: str) -> dict[str, Any] | None:
        d = webhook_deliveries.c
        query = select(webhook_deliveries).where(d.delivery_id == delivery_id)
        if accme_id is not None:
            query = query.where(d.accme_id == accme_id)
        with self.db.read_engine.connect() as conn:
            row = conn.execute(query).first()
        return self._shown(row) if row is not None else None

    def deliveries(
        self, accme_id: str, endpoint_id: str, *, status: str | None, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """The endpoint's deliveries, newest first, and how many there are."""
        d = webhook_deliveries.c
        where = [d.accme_id == accme_id, d.endpoint_id == endpoint_id]
        if status:
            where.append(d.status == status)
        with self.db.read_engine.connect() as conn:
            total = int(conn.execute(select(func.count()).select_from(webhook_deliveries).where(*where)).scalar() or 0)
            rows = conn.execute(
                select(webhook_deliveries).where(*where).order_by(d.seq.desc()).limit(limit).offset(offset)
            ).all()
        return [self._shown(r) for r in rows], total

    def attempts(self, delivery_id: str) -> list[dict[str, Any]]:
        a = webhook_attempts.c
        with self.db.read_engine.connect() as conn:
            rows = conn.execute(select(webhook_attempts).where(a.delivery_id == delivery_id).order_by(a.n)).all()
        return [
            {
                "n": r.n,
                "at": _iso(r.at),
                "duration_ms": r.duration_ms,
                "status": r.status,
                "response": r.response,
                "error": r.error,
            }
            for r in rows
        ]

    def body(self, event_id: str) -> str | None:
        with self.db.read_engine.connect() as conn:
            return conn.execute(select(webhook_events.c.body).where(webhook_events.c.event_id == event_id)).scalar()


class SqlWebhookFacts:
    """What webhook bodies quote: records from `record_statuses`, activities from `activity_summaries`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def completions(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        r = record_statuses.c
        ordered = sorted(keys)
        with self.db.read_engine.connect() as conn:
            for i in range(0, len(ordered), CHUNK):
                for row in conn.execute(
                    select(r.key, r.credit_id, r.activity_id, r.completion_date).where(
                        r.key.in_(ordered[i : i + CHUNK])
                    )
                ):
                    out[row.key] = {
                        "credit_id": row.credit_id,
                        "activity_id": row.activity_id,
                        "completion_date": row.completion_date,
                    }
        return out

    def activities(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        a = activity_summaries.c
        ordered = sorted(keys)
        with self.db.read_engine.connect() as conn:
            for i in range(0, len(ordered), CHUNK):
                for row in conn.execute(select(a.key, a.activity_id, a.doc).where(a.key.in_(ordered[i : i + CHUNK]))):
                    doc = row.doc or {}
                    out[row.key] = {
                        "activity_id": row.activity_id,
                        "provider_activity_id": doc.get("provider_activity_id"),
                        "title": doc.get("title"),
                    }
        return out
