"""What the accreditor's REMS and MIPS reports count per activity, kept beside the transcripts read model
(adapters/db/oversight_counts.py) so a report reads a few indexed rows instead of every completion's document.

A completion is a learner, activity and completion date, however many credit IDs it was reported under. Per
activity: `completions` (standing completions: the MIPS report), and of those reported with the per-learner REMS
fields (the fields of the completion's first row by key that has them) `rems` (how many), `profession`,
`prescriber` (a DEA registration), `practice_type` and `practice_area`, each by value ("" for not stated)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from domain.rems_learner import PRACTICE_AREAS, PRACTICE_TYPES, PROFESSIONS, practice_type, registered_prescriber

NOT_STATED = ""  # a REMS field left out, as a kept count's value
Counts = dict[tuple[str, str, str], int]  # (activity_id, measure, value) -> n
ByMeasure = Mapping[tuple[str, str], int]  # (measure, value) -> n, one activity's (or a total's)


def activity_counts(rows: Iterable[Mapping[str, Any]]) -> Counts:
    """The kept counts of these transcript rows (every row of the activities counted, deleted ones included)."""
    firsts: dict[tuple[str, str, str], dict[str, Any] | None] = {}
    for row in sorted(rows, key=lambda r: r["key"]):
        if row["deleted"]:
            continue
        completion = (row["learner_id"], row["activity_id"], row["completion_date"])
        fields = row["doc"].get("rems") or None
        if firsts.get(completion) is None:
            firsts[completion] = fields
    counts: Counts = {}

    def add(activity_id: str, measure: str, value: str | None) -> None:
        key = (activity_id, measure, NOT_STATED if value is None else value)
        counts[key] = counts.get(key, 0) + 1

    for (_, activity_id, _), fields in firsts.items():
        add(activity_id, "completions", "")
        if fields is None:
            continue
        add(activity_id, "rems", "")
        if registered_prescriber(fields):
            add(activity_id, "prescriber", "")
        add(activity_id, "profession", fields.get("profession"))
        add(activity_id, "practice_type", practice_type(fields.get("practice_area")))
        add(activity_id, "practice_area", fields.get("practice_area"))
    return counts


def difference(before: Counts, after: Counts) -> Counts:
    """What moves the kept counts from `before` to `after` (no zeros)."""
    moved = {k: after.get(k, 0) - before.get(k, 0) for k in {*before, *after}}
    return {k: n for k, n in moved.items() if n}


def participants(counts: ByMeasure, *, full: bool) -> dict[str, Any]:
    """The REMS report's participants from kept counts: how many were reported with their REMS fields, by
    profession, registered prescribers, by practice type and by practice area. `full` lists every value (the
    totals); otherwise only those that occur."""

    def count(measure: str, allowed: tuple[str, ...]) -> dict[str, int]:
        counted = {a: counts.get((measure, a), 0) for a in allowed}
        missing = counts.get((measure, NOT_STATED), 0)
        if missing:
            counted["Not stated"] = missing
        return counted if full else {k: n for k, n in counted.items() if n}

    return {
        "reported": counts.get(("rems", ""), 0),
        "by_profession": count("profession", PROFESSIONS),
        "registered_prescribers": counts.get(("prescriber", ""), 0),
        "by_practice_type": count("practice_type", PRACTICE_TYPES),
        "by_practice_area": count("practice_area", PRACTICE_AREAS),
    }


@dataclass(frozen=True)
class ReportFilter:
    """Whose activities a report reads: the providers the accreditors oversee (None: all), one provider of them,
    and for REMS one REMS type."""

    accreditors: tuple[str, ...] | None = None
    provider: str | None = None
    rems_type: str | None = None


class OversightReads(ABC):
    """The REMS and MIPS reports' reads of the kept rows, across the activity summary's registered activities and
    the transcripts' counts and lines. `flag` is "rems" or "mips"; lists are by provider and ACCME activity ID,
    each activity with its provider's name (`provider`) and the report's fields."""

    @abstractmethod
    def activities(self, flag: str, year: int, filters: ReportFilter, limit: int, offset: int) -> list[dict[str, Any]]:
        """A page of the registered activities that ended in the year."""

    @abstractmethod
    def every_activity(self, flag: str, year: int, filters: ReportFilter) -> Iterator[list[dict[str, Any]]]:
        """Every such activity in the same order, a page at a time, each page a short read of its own."""

    @abstractmethod
    def activity_totals(self, flag: str, year: int, filters: ReportFilter) -> dict[str, Any]:
        """Over every such activity: how many, of how many providers, and for REMS learners, RPC-funded, by REMS
        type, by compliance, and how many cover each Blueprint section."""

    @abstractmethod
    def rems_totals(self, year: int, filters: ReportFilter) -> tuple[dict[str, Any], dict[tuple[str, str], int]]:
        """The REMS report's `activity_totals` and its kept counts summed over every such activity, by (measure,
        value), at once (both kept in the same rows)."""

    @abstractmethod
    def counts_of(self, activity_ids: list[str]) -> dict[str, dict[tuple[str, str], int]]:
        """The kept counts of each of these activities, by (measure, value)."""

    @abstractmethod
    def line_totals(self, year: int, filters: ReportFilter) -> dict[str, Any]:
        """Over the completions of every MIPS activity that ended in the year: completions, physicians, credits."""

    @abstractmethod
    def physicians(self, year: int, filters: ReportFilter, limit: int, offset: int) -> list[dict[str, Any]]:
        """A page of the physicians who completed those activities (named from the learner directory; an erased
        one named by no one, listed last), by last and first name, each with their completions of them."""

    @abstractmethod
    def lines_with_names(self, activity_ids: list[str]) -> list[dict[str, Any]]:
        """The completions of these activities with the physician's names and NPI (none once erased)."""
