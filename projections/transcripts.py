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
        # rems: the learner's REMS fields (profession, DEA registration, practice area, ...) when reported
        "doc": {"activity_title": e.activity_title, "cme": e.cme, "moc": e.moc, "late": e.late, "rems": e.rems},
        "deleted": False,
    }


def credit_totals(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Credits by credit type ("AMA PRA Category 1", "ABIM MOC", ...)."""
    totals: dict[str, float] = {}
    for row in rows:
        for c in [*row["doc"]["cme"], *row["doc"]["moc"]]:
            totals[c["type"]] = totals.get(c["type"], 0.0) + float(c["credits"])
    return dict(sorted(totals.items()))


def transcript_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per learner, activity and completion date, from rows in `for_learner` order.

    A completion is one record however many credit IDs it was reported under (a CME certificate and
    a MOC certificate often carry their own): its line holds each credit ID, the CME credit by credit
    type, each board's MOC points by credit type, and `cme_credits`, the CME credit it counts for state
    boards (the CME reported; with none, its largest board's MOC points: MOC counts as CME for states).
    `certificates` keeps each credit ID's credits as reported."""
    lines: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row.get("learner_id", ""), row["activity_id"], row["completion_date"])
        line = lines.get(key)
        if line is None:
            line = lines[key] = {
                "accme_id": row["accme_id"],
                "provider_name": row.get("provider_name"),
                "learner_id": key[0],
                "activity_id": row["activity_id"],
                "activity_title": row["doc"]["activity_title"],
                "completion_date": row["completion_date"],
                "credit_ids": [],
                "cme": [],
                "moc": [],
                "late": False,
                "certificates": [],
            }
        line["credit_ids"].append(row["credit_id"])
        line["late"] = line["late"] or bool(row["doc"].get("late"))
        for c in row["doc"]["cme"]:
            _add(line["cme"], {"type": c["type"]}, c["credits"])
        for m in row["doc"]["moc"]:
            _add(line["moc"], {"board": m["board"], "type": m["type"]}, m["credits"])
        line["certificates"] += [
            {"credit_id": row["credit_id"], "type": c["type"], "credits": float(c["credits"])}
            for c in [*row["doc"]["cme"], *row["doc"]["moc"]]
        ]
    for line in lines.values():
        boards: dict[str, float] = {}
        for m in line["moc"]:
            boards[m["board"]] = boards.get(m["board"], 0.0) + m["credits"]
        line["cme_credits"] = (
            sum(c["credits"] for c in line["cme"]) if line["cme"] else max(boards.values(), default=0.0)
        )
    return list(lines.values())


def _add(entries: list[dict[str, Any]], what: dict[str, Any], credits: Any) -> None:
    for entry in entries:
        if all(entry[k] == v for k, v in what.items()):
            entry["credits"] += float(credits)
            return
    entries.append({**what, "credits": float(credits)})


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
    def for_activities(self, activity_ids: list[str]) -> list[dict[str, Any]]:
        """The standing rows of completions of these activities (ACCME activity IDs)."""

    @abstractmethod
    def by_credit_id(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        """The provider's standing rows with this credit ID."""

    @abstractmethod
    def count(self, accme_id: str | None = None, year: int | None = None) -> int:
        """Standing completions (of one provider, in one year of completion): learner, activity and date
        counted once however many credit IDs they were reported under."""


class TranscriptProjection(ParsProjection[TranscriptView]):
    name = "transcripts"
    rebuild_weight = 5
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Completion.Recorded, tracking: Tracking) -> None:
        self.view.put_entry(
            str(e.originator_id), entry(e, e.accme_id, e.learner_id, e.activity_id, e.credit_id), tracking
        )

    @process_event.register
    def _(self, e: Completion.Resubmitted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_entry(key)
        if (
            old is None
        ):  # a store whose deleted rows were removed before they were kept: `pars projections rebuild transcripts`
            self.view.insert_tracking(tracking)
            return
        self.view.put_entry(
            key, entry(e, old["accme_id"], old["learner_id"], old["activity_id"], old["credit_id"]), tracking
        )

    @process_event.register
    def _(self, e: Completion.Deleted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_entry(key)
        if old is None:
            self.view.insert_tracking(tracking)
            return
        self.view.put_entry(key, {**old, "deleted": True}, tracking)
