"""Narrow dependencies for changes: a route or page gets the service whose `handle` it calls, and what
waits for the read models to show the change (`SettleDep`), not the whole System. Reads: reads.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from adapters.db.session_store import SqlSessions
from adapters.formats.accme.activities import AccmeActivities
from adapters.settings import Settings
from services.accounts import AccountService
from services.activities import ActivityRegistry
from services.completions import CompletionRegistry
from services.learner_matching import LearnerMatcher
from services.learners import LearnerDirectory
from services.licences import LicenceTracking
from services.projection_runner import ProjectionSupervisor
from services.providers import ProviderRegistry
from services.record_digests import RecordDigests
from services.store import ParsStore
from services.tokens import TokenRegistry
from services.webhooks import WebhookRegistry

if TYPE_CHECKING:
    from adapters.bootstrap import System


def _system(request: Request) -> System:
    return request.app.state.system


@dataclass(frozen=True)
class Settle:
    """Read-your-writes: waits until the named read models (all when None) reach a change's position."""

    projections: ProjectionSupervisor
    store: ParsStore

    def __call__(self, position: int | None, names: Sequence[str] | None = None, timeout: float = 5.0) -> None:
        self.projections.wait(position, timeout=timeout, names=names)

    def to_head(self, names: Sequence[str] | None = None, timeout: float = 5.0) -> None:
        """Waits for everything stored so far (a change another process, or a batch, made)."""
        self.projections.wait(self.store.head(), timeout=timeout, names=names)


def settle(request: Request) -> Settle:
    system = _system(request)
    return Settle(system.projections, system.store)


def supervisor(request: Request) -> ProjectionSupervisor:
    """The read models' runner: what `GET /api/v1/health` reports on."""
    return _system(request).projections


def settings(request: Request) -> Settings:
    """The deployment's settings (its public address, for links in mail)."""
    return _system(request).settings


def signing_key(request: Request) -> str:
    """The deployment's secret (PARS_SECRET_KEY): what signs tokens and the web forms' CSRF tokens."""
    return _system(request).secret


def provider_registry(request: Request) -> ProviderRegistry:
    return _system(request).providers


def activity_registry(request: Request) -> ActivityRegistry:
    return _system(request).activities


def accme_activities(request: Request) -> AccmeActivities:
    return _system(request).accme_activities


def completion_registry(request: Request) -> CompletionRegistry:
    return _system(request).completions


def record_digests(request: Request) -> RecordDigests:
    return _system(request).digests


def learner_directory(request: Request) -> LearnerDirectory:
    return _system(request).learners


def licence_tracking(request: Request) -> LicenceTracking:
    return _system(request).licences


def learner_matcher(request: Request) -> LearnerMatcher:
    return _system(request).matcher


def account_service(request: Request) -> AccountService:
    return _system(request).accounts


def sessions(request: Request) -> SqlSessions:
    return _system(request).sessions


def token_registry(request: Request) -> TokenRegistry:
    return _system(request).tokens


def webhook_registry(request: Request) -> WebhookRegistry:
    return _system(request).webhooks


SettleDep = Annotated[Settle, Depends(settle)]
SettingsDep = Annotated[Settings, Depends(settings)]
ProjectionsDep = Annotated[ProjectionSupervisor, Depends(supervisor)]
ProviderRegistryDep = Annotated[ProviderRegistry, Depends(provider_registry)]
ActivityRegistryDep = Annotated[ActivityRegistry, Depends(activity_registry)]
AccmeActivitiesDep = Annotated[AccmeActivities, Depends(accme_activities)]
CompletionRegistryDep = Annotated[CompletionRegistry, Depends(completion_registry)]
RecordDigestsDep = Annotated[RecordDigests, Depends(record_digests)]
LearnerDirectoryDep = Annotated[LearnerDirectory, Depends(learner_directory)]
LicenceTrackingDep = Annotated[LicenceTracking, Depends(licence_tracking)]
MatcherDep = Annotated[LearnerMatcher, Depends(learner_matcher)]
AccountServiceDep = Annotated[AccountService, Depends(account_service)]
SessionsDep = Annotated[SqlSessions, Depends(sessions)]
TokenRegistryDep = Annotated[TokenRegistry, Depends(token_registry)]
WebhookRegistryDep = Annotated[WebhookRegistry, Depends(webhook_registry)]
