"""Accreditor staff: the year-end table across overseen providers, reminders (now and scheduled), their own
reporting deadlines and the data report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, StrictBool

from adapters.api.deps import PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.api.routes.accreditor.answers import JSON_OR_CSV, FormatQuery, json_or_csv, overseen
from adapters.api.routes.annual import YearPath
from adapters.api.schemas import IsoDate, Strict
from adapters.http.locations import placed
from adapters.http.reads import AnnualDep
from adapters.http.services import SettingsDep, SettleDep
from adapters.http.year_end_csv import year_end_csv
from commands.annual import RemindProviders, ScheduleReminders, SetReportingDeadline
from domain.provider import normalise_accreditor
from services.access import Principal, Role

router = APIRouter(prefix="/api/v1/accreditor", tags=["accreditor"], responses=documented(403))


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


@router.get("/year-end/{year}", response_model=YearEndPublic, responses=JSON_OR_CSV)
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
    format: FormatQuery = None,
) -> Any:
    """The year-end table of the providers this accreditor oversees: steps, days to deadline, late and missing counts."""
    rows = annual.year_end(year, overseen(principal), sort=sort, status=status)
    return json_or_csv(
        request,
        format,
        f"year-end-{year}.csv",
        lambda: {"year": year, "data": rows, "count": len(rows)},
        lambda: year_end_csv(rows),
    )


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
    return annual.data_report(year, overseen(principal))


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
