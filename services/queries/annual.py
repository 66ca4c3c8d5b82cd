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
    YearCounts,
    checklist,
    checklist_marks,
    deadline_for,
    empty_statuses,
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
        profiles = self.view.providers(accreditors)
        ids = [p["accme_id"] for p in profiles]
        reports = self.view.reports_for_year(year, ids)
        deadlines = self.view.deadlines_for_year(year)
        today = self.today()
        # Counts, not lists, kept as activities change, so a row costs the same at any provider size: the
        # checklist's (open activities, enduring materials without a count) and the activities by status.
        counts = self.facts.year_counts_for(ids, year)
        statuses_of = self.facts.activity_statuses_for(ids, year, today)
        rows = []
        for p in profiles:
            doc = reports.get(p["accme_id"])
            state = state_from_doc(doc) if doc else ReportState()
            deadline = deadline_for(p["accreditor"], year, deadlines)
            kept = counts.get(p["accme_id"], YearCounts())
            row = year_end_row(p, checklist_marks(state, kept, deadline), today)
            row.update(activity_columns(statuses_of.get(p["accme_id"]) or empty_statuses(), kept.uncounted_enduring))
            rows.append(row)
        if status == "late":
            rows = [r for r in rows if r["late"]]
        elif status is not None:
            rows = [r for r in rows if r["status"] == status]
        rows.sort(key=lambda r: r["accme_id"])
        rows.sort(key=lambda r: r[key], reverse=descending)  # stable: ties stay in ACCME ID order
        return rows


def activity_columns(statuses: dict[str, int], uncounted_enduring: int) -> dict[str, int]:
    """The year-end table's follow-up columns: the year's activities open (draft or active), ready to close and
    closed, and the enduring materials active in the year without a learner count as of 31 December."""
    return {
        "activities_open": statuses["open"],
        "activities_ready_to_close": statuses["ready_to_close"],
        "activities_closed": statuses["closed"],
        "enduring_without_count": uncounted_enduring,
    }


def year_end_row(profile: dict[str, Any], doc: dict[str, Any], today: date) -> dict[str, Any]:
    deadline = date.fromisoformat(doc["deadline"])
    steps = {s["key"]: s for s in doc["steps"]}
    missing = [k for k in STEP_KEYS if not steps[k]["done"]]
    late_steps = [k for k in STEP_KEYS if steps[k]["late"]]
    overdue = bool(missing) and today > deadline
    return {
        "accme_id": profile["accme_id"],
        "name": profile["name"],
        "accreditor": profile["accreditor"],
        "deadline": doc["deadline"],
        "days_to_deadline": (deadline - today).days,
        "days_past_deadline": max(0, (today - deadline).days),
        "status": "complete" if doc["complete"] else "incomplete",
        "late": overdue or bool(late_steps),
        "late_count": len(late_steps),
        "missing_count": len(missing),
        "missing_steps": missing,
        "late_steps": late_steps,
        "steps": {k: steps[k]["done"] for k in STEP_KEYS},
    }
