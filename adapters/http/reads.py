"""Narrow dependencies: a route or page gets the query object it reads (services/queries/), not the
whole System. Live reads; routes that take `as_of` open theirs with `ReadsAt` (adapters/api/as_of.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from services.annual import AnnualReporting
from services.learner_reports import LearnerReportQueries
from services.queries.accounts import AccountQueries
from services.queries.activities import ActivityQueries
from services.queries.audit import AuditQueries
from services.queries.completions import CompletionQueries
from services.queries.feeds import FeedQueries
from services.queries.licences import LicenceQueries
from services.queries.oversight import OversightQueries
from services.queries.providers import DirectoryQueries, ProviderQueries
from services.queries.read_models import ReadModels
from services.queries.records import RecordStatusQueries
from services.queries.research_extract import ResearchExtract
from services.queries.webhooks import WebhookQueries
from services.transcripts import TranscriptQueries

if TYPE_CHECKING:
    from adapters.bootstrap import System


def _system(request: Request) -> System:
    return request.app.state.system


def live_reads(request: Request) -> ReadModels:
    return _system(request).reads


def provider_queries(request: Request) -> ProviderQueries:
    return _system(request).reads.profiles


def activity_queries(request: Request) -> ActivityQueries:
    return _system(request).reads.activities


def completion_queries(request: Request) -> CompletionQueries:
    return _system(request).reads.completions


def record_queries(request: Request) -> RecordStatusQueries:
    return _system(request).reads.records


def annual_reporting(request: Request) -> AnnualReporting:
    """The year-end service: its queries (the checklist, the year-end table) and its clock."""
    return _system(request).annual


def directory_queries(request: Request) -> DirectoryQueries:
    return _system(request).queries.directory


def audit_queries(request: Request) -> AuditQueries:
    return _system(request).queries.audit


def account_queries(request: Request) -> AccountQueries:
    return _system(request).queries.accounts


def feed_queries(request: Request) -> FeedQueries:
    return _system(request).queries.feeds


def transcript_queries(request: Request) -> TranscriptQueries:
    return _system(request).queries.transcripts


def oversight_queries(request: Request) -> OversightQueries:
    return _system(request).queries.oversight


def research_extract(request: Request) -> ResearchExtract:
    return _system(request).queries.research


def licence_queries(request: Request) -> LicenceQueries:
    return _system(request).queries.licences


def learner_report_queries(request: Request) -> LearnerReportQueries:
    return _system(request).queries.learner_reports


def webhook_queries(request: Request) -> WebhookQueries:
    """A provider's webhooks, their deliveries and attempts."""
    return _system(request).webhook_queries


ReadsDep = Annotated[ReadModels, Depends(live_reads)]
ProvidersDep = Annotated[ProviderQueries, Depends(provider_queries)]
ActivitiesDep = Annotated[ActivityQueries, Depends(activity_queries)]
CompletionsDep = Annotated[CompletionQueries, Depends(completion_queries)]
RecordsDep = Annotated[RecordStatusQueries, Depends(record_queries)]
AnnualDep = Annotated[AnnualReporting, Depends(annual_reporting)]
DirectoryDep = Annotated[DirectoryQueries, Depends(directory_queries)]
AuditDep = Annotated[AuditQueries, Depends(audit_queries)]
AccountsDep = Annotated[AccountQueries, Depends(account_queries)]
FeedsDep = Annotated[FeedQueries, Depends(feed_queries)]
TranscriptsDep = Annotated[TranscriptQueries, Depends(transcript_queries)]
OversightDep = Annotated[OversightQueries, Depends(oversight_queries)]
ResearchDep = Annotated[ResearchExtract, Depends(research_extract)]
LicencesDep = Annotated[LicenceQueries, Depends(licence_queries)]
LearnerReportsDep = Annotated[LearnerReportQueries, Depends(learner_report_queries)]
WebhooksDep = Annotated[WebhookQueries, Depends(webhook_queries)]
