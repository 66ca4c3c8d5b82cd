"""A provider's year-end reporting: agreement, program summary, contact review, attestation, checklist, reopening."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field

from adapters.api.as_of import AsOfQuery, ReadsAtDep
from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND
from adapters.api.problems import Problem, problem_response
from adapters.api.schemas import AccmeIdPath, Strict
from adapters.http.locations import placed
from adapters.http.reads import AnnualDep
from adapters.http.services import Settle, SettleDep
from commands.annual import AcceptAgreement, Attest, ReopenYear, ReviewContacts, SubmitProgramSummary, YearStep
from domain.annual_report import FIRST_YEAR, LAST_YEAR, MAX_DOLLARS, SUMMARY_FIELDS, AttestationIncompleteError
from projections.checklist import ChecklistProjection
from services.access import Principal
from services.annual import AnnualReporting

router = APIRouter(prefix="/api/v1/providers", tags=["annual reporting"])
READ_MODELS = ["checklist"]


def four_digits(value: Any) -> Any:
    """A year in a path is exactly four digits ("2025"), not "2025.0" or "25"."""
    if isinstance(value, str) and not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise ValueError("year must be four digits, e.g. 2025")
    return value


YearPath = Annotated[
    int,
    Path(ge=FIRST_YEAR, le=LAST_YEAR, description="the reporting year, four digits", examples=[2025]),
    BeforeValidator(four_digits),
]
Dollars = Annotated[
    int | None,
    Field(default=None, strict=True, ge=0, le=MAX_DOLLARS, description="whole dollars; null: not entered yet"),
]


class ProgramSummaryUpdate(Strict):
    advertising_exhibit_income: Dollars = None
    registration_fees: Dollars = None
    government_grants: Dollars = None
    private_donations: Dollars = None


class CommercialSupportTotals(BaseModel):
    """Summed from the activities that ended in the year; the dashboard shows the same figures."""

    activities_supported: int
    monetary_total: int
    monetary_by_source: dict[str, int]
    in_kind_count: int
    in_kind_sources: list[str]


class ProgramSummaryPublic(BaseModel):
    year: int
    advertising_exhibit_income: int | None
    registration_fees: int | None
    government_grants: int | None
    private_donations: int | None
    commercial_support: CommercialSupportTotals
    attested: bool = Field(description="while attested, changes wait for the accreditor to reopen the year")


class Reopening(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class ChecklistStep(BaseModel):
    key: str
    done: bool
    missing: list[Any]
    late: bool = Field(description="done after the deadline")


class ChecklistPublic(BaseModel):
    complete: bool
    deadline: str
    steps: list[ChecklistStep]


def _change(
    annual: AnnualReporting, settle: Settle, principal: Principal, accme_id: str, cmd: YearStep
) -> dict[str, Any]:
    outcome = annual.handle(cmd, acting(principal))
    settle(outcome.position, READ_MODELS)  # read-your-writes
    return annual.checklist(accme_id, cmd.year)


@router.post("/{accme_id}/years/{year}/agreement", response_model=ChecklistPublic, responses=COMMAND)
def accept_agreement(
    annual: AnnualDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: YearPath,
) -> Any:
    """Accepts the annual agreement for the year; answers with the checklist."""
    access.require_editor(principal, accme_id)
    return _change(annual, settle, principal, accme_id, AcceptAgreement(accme_id=accme_id, year=year))


@router.put("/{accme_id}/years/{year}/program-summary", response_model=ChecklistPublic, responses=COMMAND)
@placed("body", *SUMMARY_FIELDS)
def submit_program_summary(
    body: ProgramSummaryUpdate,
    annual: AnnualDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: YearPath,
) -> Any:
    """Sets the year's program summary in whole dollars (409 once attested, until the accreditor reopens the year)."""
    access.require_editor(principal, accme_id)
    cmd = SubmitProgramSummary(accme_id=accme_id, year=year, **body.model_dump())
    return _change(annual, settle, principal, accme_id, cmd)


@router.get("/{accme_id}/years/{year}/program-summary", response_model=ProgramSummaryPublic)
def get_program_summary(
    annual: AnnualDep, access: AccessDep, principal: PrincipalDep, accme_id: AccmeIdPath, year: YearPath
) -> Any:
    """The program summary as entered, with commercial support summed from the year's activities."""
    access.visible(principal, accme_id)
    return annual.program_summary(accme_id, year)


@router.post("/{accme_id}/years/{year}/contacts-reviewed", response_model=ChecklistPublic, responses=COMMAND)
def review_contacts(
    annual: AnnualDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: YearPath,
) -> Any:
    """Records that the provider reviewed its contacts for the year."""
    access.require_editor(principal, accme_id)
    return _change(annual, settle, principal, accme_id, ReviewContacts(accme_id=accme_id, year=year))


@router.post(
    "/{accme_id}/years/{year}/attestation",
    response_model=ChecklistPublic,
    responses={
        409: {
            "description": "the checklist is incomplete (`missing` lists each step's missing items), or the year is already attested"
        }
    },
)
def attest(
    annual: AnnualDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: YearPath,
) -> Any:
    """Attests the year's report; 409 with the missing items while the checklist is incomplete."""
    access.require_editor(principal, accme_id)
    try:
        return _change(annual, settle, principal, accme_id, Attest(accme_id=accme_id, year=year))
    except AttestationIncompleteError as error:
        return incomplete_response(error)


@router.get("/{accme_id}/years/{year}/checklist", response_model=ChecklistPublic)
def get_checklist(
    reads_at: ReadsAtDep, principal: PrincipalDep, accme_id: AccmeIdPath, year: YearPath, as_of: AsOfQuery = None
) -> Any:
    """The year-end checklist: each step, whether it is done and exactly what is missing (as of an instant with `as_of`)."""
    with reads_at(accme_id, as_of, [ChecklistProjection.name], [year]) as (reads, profile):
        return reads.annual.checklist(accme_id, year, accreditor=profile["accreditor"])


@router.post("/{accme_id}/years/{year}/reopen", response_model=ChecklistPublic, responses=COMMAND)
@placed("body", "reason")
def reopen(
    body: Reopening,
    annual: AnnualDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    year: YearPath,
) -> Any:
    """Reopens an attested year so that the provider may change it (the provider's accreditor, with a reason)."""
    profile = access.visible(principal, accme_id)
    if not principal.oversees(profile["accreditor"]):
        raise Problem(403, "only the provider's accreditor reopens an attested year")
    return _change(annual, settle, principal, accme_id, ReopenYear(accme_id=accme_id, year=year, reason=body.reason))


def incomplete_response(error: AttestationIncompleteError) -> JSONResponse:
    errors = [
        {"loc": ["checklist", key], "msg": f"{key} is not done", "missing": items}
        for key, items in error.missing.items()
    ]
    missing = [{"key": key, "missing": items} for key, items in error.missing.items()]
    return problem_response(409, error.message, errors, missing=missing)
