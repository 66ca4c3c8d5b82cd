"""AnnualReporting: the year-end report of each provider, the accreditors' deadlines, the checklist and year-end table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.annual import ANNUAL_HANDLERS, Attest, Circumstances, SetReportingDeadline, YearCommand
from domain.annual_report import STEP_KEYS, AnnualReport, ReportState, YearFacts, require_year, summary_totals
from domain.base import Acting
from domain.deadlines import ReportingDeadline, default_deadline
from domain.errors import InvalidValueError
from domain.provider import normalise_accreditor
from projections.checklist import ActivityFactsForYear, ChecklistView, checklist, deadline_for, state_from_doc
from projections.provider_profile import ProviderProfileView
from services.providers import ConcurrentChangeError, Outcome, ProviderRegistry
from services.retries import attempts
from services.store import ParsStore

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
)
YEAR_END_STATUSES = ("complete", "incomplete", "late")


class AnnualReporting:
    def __init__(
        self,
        store: ParsStore,
        providers: ProviderRegistry,
        profiles: ProviderProfileView,
        view: ChecklistView,
        facts: ActivityFactsForYear,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.providers = providers
        self.profiles = profiles
        self.view = view
        self.facts = facts
        self.clock = clock or (lambda: datetime.now(UTC))

    def today(self) -> date:
        return self.clock().astimezone(CENTRAL).date()

    # --- commands --------------------------------------------------------------------------

    def handle(self, cmd: YearCommand, by: Acting) -> Outcome:
        """Loads (or starts) the provider's report for the year, applies the command, saves; retries on races."""
        handler = ANNUAL_HANDLERS[type(cmd)]
        year = self._reportable_year(cmd.year)
        provider = self.providers.get(cmd.accme_id)
        for _ in attempts():
            today = self.today()
            facts = self.facts.year_facts(cmd.accme_id, year) if isinstance(cmd, Attest) else YearFacts()
            circumstances = Circumstances(today, self.deadline(provider.accreditor, year), facts)
            report = self.load(cmd.accme_id, year) or AnnualReport.start(cmd.accme_id, year, by)
            value = handler(report, cmd, circumstances, by)
            if not report.pending_events:
                return Outcome(value, None)
            try:
                recordings = self.store.save(report)
            except IntegrityError:
                continue  # another writer appended this version first: reload and decide again
            return Outcome(value, recordings[-1].notification.id)
        raise ConcurrentChangeError(
            f"the {year} report of provider {cmd.accme_id} is being changed by others; try again", loc=("path", "year")
        )

    def set_deadline(self, cmd: SetReportingDeadline, by: Acting) -> Outcome:
        accreditor = normalise_accreditor(cmd.accreditor)
        year = require_year(cmd.year)
        for _ in attempts():
            try:
                record: ReportingDeadline = self.store.repository.get(ReportingDeadline.create_id(accreditor, year))
                changed = record.change(cmd.deadline, by)
            except AggregateNotFoundError:
                record = ReportingDeadline.set(accreditor, year, cmd.deadline, by)
                changed = True
            if not changed:
                return Outcome(record.deadline, None)
            try:
                recordings = self.store.save(record)
            except IntegrityError:
                continue
            return Outcome(record.deadline, recordings[-1].notification.id)
        raise ConcurrentChangeError(f"the {year} deadline of {accreditor} is being changed by others; try again")

    def load(self, accme_id: str, year: int) -> AnnualReport | None:
        try:
            return self.store.repository.get(AnnualReport.create_id(accme_id, year))
        except AggregateNotFoundError:
            return None

    def deadline(self, accreditor: str, year: int) -> date:
        """The deadline as the event store has it (for deciding lateness when a step is done)."""
        try:
            record: ReportingDeadline = self.store.repository.get(ReportingDeadline.create_id(accreditor, year))
        except AggregateNotFoundError:
            return default_deadline(year)
        return record.deadline

    def _reportable_year(self, year: int) -> int:
        require_year(year)
        if year > self.today().year:
            raise InvalidValueError(f"the {year} reporting year has not begun", loc=("path", "year"))
        return year

    # --- queries (read models only) -----------------------------------------------------------

    def checklist(self, accme_id: str, year: int, accreditor: str | None = None) -> dict[str, Any]:
        """The year-end checklist of one provider and year, from the checklist read model (the dashboard calls this)."""
        require_year(year)
        if accreditor is None:
            profile = self.profiles.get_profile(accme_id)
            accreditor = profile["accreditor"] if profile else "ACCME"
        doc = self.view.get_report(accme_id, year)
        state = state_from_doc(doc) if doc else ReportState()
        deadline = deadline_for(accreditor, year, self.view.deadlines_for_year(year))
        return checklist(state, self.facts.year_facts(accme_id, year), deadline)

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
        """The checklist in brief, for the provider dashboard: complete, deadline, days left, steps done and missing."""
        doc = self.checklist(accme_id, year, accreditor)
        deadline = date.fromisoformat(doc["deadline"])
        return {
            "year": year,
            "complete": doc["complete"],
            "deadline": doc["deadline"],
            "days_to_deadline": (deadline - self.today()).days,
            "steps_done": sum(s["done"] for s in doc["steps"]),
            "steps_total": len(doc["steps"]),
            "missing_steps": [s["key"] for s in doc["steps"] if not s["done"]],
            "late_steps": [s["key"] for s in doc["steps"] if s["late"]],
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
                f"sort must be one of {', '.join(YEAR_END_SORTS)}, optionally prefixed with -", loc=("query", "sort")
            )
        if status is not None and status not in YEAR_END_STATUSES:
            raise InvalidValueError(f"status must be one of {', '.join(YEAR_END_STATUSES)}", loc=("query", "status"))
        profiles = self.view.providers(accreditors)
        ids = [p["accme_id"] for p in profiles]
        reports = self.view.reports_for_year(year, ids)
        deadlines = self.view.deadlines_for_year(year)
        facts = self.facts.year_facts_for(ids, year)
        today = self.today()
        rows = []
        for p in profiles:
            doc = reports.get(p["accme_id"])
            state = state_from_doc(doc) if doc else ReportState()
            deadline = deadline_for(p["accreditor"], year, deadlines)
            rows.append(year_end_row(p, checklist(state, facts.get(p["accme_id"], YearFacts()), deadline), today))
        if status == "late":
            rows = [r for r in rows if r["late"]]
        elif status is not None:
            rows = [r for r in rows if r["status"] == status]
        rows.sort(key=lambda r: r["accme_id"])
        rows.sort(key=lambda r: r[key], reverse=descending)  # stable: ties stay in ACCME ID order
        return rows


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
        "status": "complete" if doc["complete"] else "incomplete",
        "late": overdue or bool(late_steps),
        "late_count": len(late_steps),
        "missing_count": len(missing),
        "missing_steps": missing,
        "late_steps": late_steps,
        "steps": {k: steps[k]["done"] for k in STEP_KEYS},
    }
