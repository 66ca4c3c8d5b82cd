"""As-of reads: a provider's read models as they stood at an instant, rebuilt by replaying its events.

The projection classes that keep the live read models (projections/*.py) run over the provider's
events recorded up to the instant, into fresh scratch views (adapters/db/scratch.py: the same SQL
views on an in-memory database), and the routes answer from those with the code they use for live
reads. No rule exists twice, so an as-of answer is what the live read model said at that instant
(tests/audit/test_as_of.py checks exactly that).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from eventsourcing.persistence import Tracking

from domain.deadlines import ReportingDeadline
from projections.activity_summary import ActivitySummaryProjection, ActivitySummaryView
from projections.base import APPLICATION_NAME, ParsProjection
from projections.checklist import ChecklistProjection, ChecklistView
from projections.history import HistoryView
from projections.provider_profile import ProviderProfileProjection, ProviderProfileView
from projections.transcripts import TranscriptProjection, TranscriptView
from services.annual import AnnualReporting
from services.providers import ProviderRegistry
from services.store import ParsStore

#: The aggregates whose events each read model is built from (the provider's own streams).
#: The checklist also reads the accreditor's reporting deadlines, which belong to no provider.
SOURCES: dict[str, tuple[str, ...]] = {
    ProviderProfileProjection.name: ("Provider",),
    ActivitySummaryProjection.name: ("Activity",),
    TranscriptProjection.name: ("Completion",),
    ChecklistProjection.name: ("AnnualReport", "Activity"),
}


@dataclass
class ReadModels:
    """What the provider, activity, checklist and dashboard routes answer from: the live read models,
    or the same read models replayed to an instant (`as_of`), with "today" as it was then."""

    profiles: ProviderProfileView
    activities: ActivitySummaryView
    transcripts: TranscriptView
    annual: AnnualReporting
    today: Callable[[], date]
    as_of: datetime | None = None
    events: int = 0  # how many events the replay applied (0 when live)
    close: Callable[[], None] = field(default=lambda: None, repr=False)


@dataclass
class ScratchViews:
    """Empty views of the same kinds as the live ones, private to one replay."""

    profiles: ProviderProfileView
    activities: ActivitySummaryView
    transcripts: TranscriptView
    checklist: ChecklistView
    close: Callable[[], None]


class AsOfReplayer:
    def __init__(
        self,
        store: ParsStore,
        history: HistoryView,
        providers: ProviderRegistry,
        scratch: Callable[[], ScratchViews],
    ) -> None:
        self.store = store
        self.history = history
        self.providers = providers
        self.scratch = scratch

    @staticmethod
    def past(as_of: datetime | None) -> datetime | None:
        """The instant to replay to (UTC when it names no zone); None when the live read models answer:
        no instant, or one not yet past (the future looks like now)."""
        if as_of is None:
            return None
        as_of = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
        return as_of if as_of < datetime.now(UTC) else None

    def replay(
        self, accme_id: str, as_of: datetime, needs: Collection[str], accreditor: str | None = None, years: Iterable[int] = ()
    ) -> ReadModels:
        """The read models in `needs` (projection names; the provider profile always) rebuilt from the
        provider's events recorded up to `as_of`; `accreditor` and `years` say which reporting deadlines
        the checklist reads. Close the answer when done with it."""
        views = self.scratch()
        projections: list[ParsProjection[Any]] = [ProviderProfileProjection(views.profiles)]
        if ActivitySummaryProjection.name in needs:
            projections.append(ActivitySummaryProjection(views.activities))
        if TranscriptProjection.name in needs:
            projections.append(TranscriptProjection(views.transcripts))
        if ChecklistProjection.name in needs:
            projections.append(ChecklistProjection(views.checklist))
        aggregates = sorted({a for p in projections for a in SOURCES[p.name]})
        events = []
        if ChecklistProjection.name in needs and accreditor:
            events += self._deadline_events(accreditor, years, as_of)
        positions = self.history.positions(accme_id, as_of, aggregates)
        events += [self.store.mapper.to_domain_event(n) for n in self.store.notifications_at(positions)]
        try:
            for projection in projections:
                with projection.view.transaction():
                    # Positions private to this replay: only their order matters, and each read model is
                    # independent of the others (deadline rows of one another's events alike).
                    for number, event in enumerate(events, start=1):
                        projection.process_event(event, Tracking(APPLICATION_NAME, number))
        except BaseException:
            views.close()
            raise
        today = as_of.astimezone().date()  # as `date.today()` would have said then
        annual = AnnualReporting(self.store, self.providers, views.profiles, views.checklist, views.checklist, clock=lambda: as_of)
        return ReadModels(
            profiles=views.profiles,
            activities=views.activities,
            transcripts=views.transcripts,
            annual=annual,
            today=lambda: today,
            as_of=as_of,
            events=len(events),
            close=views.close,
        )

    def _deadline_events(self, accreditor: str, years: Iterable[int], as_of: datetime) -> list[Any]:
        found = []
        for year in sorted(set(years)):
            stream = ReportingDeadline.create_id(accreditor, year)
            found += [e for e in self.store.events.get(stream) if e.timestamp <= as_of]
        return found
