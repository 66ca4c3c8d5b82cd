"""Accreditor staff: the year-end table across overseen providers, reminders, their own reporting deadlines, the
data report, the REMS and MIPS reports and the research extract."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field, StrictBool

from adapters.api.deps import PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.api.routes.annual import YearPath
from adapters.api.schemas import IsoDate, Strict
from adapters.http.locations import placed
from adapters.http.mips_csv import mips_csv
from adapters.http.reads import AnnualDep, OversightDep, ResearchDep
from adapters.http.rems_csv import rems_csv
from adapters.http.research_csv import csv_chunks, zip_chunks
from adapters.http.services import SettingsDep, SettleDep
from adapters.http.year_end_csv import year_end_csv
from commands.annual import RemindProviders, ScheduleReminders, SetReportingDeadline
from domain.provider import normalise_accreditor
from services.access import Principal, Role
from services.queries.research_extract import year_key

router = APIRouter(
    prefix="/api/v1/accreditor", tags=["accreditor"], responses=documented(403)
)  # accreditor (or auditor) tokens only


class DeadlineUpdate(Strict):
    deadline: IsoDate
    accreditor: str | None = Field(
        default=None,
        description="ACCME staff only: whose deadline (ACCME, JA or a state); a state accreditor sets its own",
    )


class DeadlinePublic(BaseModel):
    accreditor: str
    year: int
    deadline: date


class YearEndRow(BaseModel):
    accme_id: str
    name: str
    accreditor: str
    deadline: str
    days_to_deadline: int
    days_past_deadline: int = Field(description="days since the deadline passed (0 before it)")
    status: str
    late: bool
    late_count: int
    missing_count: int
    missing_steps: list[str]
    late_steps: list[str]
    steps: dict[str, bool]
    activities_open: int = Field(description="activities that ended in the year still draft or active")
    activities_ready_to_close: int = Field(description="activities that ended in the year, ready to close")
    activities_closed: int = Field(description="activities that ended in the year and are closed")
    enduring_without_count: int = Field(
        description="enduring materials active in the year without a learner count as of 31 December"
    )


class YearEndPublic(BaseModel):
    year: int
    data: list[YearEndRow]
    count: int


def _overseen(principal: Principal) -> list[str] | None:
    """The accreditors whose providers the principal sees (None: all)."""
    if principal.role is Role.ACCREDITOR:
        return None if principal.state is None else [principal.state]
    if principal.role is Role.AUDITOR:
        return None
    raise Problem(403, f"a {principal.role.value} token cannot read the accreditors' year-end table")


@router.get(
    "/year-end/{year}",
    response_model=YearEndPublic,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with Accept: text/csv or ?format=csv"}},
)
def year_end(
    request: Request,
    annual: AnnualDep,
    principal: PrincipalDep,
    year: YearPath,
    sort: Annotated[
        str,
        Query(
            description="accme_id, name, accreditor, deadline, days_to_deadline, status, missing_count, late_count, "
            "activities_open, activities_ready_to_close, activities_closed or enduring_without_count; prefix - to reverse"
        ),
    ] = "accme_id",
    status: Annotated[
        str | None,
        Query(
            pattern="^(complete|incomplete|late)$",
            description="complete, incomplete, or late: past the deadline with steps missing, or with a step done late",
        ),
    ] = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Any:
    """The year-end table of the providers this accreditor oversees: steps, days to deadline, late and missing counts."""
    rows = annual.year_end(year, _overseen(principal), sort=sort, status=status)
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        return Response(
            year_end_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="year-end-{year}.csv"'},
        )
    return {"year": year, "data": rows, "count": len(rows)}


AccmeId = Annotated[str, Field(pattern=r"^[0-9]{7}$", description="7 digits, leading zeros kept")]


class ReminderRequest(Strict):
    providers: list[AccmeId] | None = Field(
        default=None,
        min_length=1,
        max_length=5000,
        description="the providers to remind by ACCME ID; left out: every provider you oversee whose report is incomplete",
    )
    force: StrictBool = Field(default=False, description="remind even providers reminded within the last 7 days")


class ReminderResult(BaseModel):
    accme_id: str
    status: Literal["sent", "reminded_recently", "complete", "not_found", "mail_failed"]
    msg: str | None = None
    to: str | None = Field(default=None, description="the primary contact mailed")
    missing_steps: list[str] | None = None
    last_reminded: str | None = None
    copies: list[str] | None = Field(default=None, description="the staff who asked for copies, mailed a copy")


REMINDER_STATUSES: tuple[str, ...] = get_args(ReminderResult.model_fields["status"].annotation)


class RemindersPublic(BaseModel):
    year: int
    results: list[ReminderResult]
    counts: dict[str, int]


@router.post("/year-end/{year}/reminders", response_model=RemindersPublic, responses=COMMAND)
def remind(
    body: ReminderRequest,
    annual: AnnualDep,
    settings: SettingsDep,
    settle: SettleDep,
    principal: PrincipalDep,
    year: YearPath,
) -> Any:
    """Mails each provider named (or every provider overseen whose report is incomplete) what its year-end report
    still misses, to its primary contact; each reminder is an event on the provider's history. A provider reminded
    within the last 7 days is not reminded again unless `force`. One result per provider."""
    if principal.role is not Role.ACCREDITOR:
        raise Problem(403, "only accreditor staff send year-end reminders")
    cmd = RemindProviders(
        year=year,
        providers=None if body.providers is None else tuple(body.providers),
        force=body.force,
        accreditors=None if principal.state is None else (principal.state,),
        base_url=settings.public_base(),
    )
    outcome = annual.handle(cmd, acting(principal))
    settle(outcome.position, names=["history", "checklist"])
    results = outcome.value["results"]
    counts = {s: sum(1 for r in results if r["status"] == s) for s in REMINDER_STATUSES}
    return {"year": year, "results": results, "counts": counts}


@router.put("/deadlines/{year}", response_model=DeadlinePublic, responses=COMMAND)
@placed("body", "deadline")
def set_deadline(
    body: DeadlineUpdate, annual: AnnualDep, settle: SettleDep, principal: PrincipalDep, year: YearPath
) -> Any:
    """Sets the accreditor's year-end deadline for the year (a state accreditor: no later than ACCME's 31 March)."""
    if principal.role is not Role.ACCREDITOR:
        raise Problem(403, "only accreditor staff set year-end deadlines")
    if principal.state is not None:
        accreditor = principal.state
        if body.accreditor is not None and normalise_accreditor(body.accreditor) != accreditor:
            raise Problem(403, f"this accreditor token sets only {accreditor}'s deadline")
    else:
        accreditor = normalise_accreditor(body.accreditor or "ACCME")
    outcome = annual.handle(
        SetReportingDeadline(accreditor=accreditor, year=year, deadline=body.deadline), acting(principal)
    )
    settle(outcome.position, ["checklist"])
    return {"accreditor": accreditor, "year": year, "deadline": outcome.value}


@router.get("/deadlines/{year}", response_model=DeadlinePublic)
def get_deadline(
    annual: AnnualDep, principal: PrincipalDep, year: YearPath, accreditor: Annotated[str | None, Query()] = None
) -> Any:
    """The year-end deadline that applies to an accreditor's providers (31 March of the next year unless it set one)."""
    if principal.role is not Role.ACCREDITOR:
        raise Problem(403, "only accreditor staff read the deadlines here; providers see theirs in the checklist")
    code = principal.state or normalise_accreditor(accreditor or "ACCME")
    return {
        "accreditor": code,
        "year": year,
        "deadline": annual.deadline_of(code, year),
    }


