"""SQL view of licence compliance (projections/licences.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Connection, and_, delete, func, insert, select, update

from adapters.db.database import Database
from adapters.db.licences_tables import (
    licence_activities,
    licence_alerts,
    licence_completions,
    licence_holders,
    licence_rules_in_force,
    licence_status,
    licence_status_steps,
)
from adapters.db.tables import projection_tracking
from adapters.db.view_base import Batch, SqlView, insert_rows, upsert
from projections.base import chunks
from projections.licences import LAST_DAY, LicencesProjection, LicencesView, Touched

_LAST = LAST_DAY.isoformat()


class SqlLicencesView(SqlView, LicencesView):
    tables = (
        licence_rules_in_force,
        licence_holders,
        licence_activities,
        licence_completions,
        licence_status,
        licence_status_steps,
        licence_alerts,
    )

    def touched(self) -> Touched:
        batch = self._batch
        assert batch is not None, "touched inside the page's transaction"
        if batch.pending is None:
            batch.pending = Touched()
        pending: Touched = batch.pending
        return pending

    def _flush(self, batch: Batch) -> None:
        self._write_completions(batch)
        if batch.pending is not None and self.settle is not None:
            self.settle(batch.pending)

    def _write_completions(self, batch: Batch | None) -> None:
        """Writes the completion rows the batch holds in memory: one delete of those there may be to replace and
        one insert, not an upsert per event. Called before anything reads or deletes completion rows in SQL."""
        if batch is None or not batch.dirty:
            return
        keys = [k for k in batch.dirty if not self._unwritten(k)]
        for chunk in chunks(keys, 500):
            batch.conn.execute(delete(licence_completions).where(licence_completions.c.key.in_(chunk)))
        insert_rows(batch.conn, licence_completions, list(batch.dirty.values()))
        self._wrote(batch.dirty)
        batch.dirty.clear()

    def put_rules(self, state: str, rules: list[dict[str, Any]], tracking: Tracking) -> None:
        with self.transaction() as conn:
            stmt = upsert(self.db, licence_rules_in_force).values(state=state, rules=rules)
            conn.execute(stmt.on_conflict_do_update(index_elements=["state"], set_={"rules": stmt.excluded.rules}))
            self._track(conn, tracking)

    def rules(self, states: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        with self.reading() as conn:
            found = conn.execute(
                select(licence_rules_in_force.c.state, licence_rules_in_force.c.rules).where(
                    licence_rules_in_force.c.state.in_(list(states))
                )
            )
            return dict(found.all())

    def all_rules(self) -> dict[str, list[dict[str, Any]]]:
        with self.reading() as conn:
            found = conn.execute(select(licence_rules_in_force.c.state, licence_rules_in_force.c.rules))
            return dict(sorted((state, rules) for state, rules in found))

    def put_licence(self, learner_id: str, state: str, licence: dict[str, Any] | None, tracking: Tracking) -> None:
        with self.transaction() as conn:
            key = and_(licence_holders.c.state == state, licence_holders.c.learner_id == learner_id)
            conn.execute(delete(licence_holders).where(key))
            if licence is not None:
                conn.execute(insert(licence_holders).values(state=state, learner_id=learner_id, doc=licence))
            self._track(conn, tracking)

    def drop_learner(self, learner_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            self._write_completions(self._batch)
            states = conn.execute(
                select(licence_status.c.state).where(licence_status.c.learner_id == learner_id).distinct()
            ).scalars()
            for state in list(states):
                self._replace_status(conn, learner_id, state, [])
            for table in (licence_holders, licence_completions, licence_alerts):
                conn.execute(delete(table).where(table.c.learner_id == learner_id))
            self._track(conn, tracking)

    def put_alerts(self, learner_id: str, on: bool, tracking: Tracking) -> None:
        with self.transaction() as conn:
            conn.execute(delete(licence_alerts).where(licence_alerts.c.learner_id == learner_id))
            if on:
                conn.execute(insert(licence_alerts).values(learner_id=learner_id))
            self._track(conn, tracking)

    def alerting(self) -> list[str]:
        with self.reading() as conn:
            return list(
                conn.execute(select(licence_alerts.c.learner_id).order_by(licence_alerts.c.learner_id)).scalars()
            )

    def licences(self, learner_id: str) -> dict[str, dict[str, Any]]:
        with self.reading() as conn:
            found = conn.execute(
                select(licence_holders.c.state, licence_holders.c.doc).where(licence_holders.c.learner_id == learner_id)
            )
            return dict(found.all())

    def licences_of(self, learner_ids: Iterable[str]) -> dict[str, dict[str, dict[str, Any]]]:
        h = licence_holders.c
        found: dict[str, dict[str, dict[str, Any]]] = {}
        with self.reading() as conn:
            for chunk in chunks(sorted(set(learner_ids)), 500):
                for learner_id, state, doc in conn.execute(
                    select(h.learner_id, h.state, h.doc).where(h.learner_id.in_(chunk))
                ):
                    found.setdefault(learner_id, {})[state] = doc
        return found

    def holders(self, state: str) -> list[str]:
        with self.reading() as conn:
            return list(
                conn.execute(select(licence_holders.c.learner_id).where(licence_holders.c.state == state)).scalars()
            )

    def put_activity(self, stream_id: str, number: str | None, tags: list[str], tracking: Tracking) -> None:
        with self.transaction() as conn:
            if number is None:
                conn.execute(
                    update(licence_activities).where(licence_activities.c.stream_id == stream_id).values(tags=tags)
                )
            else:
                stmt = upsert(self.db, licence_activities).values(stream_id=stream_id, activity_id=number, tags=tags)
                conn.execute(
                    stmt.on_conflict_do_update(index_elements=["stream_id"], set_={"tags": stmt.excluded.tags})
                )
            self._track(conn, tracking)

    def tags(self, activity_ids: Iterable[str]) -> dict[str, list[str]]:
        ids = list(activity_ids)
        if not ids:
            return {}
        with self.reading() as conn:
            found = conn.execute(
                select(licence_activities.c.activity_id, licence_activities.c.tags).where(
                    licence_activities.c.activity_id.in_(ids)
                )
            )
            return dict(found.all())

    def learners_of(self, stream_id: str) -> list[str]:
        self._write_completions(self._batch)
        with self.reading() as conn:
            number = select(licence_activities.c.activity_id).where(licence_activities.c.stream_id == stream_id)
            return list(
                conn.execute(
                    select(licence_completions.c.learner_id)
                    .where(licence_completions.c.activity_id.in_(number.scalar_subquery()))
                    .distinct()
                ).scalars()
            )

    def put_completion(self, key: str, row: dict[str, Any], tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.dirty[key] = {
                "key": key,
                "learner_id": row["learner_id"],
                "activity_id": row["activity_id"],
                "row": row,
                "deleted": bool(row.get("deleted")),
            }
            self._track(conn, tracking)

    def get_completion(self, key: str) -> dict[str, Any] | None:
        batch = self._batch
        if batch is not None and key in batch.dirty:
            held: dict[str, Any] = batch.dirty[key]["row"]
            return held
        if self._unwritten(key):
            return None
        with self.reading() as conn:
            row: dict[str, Any] | None = conn.execute(
                select(licence_completions.c.row).where(licence_completions.c.key == key)
            ).scalar()
            return row

    def completions(self, learner_id: str) -> list[dict[str, Any]]:
        self._write_completions(self._batch)
        with self.reading() as conn:
            rows = conn.execute(
                select(licence_completions.c.row).where(
                    licence_completions.c.learner_id == learner_id, licence_completions.c.deleted.is_(False)
                )
            ).scalars()
            return sorted(rows, key=lambda r: (r["completion_date"], r["activity_id"], r["credit_id"]))

    def put_status(self, learner_id: str, state: str, statuses: list[dict[str, Any]]) -> None:
        with self.transaction() as conn:
            self._replace_status(conn, learner_id, state, statuses)

    def _replace_status(self, conn: Connection, learner_id: str, state: str, statuses: list[dict[str, Any]]) -> None:
        key = (licence_status.c.state == state, licence_status.c.learner_id == learner_id)
        old = conn.execute(
            select(licence_status.c.cycle_start, licence_status.c.cycle_end, licence_status.c.met).where(*key)
        )
        new = [
            {
                "state": state,
                "learner_id": learner_id,
                "cycle_start": s["cycle_start"].isoformat(),
                "cycle_end": s["cycle_end"].isoformat(),
                "met": s["met"],
                "doc": s["doc"],
            }
            for s in statuses
        ]
        steps: dict[str, list[int]] = {}
        for start, end, met in [(r.cycle_start, r.cycle_end, r.met) for r in old]:
            add_steps(steps, start, end, bool(met), -1)
        conn.execute(delete(licence_status).where(*key))
        if new:
            conn.execute(insert(licence_status), new)
        for row in new:
            add_steps(steps, row["cycle_start"], row["cycle_end"], row["met"], 1)
        moved = [
            {"state": state, "day": day, "licensees": n, "meeting": m}
            for day, (n, m) in sorted(steps.items())
            if n or m
        ]
        if moved:
            t = licence_status_steps
            stmt = upsert(self.db, t).values(moved)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["state", "day"],
                    set_={
                        "licensees": t.c.licensees + stmt.excluded.licensees,
                        "meeting": t.c.meeting + stmt.excluded.meeting,
                    },
                )
            )

    def compliance(
        self, state: str, on: date, after: str | None, limit: int, met: bool | None = None
    ) -> list[dict[str, Any]]:
        # Two reads, each along an index in learner_id order, so no planner's guess can turn a page into a scan of
        # the state: the page (of licensees; or of status rows that meet, or not, on the day), then the other half.
        day = on.isoformat()
        covering = (
            licence_status.c.state == state,
            licence_status.c.cycle_start <= day,
            licence_status.c.cycle_end >= day,
        )
        status = (licence_status.c.learner_id, licence_status.c.met, licence_status.c.doc)
        holders: dict[str, Any]
        statuses: dict[str, Any]
        with self.reading() as conn:
            if met is None:
                page = select(licence_holders.c.learner_id, licence_holders.c.doc).where(
                    licence_holders.c.state == state
                )
                if after is not None:
                    page = page.where(licence_holders.c.learner_id > after)
                holders = dict(conn.execute(page.order_by(licence_holders.c.learner_id).limit(limit)).all())
                found = conn.execute(select(*status).where(*covering, licence_status.c.learner_id.in_(list(holders))))
                statuses = {r.learner_id: r for r in found}
            else:
                rows = select(*status).where(*covering, licence_status.c.met.is_(met))
                if after is not None:
                    rows = rows.where(licence_status.c.learner_id > after)
                statuses = {
                    r.learner_id: r for r in conn.execute(rows.order_by(licence_status.c.learner_id).limit(limit))
                }
                found = conn.execute(
                    select(licence_holders.c.learner_id, licence_holders.c.doc).where(
                        licence_holders.c.state == state, licence_holders.c.learner_id.in_(list(statuses))
                    )
                )
                holders = {r.learner_id: r.doc for r in found}
        return [
            {
                "learner_id": learner_id,
                "licence": licence,
                "status": {"met": s.met, "doc": s.doc} if (s := statuses.get(learner_id)) is not None else None,
            }
            for learner_id, licence in sorted(holders.items())
        ]

    def compliance_counts(self, state: str, on: date) -> tuple[int, int]:
        t = licence_status_steps
        with self.reading() as conn:
            licensees, meeting = conn.execute(
                select(func.coalesce(func.sum(t.c.licensees), 0), func.coalesce(func.sum(t.c.meeting), 0)).where(
                    t.c.state == state, t.c.day <= on.isoformat()
                )
            ).one()
            return int(licensees), int(meeting)


def add_steps(steps: dict[str, list[int]], start: str, end: str, met: bool, sign: int) -> None:
    """The kept counts' steps of one status row (`licence_status_steps`, by day: [licensees, meeting]): a row over [start, end] adds `sign` from `start` and takes it back the day after `end`."""
    for day, by in (
        (start, sign),
        (None if end == _LAST else (date.fromisoformat(end) + timedelta(days=1)).isoformat(), -sign),
    ):
        if day is not None:
            counts = steps.setdefault(day, [0, 0])
            counts[0] += by
            counts[1] += by if met else 0


def refill_if_made_before_steps(db: Database) -> bool:
    """Starts the licences read model over in a database made before its status rows covered every day and its
    counts were kept (`licence_status_steps` empty while status rows exist): such rows hold only the cycles with
    credit of their own, so a board would read a one-time topic met before as not met and count nobody. Its rows
    and its position go; the projections then catch it up from the start of the log like a new read model.
    True when it did."""
    with db.engine.begin() as conn:
        db.lock_projection(conn, LicencesProjection.name)  # then look: another process may have done it meanwhile
        if conn.execute(select(licence_status_steps.c.state).limit(1)).first() is not None:
            return False
        if conn.execute(select(licence_status.c.state).limit(1)).first() is None:
            return False
        for table in SqlLicencesView.tables:
            conn.execute(delete(table))
        conn.execute(delete(projection_tracking).where(projection_tracking.c.projection == LicencesProjection.name))
        return True
