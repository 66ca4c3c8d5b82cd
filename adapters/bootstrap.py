"""The composition root: builds the store, services, views and projections from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from adapters.credentials.issuer import CredentialIssuer
from adapters.credentials.keys import load_issuer_keys
from adapters.db.accounts_view import SqlAccountView
from adapters.db.activity_summary_view import SqlActivitySummaryView
from adapters.db.as_of_snapshots import SqlReplaySnapshots
from adapters.db.checklist_view import SqlChecklistView
from adapters.db.credential_status_view import SqlCredentialStatusView
from adapters.db.credential_store import SqlCredentials
from adapters.db.dashboard_counts import backfill as backfill_dashboard_counts
from adapters.db.database import Database
from adapters.db.directory_view import SqlDirectoryView
from adapters.db.event_chain_view import SqlEventChainView
from adapters.db.feeds_view import SqlFeedView
from adapters.db.history_view import SqlHistoryView
from adapters.db.learner_directory_view import SqlLearnerDirectoryView
from adapters.db.learner_key_store import SqlPersonalKeys
from adapters.db.licences_view import SqlLicencesView
from adapters.db.licences_view import refill_if_made_before_steps as refill_licences
from adapters.db.log_reads import SqlLogReads
from adapters.db.oversight_counts import backfill as backfill_oversight_counts
from adapters.db.oversight_reports import SqlOversightReads
from adapters.db.provider_profile_view import SqlProviderProfileView
from adapters.db.record_status_view import SqlRecordStatusView
from adapters.db.scratch import replay_code_version, scratch_views
from adapters.db.session_store import SqlSessions
from adapters.db.throttle_store import SqlSignInThrottle
from adapters.db.tokens_view import SqlTokenView
from adapters.db.transcripts_view import SqlTranscriptView
from adapters.db.webhook_secret_store import SqlWebhookSecrets
from adapters.db.webhook_store import SqlDeliveryStore
from adapters.db.webhooks_view import SqlWebhookView
from adapters.formats.accme.activities import AccmeActivities
from adapters.mail import mailer_from
from adapters.passwords import Argon2Hasher
from adapters.settings import Settings
from adapters.tokens import issue_token
from adapters.webhooks.transport import SafeTransport
from projections.accounts import AccountProjection
from projections.activity_summary import ActivitySummaryProjection
from projections.checklist import ChecklistProjection
from projections.credential_status import CredentialStatusProjection
from projections.directory import DirectoryProjection
from projections.event_chain import EventChainProjection
from projections.feeds import FeedProjection
from projections.history import HistoryProjection
from projections.learner_directory import LearnerDirectoryProjection
from projections.licences import LicencesProjection
from projections.provider_profile import ProviderProfileProjection
from projections.record_status import RecordStatusProjection
from projections.tokens import TokenProjection
from projections.transcripts import TranscriptProjection
from projections.webhooks import WebhookProjection
from services.accounts import AccountService
from services.activities import ActivityRegistry
from services.annual import AnnualReporting
from services.as_of import AsOfReplayer
from services.audit import EventChains
from services.completions import CompletionRegistry
from services.learner_matching import LearnerMatcher
from services.learner_reports import LearnerReportQueries
from services.learners import LearnerDirectory
from services.licences import LicenceTracking
from services.projection_runner import ProjectionSupervisor
from services.providers import ProviderRegistry
from services.queries.accounts import AccountQueries
from services.queries.activities import ActivityQueries
from services.queries.audit import AuditQueries
from services.queries.completions import CompletionQueries
from services.queries.feeds import FeedQueries
from services.queries.licences import LicenceQueries
from services.queries.oversight import OversightQueries
from services.queries.providers import DirectoryQueries, ProviderQueries
from services.queries.read_models import LiveQueries, ReadModels
from services.queries.records import RecordStatusQueries
from services.queries.research_extract import ResearchExtract
from services.queries.webhooks import WebhookQueries
from services.record_digests import RecordDigests
from services.store import ParsStore
from services.tokens import TokenLifetimes, TokenRegistry
from services.transcripts import TranscriptQueries
from services.webhooks import WebhookRegistry


@dataclass
class System:
    """What the front ends, the CLI and the workers are given. Commands go to the services (each one's
    `handle`); reads go through `reads` and `queries` (services/queries/). The projections that keep the
    read models are not fields: the supervisor (`projections`) runs them, and hands one out by its class
    (`projections.get(FeedProjection)`) to what works on a projection itself (the feed relay, rebuilds)."""

    settings: Settings
    store: ParsStore
    db: Database
    projections: ProjectionSupervisor
    # Providers and contacts.
    providers: ProviderRegistry
    # Activities.
    activities: ActivityRegistry
    accme_activities: AccmeActivities  # the same registry as ACCME JSON items: what batch files go in and come out as
    # Annual reporting.
    annual: AnnualReporting
    # The learner directory: registrations and erasure, and matching.
    learners: LearnerDirectory
    matcher: LearnerMatcher
    # Completions (learner credit).
    completions: CompletionRegistry
    # The digest of MOC records at risk and late, mailed to the contacts a provider chose.
    digests: RecordDigests
    # Licence requirement tracking: the states' rules and the licences physicians track.
    licences: LicenceTracking
    # Web accounts (sign-in, invitations, resets) and their sessions.
    accounts: AccountService
    sessions: SqlSessions
    # Bearer tokens of every role: issue, list, revoke, and the check at each use.
    tokens: TokenRegistry
    # As-of reads: the read models replayed to an instant (services/as_of.py).
    as_of: AsOfReplayer
    # The read side (services/queries/): what the API routes, the web pages, the CLI and as-of reads answer through.
    reads: ReadModels
    queries: LiveQueries
    # The CME Passport's verifiable credentials: issue, publish the status lists, verify (adapters/credentials/).
    credentials: CredentialIssuer
    # Webhooks: endpoints registered and removed, deliveries sent again (the registry); what they read
    # (`webhook_queries`); and what the sender (adapters/webhooks/sender.py) works with.
    webhooks: WebhookRegistry
    webhook_queries: WebhookQueries
    webhook_deliveries: SqlDeliveryStore
    webhook_secrets: SqlWebhookSecrets = field(repr=False)
    webhook_transport: SafeTransport
    secret: str = field(repr=False, default="")

    def close(self) -> None:
        self.projections.stop()
        self.webhook_transport.close()
        self.store.close()
        self.db.dispose()


@contextmanager
def open_projections(settings: Settings) -> Iterator[ProjectionSupervisor]:
    """The read models of a system opened afresh on the same settings (its own connections), closed after:
    what each worker process of a rebuild runs its share on."""
    system = bootstrap(settings)
    try:
        yield system.projections
    finally:
        system.close()


def bootstrap(settings: Settings | None = None) -> System:
    settings = settings or Settings()
    url = settings.db_url
    db = Database(url)
    with db.schema_lock():  # the event store creates its tables too: one process at a time
        store = ParsStore(env=url.event_store_env())
    db.create_tables()
    backfill_dashboard_counts(db)  # a database made before the dashboard's counts were kept
    backfill_oversight_counts(db)  # and before the REMS and MIPS reports' counts were
    refill_licences(db)  # and before the licences' status rows covered every day
    profiles = ProviderProfileProjection(SqlProviderProfileView(db, ProviderProfileProjection.name))
    directory = DirectoryProjection(SqlDirectoryView(db, DirectoryProjection.name))
    history = HistoryProjection(SqlHistoryView(db, HistoryProjection.name))
    checklist = ChecklistProjection(SqlChecklistView(db, ChecklistProjection.name))
    providers = ProviderRegistry(store)
    personal_keys = SqlPersonalKeys(db)
    store.use_personal_keys(personal_keys)
    store.use_log_reads(SqlLogReads(store.recorder))
    activity_summary = ActivitySummaryProjection(SqlActivitySummaryView(db, ActivitySummaryProjection.name))
    learner_directory = LearnerDirectoryProjection(SqlLearnerDirectoryView(db, LearnerDirectoryProjection.name))
    transcripts = TranscriptProjection(SqlTranscriptView(db, TranscriptProjection.name))
    licence_status = LicencesProjection(SqlLicencesView(db, LicencesProjection.name))
    record_status = RecordStatusProjection(SqlRecordStatusView(db, RecordStatusProjection.name))
    chain = EventChainProjection(SqlEventChainView(db, EventChainProjection.name))
    feeds = FeedProjection(SqlFeedView(db, FeedProjection.name))
    token_list = TokenProjection(SqlTokenView(db, TokenProjection.name))
    credential_status = CredentialStatusProjection(SqlCredentialStatusView(db, CredentialStatusProjection.name))
    webhook_list = WebhookProjection(SqlWebhookView(db, WebhookProjection.name))
    activities = ActivityRegistry(
        store, known=lambda a: [d["provider_activity_id"] for d in activity_summary.view.summaries(a, None)]
    )
    matcher = LearnerMatcher(learner_directory.view)
    account_list = AccountProjection(SqlAccountView(db, AccountProjection.name))
    sessions = SqlSessions(db)
    secret = settings.signing_key()
    lifetimes = TokenLifetimes(settings.system_token_days, settings.token_days)
    tokens = TokenRegistry(
        store,
        providers,
        token_list.view,
        profiles.view,
        lambda role, **scope: issue_token(secret, role, **scope),
        lifetimes,
    )
    accounts = AccountService(
        store,
        SqlCredentials(db),
        sessions,
        Argon2Hasher(fast=settings.fast_password_hashing),
        mailer_from(settings.mail),
        secret,
        SqlSignInThrottle(db),
        keys=personal_keys,
        matcher=matcher,
        # A physician's sign-up: the accounts already opened for the learner (erased ones have no row).
        learner_accounts=lambda learner_id: [
            a["account_id"] for a in account_list.view.list_accounts(tenants=[f"learner:{learner_id}"])
        ],
    )
    learners = LearnerDirectory(store, learner_directory.view, personal_keys)
    annual = AnnualReporting(
        store, providers, profiles.view, checklist.view, checklist.view, mailer=mailer_from(settings.mail)
    )
    annual.staff_email = lambda account_id: (account_list.view.get_account(account_id) or {}).get("email")
    provider_queries = ProviderQueries(profiles.view)
    reads = ReadModels(
        profiles=provider_queries,
        # Late-bound "today": the services' clocks decide it (tests set them on the services).
        activities=ActivityQueries(activity_summary.view, provider_queries, lambda: activities.today()),  # noqa: PLW0108 - late-bound
        completions=CompletionQueries(transcripts.view, provider_queries, activity_summary.view),
        annual=annual,  # the service's own clock decides the checklist's days left, as it decides lateness
        today=lambda: activities.today(),  # noqa: PLW0108 - late-bound, as above
        records=RecordStatusQueries(record_status.view, lambda: activities.today()),  # noqa: PLW0108 - late-bound
    )
    licence_queries = LicenceQueries(
        licence_status.view,
        transcripts.view,
        learner_directory.view,
        lambda: activities.today(),  # noqa: PLW0108 - late-bound, as above
    )
    queries = LiveQueries(
        directory=DirectoryQueries(directory.view),
        audit=AuditQueries(history.view),
        accounts=AccountQueries(account_list.view),
        feeds=FeedQueries(feeds.view),
        transcripts=TranscriptQueries(learners, learner_directory.view, transcripts.view, profiles.view),
        learner_reports=LearnerReportQueries(matcher, learner_directory.view, transcripts.view, profiles.view),
        chains=EventChains(store, chain),
        oversight=OversightQueries(SqlOversightReads(db)),
        research=ResearchExtract(
            activity_summary.view,
            lambda: {a: accreditor for a, (accreditor, _) in provider_queries.accreditors_and_names().items()},
        ),
        licences=licence_queries,
    )
    webhook_secrets = SqlWebhookSecrets(db, secret)
    webhook_deliveries = SqlDeliveryStore(db)
    webhook_transport = SafeTransport(
        allow_private=settings.webhook_allow_private,
        allow_http=settings.webhook_allow_http,
        timeout=settings.webhook_timeout,
    )
    return System(
        settings=settings,
        store=store,
        db=db,
        providers=providers,
        projections=ProjectionSupervisor(
            store,
            [
                profiles,
                directory,
                history,
                checklist,
                learner_directory,
                activity_summary,
                transcripts,
                chain,
                account_list,
                feeds,
                token_list,
                record_status,
                credential_status,
                webhook_list,
                licence_status,
            ],
            reopen=partial(open_projections, settings),
        ),
        annual=annual,
        secret=secret,
        learners=learners,
        matcher=matcher,
        activities=activities,
        accme_activities=AccmeActivities(activities),
        completions=CompletionRegistry(store, activities, matcher, feed_items=feeds.view),
        digests=RecordDigests(store, reads.records, provider_queries, mailer_from(settings.mail)),
        licences=LicenceTracking(
            store,
            learners,
            licence_queries,
            account_list.view,
            mailer_from(settings.mail),
            lambda: activities.today(),  # noqa: PLW0108 - late-bound, as above
        ),
        accounts=accounts,
        sessions=sessions,
        tokens=tokens,
        as_of=AsOfReplayer(store, history.view, scratch_views, SqlReplaySnapshots(db, replay_code_version())),
        reads=reads,
        queries=queries,
        credentials=CredentialIssuer(
            load_issuer_keys(settings.public_base(), Path(settings.issuer_key_dir), settings.issuer_key),
            settings.public_base(),
            credential_status.view,
            transcripts.view,
            learner_directory.view,
        ),
        webhooks=WebhookRegistry(
            store, webhook_list.view, webhook_secrets, webhook_transport.check, webhook_deliveries
        ),
        webhook_queries=WebhookQueries(webhook_list.view, webhook_deliveries),
        webhook_deliveries=webhook_deliveries,
        webhook_secrets=webhook_secrets,
        webhook_transport=webhook_transport,
    )
