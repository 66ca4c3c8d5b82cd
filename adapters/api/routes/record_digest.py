"""The digest of a provider's MOC records at risk and late: which contacts get it (opt-in, none by default), and
sending it now. `pars admin send-record-digests` sends every provider's that asked for one (daily)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND
from adapters.api.schemas import AccmeIdPath
from adapters.http.locations import placed
from adapters.http.reads import RecordsDep
from adapters.http.services import RecordDigestsDep, SettingsDep, SettleDep
from commands.completions import SendRecordDigests, SetRecordDigest
from domain.record_digest import ROLES

router = APIRouter(prefix="/api/v1/providers", tags=["completions"])


class DigestUpdate(BaseModel):
    roles: Annotated[
        list[str],
        Field(
            max_length=len(ROLES),
            description="the contact roles the digest is mailed to (" + ", ".join(ROLES) + "); [] stops it",
        ),
    ]


class DigestSend(BaseModel):
    force: bool = Field(False, description="send even when a digest went out within the last 20 hours")


def _digest(records: Any, digests: Any, accme_id: str) -> dict[str, Any]:
    return {"roles": digests.roles(accme_id), "records_due": records.deadline_counts(accme_id)}


@router.get("/{accme_id}/record-digest")
def get_record_digest(
    access: AccessDep, principal: PrincipalDep, digests: RecordDigestsDep, records: RecordsDep, accme_id: AccmeIdPath
) -> Any:
    """Who gets the digest of records at risk and late (no role: nobody), and what it would count today."""
    access.visible(principal, accme_id)
    return _digest(records, digests, accme_id)


@router.put("/{accme_id}/record-digest", responses=COMMAND)
@placed("body", "roles")
def set_record_digest(
    body: DigestUpdate,
    access: AccessDep,
    principal: PrincipalDep,
    digests: RecordDigestsDep,
    records: RecordsDep,
    settle: SettleDep,
    accme_id: AccmeIdPath,
) -> Any:
    """Asks for the digest of MOC records at risk and late, mailed to these contact roles' holders ([] stops it)."""
    access.require_editor(principal, accme_id)
    outcome = digests.handle(SetRecordDigest(accme_id=accme_id, roles=body.roles), acting(principal))
    settle(outcome.position, names=["history"])
    return _digest(records, digests, accme_id)


@router.post("/{accme_id}/record-digest/send", responses=COMMAND)
@placed("body", "force")
def send_record_digest(
    body: DigestSend,
    access: AccessDep,
    principal: PrincipalDep,
    digests: RecordDigestsDep,
    settings: SettingsDep,
    settle: SettleDep,
    accme_id: AccmeIdPath,
) -> Any:
    """Mails the provider's digest now (not within 20 hours of the last unless `force`); the result says what
    happened: sent, nothing_due, not_asked, sent_recently or mail_failed."""
    access.require_editor(principal, accme_id)
    cmd = SendRecordDigests(providers=(accme_id,), force=body.force, base_url=settings.public_base())
    outcome = digests.handle(cmd, acting(principal))
    settle(outcome.position, names=["history"])
    return outcome.value["results"][0]