class FormatTotals(BaseModel):
    activities: int
    credits: float


class DataReportPublic(BaseModel):
    year: int
    providers: int
    providers_attested: int
    activities: int
    by_format: dict[str, FormatTotals]
    physician_learners: int
    other_learners: int
    commercial_support: dict[str, Any]
    income: dict[str, int]


@router.get("/data-report/{year}", response_model=DataReportPublic)
def data_report(annual: AnnualDep, principal: PrincipalDep, year: YearPath) -> Any:
    """The annual data report across the providers overseen: activities and credits by format, learners,
    commercial support and income (activities counted in the year they ended)."""
    return annual.data_report(year, _overseen(principal))


class RemsParticipants(BaseModel):
    reported: int = Field(description="completions reported with the learner's REMS fields")
    by_profession: dict[str, int]
    registered_prescribers: int = Field(
        description="participants with a DEA registration (individual or institutional)"
    )
    by_practice_type: dict[str, int] = Field(
        description="Primary care, Pain specialist, Non-pain specialist, Not stated"
    )
    by_practice_area: dict[str, int]


class RemsActivity(BaseModel):
    accme_id: str
    provider: str
    activity_id: str
    title: str
    format: str | None
    start_date: str
    end_date: str
    rems_type: str | None
    compliance: str | None = Field(
        description="Compliant (REMS-compliant) or Related (REMS-related); null if not stated"
    )
    blueprint_sections: list[str]
    rpc_id: str | None = Field(description="the RPC-assigned ID of an RPC-funded activity")
    physician_learners: int
    other_learners: int
    participants: RemsParticipants


