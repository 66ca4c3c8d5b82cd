"""The ACCME transcript web service (`accme/accme-transcript-api.yaml`): JSON, PDF and credit totals by date."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from adapters.api.deps import PrincipalDep
from adapters.api.openapi import documented
from adapters.api.problems import Problem
from adapters.api.schemas import IsoDate
from adapters.http.credentials import CredentialsDep, verification_url
from adapters.http.locations import placed
from adapters.http.reads import TranscriptsDep
from adapters.http.transcript_pdf import pdf_response
from services.access import Principal
from services.transcripts import (
    Transcript,
    TranscriptForbiddenError,
    TranscriptLearnerNotFoundError,
    TranscriptQueries,
    TranscriptQuery,
    accme_transcript,
    credits_by_date,
)

router = APIRouter(
    prefix="/accme", tags=["ACCME transcript web service"], responses=documented(403, 404)
)  # whose transcript a token may read; the physician not found

FirstName = Annotated[str | None, Query(alias="firstName", max_length=100, description="the learner's first name")]
LastName = Annotated[str | None, Query(alias="lastName", max_length=100, description="the learner's last name")]
State = Annotated[
    str | None, Query(alias="stateOfLicensure", pattern=r"^[A-Z]{2}$", description="two-letter state of licensure")
]
LicenceId = Annotated[
    str | None, Query(alias="stateMedicalLicenseID", max_length=40, description="state medical licence ID")
]
Npi = Annotated[str | None, Query(alias="npi", pattern=r"^[0-9]{10}$", description="10-digit NPI")]
Start = Annotated[IsoDate | None, Query(alias="completionDateRangeStart", description="YYYY-MM-DD")]
End = Annotated[IsoDate | None, Query(alias="completionDateRangeEnd", description="YYYY-MM-DD")]
#: Where a transcript not found is answered: the parameters, taken together, match no one the token may read
#: (`["query"]`), or a learner token's learner is not in the directory (`["token", "learner"]`).
NOBODY_MATCHES = placed("query", kind=TranscriptLearnerNotFoundError)
TOKENS_LEARNER = placed("token", "learner", kind=TranscriptLearnerNotFoundError)


def _transcript(transcripts: TranscriptQueries, principal: Principal, q: TranscriptQuery) -> Transcript:
    try:
        return transcripts.for_principal(principal, q)
    except TranscriptForbiddenError as error:
        raise Problem(403, error.message) from None


def transcript_query(
    firstName: FirstName = None,
    lastName: LastName = None,
    stateOfLicensure: State = None,
    stateMedicalLicenseID: LicenceId = None,
    npi: Npi = None,
    completionDateRangeStart: Start = None,
    completionDateRangeEnd: End = None,
) -> TranscriptQuery:
    """The physician and the completion dates the JSON and PDF transcript routes name (query parameters)."""
    return TranscriptQuery(
        firstName,
        lastName,
        stateOfLicensure,
        stateMedicalLicenseID,
        npi,
        completionDateRangeStart,
        completionDateRangeEnd,
    )


QueryDep = Annotated[TranscriptQuery, Depends(transcript_query)]


@router.get("/GetLearnerTranscriptbyLearner")
@NOBODY_MATCHES
@TOKENS_LEARNER
def transcript_json(
    transcripts: TranscriptsDep,
    principal: PrincipalDep,
    q: QueryDep,
) -> dict[str, Any]:
    """A learner's transcript as ACCME transcript JSON; learners read their own, boards and accreditors name the physician."""
    return accme_transcript(_transcript(transcripts, principal, q))


@router.get(
    "/GetLearnerTranscriptbyLearnerPDF", response_class=Response, responses={200: {"content": {"application/pdf": {}}}}
)
@NOBODY_MATCHES
@TOKENS_LEARNER
def transcript_pdf(
    transcripts: TranscriptsDep,
    credentials: CredentialsDep,
    principal: PrincipalDep,
    q: QueryDep,
) -> Response:
    """The same transcript as a PDF to hand to a licensing board: physician, completions, totals by credit type,
    and a QR code leading to its verification."""
    found = _transcript(transcripts, principal, q)
    return pdf_response(found, verification_url(credentials, found))


@router.get("/GetLearnerTranscriptCreditsByDate")
@NOBODY_MATCHES
@TOKENS_LEARNER
def transcript_credits(
    transcripts: TranscriptsDep,
    principal: PrincipalDep,
    completionDateRangeStart: Annotated[IsoDate, Query(description="YYYY-MM-DD")],
    completionDateRangeEnd: Annotated[IsoDate, Query(description="YYYY-MM-DD")],
    firstName: FirstName = None,
    lastName: LastName = None,
    stateOfLicensure: State = None,
    stateMedicalLicenseID: LicenceId = None,
    npi: Npi = None,
) -> dict[str, Any]:
    """Credit totals by credit type for the date range (totalCredits: the CME credit, in points)."""
    q = TranscriptQuery(
        firstName,
        lastName,
        stateOfLicensure,
        stateMedicalLicenseID,
        npi,
        completionDateRangeStart,
        completionDateRangeEnd,
    )
    return credits_by_date(_transcript(transcripts, principal, q))
