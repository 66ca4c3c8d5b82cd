"""AnnualReporting: the year-end report of each provider and the accreditors' deadlines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.annual import ANNUAL_HANDLERS, Attest, Circumstances, SetReportingDeadline, YearCommand
from domain.annual_report import AnnualReport, YearFacts, require_year
from domain.base import Acting
from domain.deadlines import ReportingDeadline, default_deadline
from domain.errors import InvalidValueError
from domain.provider import normalise_accreditor
from projections.checklist import ActivityFactsForYear, ChecklistView
from projections.provider_profile import ProviderProfileView
from services.providers import MAX_ATTEMPTS, ConcurrentChangeError, Outcome, ProviderRegistry
from services.queries.annual import AnnualQueries
from services.store import ParsStore


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

    def handle(self, cmd: YearCommand, by: Acting) -> Outcome:
        """Loads (or starts) the provider's report for the year, applies the command, saves; retries on races."""
        handler = ANNUAL_HANDLERS[type(cmd)]
        year = self._reportable_year(cmd.year)
        provider = self.providers.get(cmd.accme_id)
        for _ in range(MAX_ATTEMPTS):
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
        for _ in range(MAX_ATTEMPTS):
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