class RemsTotals(BaseModel):
    activities: int
    providers: int
    by_type: dict[str, int]
    by_compliance: dict[str, int]
    rpc_funded: int
    physician_learners: int
    other_learners: int
    blueprint_coverage: dict[str, int] = Field(description="activities covering each FDA Blueprint section")
    participants: RemsParticipants


class RemsPublic(BaseModel):
    year: int
    rems_type: str | None
    activities: list[RemsActivity]
    totals: RemsTotals


@router.get(
    "/rems/{year}",
    response_model=RemsPublic,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with Accept: text/csv or ?format=csv"}},
)
def rems(
    request: Request,
    oversight: OversightDep,
    principal: PrincipalDep,
    year: YearPath,
    rems_type: Annotated[
        str | None,
        Query(
            alias="type", pattern="^(Opioid Analgesic|Mycophenolate)$", description="Opioid Analgesic or Mycophenolate"
        ),
    ] = None,
    provider: Annotated[str | None, Query(pattern=r"^[0-9]{7}$", description="one provider's ACCME ID")] = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Any:
    """The REMS report of the year across the providers overseen: each REMS-registered activity (type, REMS-compliant
    or related, FDA Blueprint sections, RPC-assigned ID, learners; its participants by profession, registered
    prescribers, practice type and area, from the learners' REMS fields) and the totals (activities counted in the
    year they ended)."""
    report = oversight.rems(year, _overseen(principal), rems_type=rems_type, provider=provider)
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        return Response(
            rems_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="rems-{year}.csv"'},
        )
    return report


class MipsActivity(BaseModel):
    accme_id: str
    provider: str
    activity_id: str
    title: str
    format: str | None
    start_date: str
    end_date: str
    credits: float | None = Field(description="AMA PRA Category 1 credits of the activity")
    physician_learners: int
    completions: int = Field(description="completions reported for the activity")


class MipsCompletion(BaseModel):
    accme_id: str
    provider: str
    activity_id: str
    title: str
    completion_date: str
    credits: float


class MipsPhysician(BaseModel):
    learner_id: str
    first_name: str | None
    last_name: str | None
    npi: str | None
    erased: bool = Field(description="the physician's personal data was erased: the completions still count")
    completions: list[MipsCompletion]
    credits: float


class MipsTotals(BaseModel):
    activities: int
    providers: int
    completions: int
    physicians: int
    credits: float


class MipsPublic(BaseModel):
    year: int
    provider: str | None
    activities: list[MipsActivity]
    physicians: list[MipsPhysician]
    totals: MipsTotals


@router.get(
    "/mips/{year}",
    response_model=MipsPublic,
    responses={200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with Accept: text/csv or ?format=csv"}},
)
def mips(
    request: Request,
    oversight: OversightDep,
    principal: PrincipalDep,
    year: YearPath,
    provider: Annotated[str | None, Query(pattern=r"^[0-9]{7}$", description="one provider's ACCME ID")] = None,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Any:
    """The MIPS report of the year across the providers overseen: each activity registered as a MIPS improvement
    activity that ended in the year, and its completions by physician (so clinicians can be helped to attest)."""
    report = oversight.mips(year, _overseen(principal), provider=provider)
    if format == "csv" or (format is None and "text/csv" in request.headers.get("accept", "")):
        return Response(
            mips_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="mips-{year}.csv"'},
        )
    return report


@router.get(
    "/research-extract/{year}",
    responses={
        200: {
            "content": {"text/csv": {}, "application/zip": {}},
            "description": "CSV (format=csv), or a zip of the CSV and README.txt (format=zip)",
        }
    },
)
def research_extract(
    research: ResearchDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    year: YearPath,
    format: Annotated[
        str, Query(pattern="^(csv|zip)$", description="csv: the rows alone; zip: with README.txt")
    ] = "csv",
) -> Response:
    """The anonymised research extract of the year (ACCME staff only): one row per activity that ended in it,
    providers by pseudonyms stable within the year, no learner rows and no free text, every count under 11
    suppressed (with secondary suppression so no total reveals a hidden cell); streamed as it is read."""
    if principal.role is not Role.ACCREDITOR or principal.state is not None:
        raise Problem(403, "only ACCME staff download the research extract")
    rows = research.rows(year, year_key(settings.signing_key(), year))
    if format == "zip":
        return StreamingResponse(
            zip_chunks(rows, year),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="research-extract-{year}.zip"'},
        )
    return StreamingResponse(
        csv_chunks(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="research-extract-{year}.csv"'},
    )


class ScheduleUpdate(Strict):
    enabled: StrictBool = Field(description="send the scheduled reminders")
    days_before: int = Field(default=14, description="how many days before the deadline (1 to 90)")
    accreditor: str | None = Field(
        default=None,
        description="ACCME staff only: whose schedule (ACCME, JA or a state); a state accreditor sets its own",
    )


class SchedulePublic(BaseModel):
    accreditor: str
    enabled: bool
    days_before: int
    sent_years: list[int] = Field(description="the reporting years whose scheduled reminders went out")


def _whose(principal: Principal, asked: str | None) -> str:
    if principal.role is not Role.ACCREDITOR:
        raise Problem(403, "only accreditor staff schedule year-end reminders")
    if principal.state is not None:
        if asked is not None and normalise_accreditor(asked) != principal.state:
            raise Problem(403, f"this accreditor token schedules only {principal.state}'s reminders")
        return principal.state
    return normalise_accreditor(asked or "ACCME")


def _schedule(annual: Any, accreditor: str) -> dict[str, Any]:
    found = annual.reminder_schedule(accreditor)
    if found is None:
        return {"accreditor": accreditor, "enabled": False, "days_before": 14, "sent_years": []}
    return {
        "accreditor": accreditor,
        "enabled": found.enabled,
        "days_before": found.days_before,
        "sent_years": list(found.sent_years),
    }


@router.put("/reminder-schedule", response_model=SchedulePublic, responses=COMMAND)
@placed("body", "days_before", "accreditor")
def set_reminder_schedule(body: ScheduleUpdate, annual: AnnualDep, principal: PrincipalDep) -> Any:
    """Switches the accreditor's scheduled year-end reminders on or off: `days_before` its deadline, every provider
    it oversees still incomplete is reminded (once a year; the 7-day rule holds)."""
    accreditor = _whose(principal, body.accreditor)
    annual.handle(
        ScheduleReminders(accreditor=accreditor, enabled=body.enabled, days_before=body.days_before),
        acting(principal),
    )
    return _schedule(annual, accreditor)


@router.get("/reminder-schedule", response_model=SchedulePublic)
def get_reminder_schedule(
    annual: AnnualDep, principal: PrincipalDep, accreditor: Annotated[str | None, Query()] = None
) -> Any:
    """The accreditor's scheduled year-end reminders (off until switched on)."""
    return _schedule(annual, _whose(principal, accreditor))
