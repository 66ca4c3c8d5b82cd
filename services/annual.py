"""AnnualReporting: the year-end report of each provider and the accreditors' deadlines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.annual import (
    AcceptAgreement,
    AnnualCommand,
    Attest,
    ReopenYear,
    ReviewContacts,
    SetReportingDeadline,
    SubmitProgramSummary,
    YearStep,
)
from domain.annual_report import AnnualReport, YearFacts, require_year
from domain.base import Acting
from domain.deadlines import ReportingDeadline, default_deadline
from domain.errors import InvalidValueError
from domain.provider import normalise_accreditor
from projections.checklist import ActivityFactsForYear, ChecklistView
from projections.provider_profile import ProviderProfileView
from services.providers import ConcurrentChangeError, Outcome, ProviderRegistry
from services.queries.annual import AnnualQueries
from services.retries import attempts
from services.store import ParsStore


@dataclass(frozen=True)
class Circumstances:
    """What the service knows when a command arrives: today (Central time), the deadline, the activities' facts."""

    on: date
    deadline: date
    facts: YearFacts


def _accept(r: AnnualReport, cmd: AcceptAgreement, c: Circumstances, by: Acting) -> Any:
    return r.accept_agreement(c.on, c.deadline, by)


def _summary(r: AnnualReport, cmd: SubmitProgramSummary, c: Circumstances, by: Acting) -> Any:
    values = cmd.model_dump(exclude={"accme_id", "year"})
    return r.submit_program_summary(values, c.on, c.deadline, by)


def _review(r: AnnualReport, cmd: ReviewContacts, c: Circumstances, by: Acting) -> Any:
    return r.review_contacts(c.on, c.deadline, by)


def _attest(r: AnnualReport, cmd: Attest, c: Circumstances, by: Acting) -> Any:
    return r.attest(c.facts, c.on, c.deadline, by)


def _reopen(r: AnnualReport, cmd: ReopenYear, c: Circumstances, by: Acting) -> Any:
    return r.reopen(cmd.reason, by)


#: The handler of each step of a provider's annual report: `handle` loads (or starts) the report, applies this and saves.
ANNUAL_HANDLERS: dict[type[YearStep], Callable[[AnnualReport, Any, Circumstances, Acting], Any]] = {
    AcceptAgreement: _accept,
    SubmitProgramSummary: _summary,
    ReviewContacts: _review,
    Attest: _attest,
    ReopenYear: _reopen,
}


class AnnualReporting(AnnualQueries):
    """Decides each year-end step with the clock and read models it also answers the checklist from
    (its queries are AnnualQueries', services/queries/annual.py)."""

    def __init__(
        self,
        store: ParsStore,
        providers: ProviderRegistry,
        profiles: ProviderProfileView,
        view: ChecklistView,
        facts: ActivityFactsForYear,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(profiles, view, facts, clock)
        self.store = store
        self.providers = providers

    # --- commands --------------------------------------------------------------------------

    def handle(self, cmd: AnnualCommand, by: Acting) -> Outcome:
        """Sets a deadline; or loads (or starts) the provider's report for the year, applies the step, saves,
        and retries on races."""
        if isinstance(cmd, SetReportingDeadline):
            return self.set_deadline(cmd, by)
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
            f"the {year} report of provider {cmd.accme_id} is being changed by others; try again", loc=("year",)
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
            raise InvalidValueError(f"the {year} reporting year has not begun", loc=("year",))
        return year
