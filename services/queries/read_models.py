"""What the provider, activity, completion, checklist and dashboard reads answer from: the query objects
over the live read models, or over the same read models replayed to an instant (services/as_of.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from services.audit import EventChains
from services.learner_reports import LearnerReportQueries
from services.queries.accounts import AccountQueries
from services.queries.activities import ActivityQueries
from services.queries.annual import AnnualQueries
from services.queries.audit import AuditQueries
from services.queries.completions import CompletionQueries
from services.queries.feeds import FeedQueries
from services.queries.licences import LicenceQueries
from services.queries.oversight import OversightQueries
from services.queries.providers import DirectoryQueries, ProviderQueries
from services.queries.records import RecordStatusQueries
from services.queries.research_extract import ResearchExtract
from services.transcripts import TranscriptQueries


@dataclass
class ReadModels:
    """Live, or as of an instant (`as_of`) with "today" as it was then."""

    profiles: ProviderQueries
    activities: ActivityQueries
    completions: CompletionQueries
    annual: AnnualQueries
    today: Callable[[], date]
    records: RecordStatusQueries  # every record's status with each board
    as_of: datetime | None = None
    events: int = 0  # how many events the replay applied (0 when live)
    close: Callable[[], None] = field(default=lambda: None, repr=False)


@dataclass(frozen=True)
class LiveQueries:
    """The reads no as-of read asks: the public directory, a provider's history (which takes its own
    `as_of`), web accounts, the board and state feeds, the learner-centred reads (ACCME transcripts, a
    provider's reports of a learner), and the hash chains `pars audit verify` checks."""

    directory: DirectoryQueries
    audit: AuditQueries
    accounts: AccountQueries
    feeds: FeedQueries
    transcripts: TranscriptQueries
    learner_reports: LearnerReportQueries
    chains: EventChains
    oversight: OversightQueries  # the MIPS report across providers
    research: ResearchExtract  # the anonymised research extract (ACCME staff)
    licences: LicenceQueries
