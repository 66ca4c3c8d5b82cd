"""Verifiable credentials: a completion's Open Badges 3.0 credential, the CLR 2.0 transcript, the issuer's DID
document, the revocation status lists, and verification anyone may ask for."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from adapters.api.deps import PrincipalDep
from adapters.api.openapi import documented
from adapters.api.problems import Problem
from adapters.api.schemas import IsoDate
from adapters.credentials.issuer import CredentialNotReadyError, CredentialRevokedError
from adapters.credentials.jwt_vc import MEDIA_TYPE
from adapters.http.credentials import CredentialsDep, signed_answer, token_from
from adapters.http.reads import TranscriptsDep
from services.transcripts import TranscriptForbiddenError, TranscriptQuery

router = APIRouter(tags=["verifiable credentials"])

Provider = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{7}$", description="the 7-digit ACCME ID of the provider that reported the credit ID"),
]
Npi = Annotated[str | None, Query(pattern=r"^[0-9]{10}$", description="boards and accreditors: the physician's NPI")]


def _problem(error: Exception, loc: list[str]) -> Problem:
    if isinstance(error, TranscriptForbiddenError):
        return Problem(403, error.message)
    if isinstance(error, CredentialNotReadyError):
        return Problem(503, str(error), headers={"Retry-After": "1"})
    return Problem(404, str(error), [{"loc": loc, "msg": "revoked"}])


@router.get("/api/v1/passport/credentials/{credit_id}", responses=documented(403, 404, 503))
def completion_credential(
    credit_id: Annotated[str, Path(max_length=300)],
    transcripts: TranscriptsDep,
    credentials: CredentialsDep,
    principal: PrincipalDep,
    provider: Provider = None,
) -> dict[str, Any]:
    """One completion's Open Badges 3.0 credential (a JWT-VC): the learner's own, or a physician's a board may read."""
    try:
        found = transcripts.completion(principal, credit_id, provider)
        token = credentials.completion(found)
    except (TranscriptForbiddenError, CredentialNotReadyError, CredentialRevokedError) as error:
        raise _problem(error, ["path", "credit_id"]) from None
    return signed_answer(token)


@router.get("/api/v1/passport/clr", responses=documented(403, 404, 503))
def clr_transcript(
    transcripts: TranscriptsDep,
    credentials: CredentialsDep,
    principal: PrincipalDep,
    start: Annotated[IsoDate | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="YYYY-MM-DD")] = None,
    npi: Npi = None,
) -> dict[str, Any]:
    """The transcript for the date range as a CLR 2.0 credential bundling each completion's Open Badges credential."""
    if start and end and end < start:
        raise Problem(422, "'to' is before 'from'", [{"loc": ["query", "to"], "msg": "before from"}])
    try:
        found = transcripts.for_principal(principal, TranscriptQuery(npi=npi, start=start, end=end))
        token = credentials.clr(found)
    except (TranscriptForbiddenError, CredentialNotReadyError, CredentialRevokedError) as error:
        raise _problem(error, ["query"]) from None
    return signed_answer(token)


# Not an API operation (a did:web resolver's fixed address): out of /openapi.json, as the pages are.
@router.get("/.well-known/did.json", include_in_schema=False)
def did_document(credentials: CredentialsDep) -> dict[str, Any]:
    """The issuer's DID document (`did:web`): every key that signed PARS's credentials, the current one first."""
    return credentials.keys.did_document()


@router.get(
    "/api/v1/credentials/status/{list_number}",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}}, **documented(404)},
)
def status_list(list_number: Annotated[int, Path(ge=0, le=1_000_000)], credentials: CredentialsDep) -> Response:
    """A revocation Bitstring Status List, signed (a JWT-VC): a set bit is a revoked credential."""
    token = credentials.status_list(list_number)
    if token is None:
        raise Problem(404, f"there is no status list {list_number}", [{"loc": ["path", "list_number"], "msg": "none"}])
    return Response(token, media_type=MEDIA_TYPE, headers={"Cache-Control": "max-age=300"})


class VerifyBody(BaseModel):
    credential: str | dict[str, Any] = Field(
        description="the credential: its compact JWT, a `data:application/vc+jwt,` URL, an enveloped credential, "
        "or the JSON the credential routes answer; or a transcript reference (the PDF's QR code)"
    )


@router.post("/api/v1/verify")
def verify(body: VerifyBody, credentials: CredentialsDep) -> dict[str, Any]:
    """Checks a credential of this PARS (no token needed): valid, revoked or tampered, who issued it, about whom, for what."""
    token = token_from(body.credential)
    if token is None:
        raise Problem(
            422,
            "this is not a signed credential: paste the credential's JWT (three parts separated by dots)",
            [{"loc": ["body", "credential"], "msg": "not a JWT-VC"}],
        )
    return credentials.verify(token).as_json()
