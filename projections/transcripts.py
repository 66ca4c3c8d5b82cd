"""Transcripts: one row per standing completion (learner_id, provider, activity, date, credits by type).

Rows hold no personal data (the learner is a learner_id), so erasing a learner leaves their rows:
completions still count, identifying no one. A deleted completion's row is kept, marked deleted
(every query leaves it out): `Resubmitted` names no learner, activity or credit ID, so the row is
where its resubmission finds them and stands again.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import date
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.completion import Completion
from projections.base import ParsProjection, ProjectionView


def entry(e: Any, accme_id: str, learner_id: str, activity_id: str, credit_id: str) -> dict[str, Any]:
    return {
        "accme_id": accme_id,
        "learner_id": learner_id,
        "activity_id": activity_id,
        "credit_id": credit_id,
        "completion_date": e.completion_date.isoformat(),
        "doc": {"activity_title": e.activity_title, "cme": e.cme, "moc": e.moc, "late": e.late},
        "deleted": False,
    }


def credit_totals(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Credits by credit type ("AMA PRA Category 1", "ABIM MOC", ...)."""
    totals: dict[str, float] = {}
    for row in rows:
        for c in [*row["doc"]["cme"], *row["doc"]["moc"]]:
            totals[c["type"]] = totals.get(c["type"], 0.0) + float(c["credits"])
    return dict(sorted(totals.items()))


class TranscriptView(ProjectionView):
    @abstractmethod
    def put_entry(self, key: str, row: dict[str, Any], tracking: Tracking) -> None:
        """Stores (or replaces) one completion's row."""

    @abstractmethod
    def get_entry(self, key: str) -> dict[str, Any] | None:
        """One completion's row by its aggregate id (deleted or not), or None."""

    @abstractmethod
    def for_learner(self, learner_id: str, start: date | None, end: date | None) -> list[dict[str, Any]]:
        """The learner's standing rows with a completion date in [start, end], oldest first."""

    @abstractmethod
    def by_credit_id(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        """The provider's standing rows with this credit ID."""

    @abstractmethod
    def count(self, accme_id: str | None = None, year: int | None = None) -> int:
        """Standing completions (of one provider, in one year of completion)."""


class TranscriptProjection(ParsProjection[TranscriptView]):
    name = "transcripts"
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Completion.Recorded, tracking: Tracking) -> None:
        self.view.put_entry(str(e.originator_id), entry(e, e.accme_id, e.learner_id, e.activity_id, e.credit_id), tracking)

    @process_event.register
    def _(self, e: Completion.Resubmitted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_entry(key)
        if old is None:  # a store whose deleted rows were removed before they were kept: `pars projections rebuild transcripts`
            self.view.insert_tracking(tracking)
            return
        self.view.put_entry(key, entry(e, old["accme_id"], old["learner_id"], old["activity_id"], old["credit_id"]), tracking)

    @process_event.register
    def _(self, e: Completion.Deleted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_entry(key)
        if old is None:
            self.view.insert_tracking(tracking)
            return
        self.view.put_entry(key, {**old, "deleted": True}, tracking)
