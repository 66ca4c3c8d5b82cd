"""Annual reporting: the year-end checklist, the program summary, the dashboard's brief checklist, the
accreditor's year-end table and data report (the checklist read model plus the activity facts)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.annual_report import STEP_KEYS, ReportState, require_year, summary_totals
from domain.errors import InvalidValueError
from projections.checklist import (
    ActivityFactsForYear,
    ChecklistView,
    YearEndFigures,
    checklist,
    checklist_marks,
    deadline_for,
    doc_marks,
    state_from_doc,
)
from projections.provider_profile import ProviderProfileView

#: The deadline is 11:59 pm Central time, so "today" for a step is the date in Chicago.
CENTRAL = ZoneInfo("America/Chicago")
YEAR_END_SORTS = (
    "accme_id",
    "name",
    "accreditor",
    "deadline",
    "days_to_deadline",
    "status",
    "missing_count",
    "late_count",
    "activities_open",
    "activities_ready_to_close",
    "activities_closed",
    "enduring_without_count",
)
YEAR_END_STATUSES = ("complete", "incomplete", "late")


class AnnualQueries:
    def __init__(
        self,
        profiles: ProviderProfileView,
        view: ChecklistView,
        facts: ActivityFactsForYear,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.profiles = profiles
        self.view = view
        self.facts = facts
        self.clock = clock or (lambda: datetime.now(UTC))

    def today(self) -> date:
        return self.clock().astimezone(CENTRAL).date()

    def checklist(self, accme_id: str, year: int, accreditor: str | None = None) -> dict[str, Any]:
        """The year-end checklist of one provider and year, with what each step misses, from the checklist read model."""
        state, deadline = self._report(accme_id, year, accreditor)
        return checklist(state, self.facts.year_facts(accme_id, year), deadline)

    def _report(self, accme_id: str, year: int, accreditor: str | None) -> tuple[ReportState, date]:
        """The report's state as the checklist read model holds it, and its deadline."""
        require_year(year)
        if accreditor is None:
            profile = self.profiles.get_profile(accme_id)
            accreditor = profile["accreditor"] if profile else "ACCME"
        doc = self.view.get_report(accme_id, year)
        state = state_from_doc(doc) if doc else ReportState()
        return state, deadline_for(accreditor, year, self.view.deadlines_for_year(year))

    def deadline_of(self, accreditor: str, year: int) -> date:
        """The year-end deadline of an accreditor's providers, as the checklist read model has it."""
        return deadline_for(accreditor, year, self.view.deadlines_for_year(year))

    def program_summary(self, accme_id: str, year: int) -> dict[str, Any]:
        """The program summary as entered, with commercial support summed from the year's activities."""
        require_year(year)
        doc = self.view.get_report(accme_id, year)
        state = state_from_doc(doc) if doc else ReportState()
        return {
            "year": year,
            **state.summary,
            "commercial_support": self.facts.commercial_support(accme_id, year),
            "attested": state.attestation is not None,
        }

    def data_report(self, year: int, accreditors: Sequence[str] | None) -> dict[str, Any]:
        """The annual data report across the providers overseen: activities and credits by format, learners,
        commercial support, and the income the program summaries report."""
        require_year(year)
        profiles = self.profiles.list_profiles(accreditors=list(accreditors) if accreditors is not None else None)
        ids = [p["accme_id"] for p in profiles]
        reports = self.view.reports_for_year(year, ids)
        summaries = [state_from_doc(doc) for doc in reports.values()]
        return {
            "year": year,
            "providers": len(ids),
            "providers_attested": sum(1 for s in summaries if s.attestation),
            **self.facts.activity_totals(year, None if accreditors is None else ids),
            "income": summary_totals([s.summary for s in summaries]),
        }

    def checklist_summary(self, accme_id: str, year: int, accreditor: str | None = None) -> dict[str, Any]:
        """The checklist in brief, for the provider dashboard: complete, deadline, days left, steps done and missing.
        From the kept counts, so it costs the same for a provider with ten activities or ten thousand."""
        state, deadline = self._report(accme_id, year, accreditor)
        marks = checklist_marks(state, self.facts.year_counts(accme_id, year), deadline)
        return {
            "year": year,
            "complete": marks["complete"],
            "deadline": marks["deadline"],
            "days_to_deadline": (deadline - self.today()).days,
            "steps_done": sum(s["done"] for s in marks["steps"]),
            "steps_total": len(marks["steps"]),
            "missing_steps": [s["key"] for s in marks["steps"] if not s["done"]],
            "late_steps": [s["key"] for s in marks["steps"] if s["late"]],
        }

    def year_end(
        self, year: int, accreditors: Sequence[str] | None, *, sort: str = "accme_id", status: str | None = None
    ) -> list[dict[str, Any]]:
        """The accreditor's year-end table: one row per overseen provider, filtered and sorted."""
        require_year(year)
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key not in YEAR_END_SORTS:
            raise InvalidValueError(
                f"sort must be one of {', '.join(YEAR_END_SORTS)}, optionally prefixed with -", loc=("sort",)
            )
        if status is not None and status not in YEAR_END_STATUSES:
            raise InvalidValueError(f"status must be one of {', '.join(YEAR_END_STATUSES)}", loc=("status",))
        deadlines = self.view.deadlines_for_year(year)
        today = self.today()
        # One query's figures (the checklist's kept counts and the status counts, not the activities), and each row
        # read straight off them: the figures that depend on today are arithmetic on the deadline.
        rows = [
            year_end_row(f, deadline_for(f.accreditor, year, deadlines), today)
            for f in self.view.year_end_figures(year, accreditors, today)
        ]
        if status == "late":
            rows = [r for r in rows if r["late"]]
        elif status is not None:
            rows = [r for r in rows if r["status"] == status]
        rows.sort(key=lambda r: r["accme_id"])
        rows.sort(key=lambda r: r[key], reverse=descending)  # stable: ties stay in ACCME ID order
        return rows


def year_end_row(f: YearEndFigures, deadline: date, today: date) -> dict[str, Any]:
    done, late = doc_marks(f.doc, f.counts)
    missing = [k for k, d in zip(STEP_KEYS, done, strict=True) if not d]
    late_steps = [k for k, d in zip(STEP_KEYS, late, strict=True) if d]
    overdue = bool(missing) and today > deadline
    return {
        "accme_id": f.accme_id,
        "name": f.name,
        "accreditor": f.accreditor,
        "deadline": deadline.isoformat(),
        "days_to_deadline": (deadline - today).days,
        "days_past_deadline": max(0, (today - deadline).days),
        "status": "incomplete" if missing else "complete",
        "late": overdue or bool(late_steps),
        "late_count": len(late_steps),
        "missing_count": len(missing),
        "missing_steps": missing,
        "late_steps": late_steps,
        "steps": dict(zip(STEP_KEYS, done, strict=True)),
        "activities_open": f.statuses["open"],
        "activities_ready_to_close": f.statuses["ready_to_close"],
        "activities_closed": f.statuses["closed"],
        "enduring_without_count": f.counts.uncounted_enduring,
    }
