"""An accreditor's reporting deadlines and its scheduled reminders, and copies of them for its staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.http.reads import AnnualDep, provider_queries
from adapters.http.services import SettleDep
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, render
from adapters.web.routes.accreditor import staff
from adapters.web.session import UserDep, WebUser
from commands.annual import AskReminderCopies, ScheduleReminders, SetReportingDeadline
from domain.deadlines import default_deadline
from domain.errors import DomainError, InvalidValueError
from domain.provider import normalise_accreditor

router = APIRouter()


def _accreditor_of(user: WebUser, asked: str) -> str:
    """A state accreditor's staff set their own; ACCME staff any accreditor's (ACCME unless they choose)."""
    staff(user)
    if user.principal.state is not None:
        return user.principal.state
    try:
        return normalise_accreditor(asked or "ACCME")
    except InvalidValueError:
        return "ACCME"


def _deadlines_page(
    request: Request,
    user: WebUser,
    annual: Any,
    accreditor: str,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    today = annual.today()
    years = [today.year - 1, today.year]
    schedule = annual.reminder_schedule(accreditor)
    choices = None
    if user.principal.state is None:
        codes = {p["accreditor"] for p in provider_queries(request).list_profiles()}
        choices = ["ACCME", "JA", *sorted(codes - {"ACCME", "JA"})]
    return render(
        request,
        "accreditor/deadlines.html",
        status,
        accreditor=accreditor,
        choices=choices,
        deadlines=[(y, annual.deadline_of(accreditor, y), default_deadline(y)) for y in years],
        years=years,
        schedule=schedule,
        copied=bool(schedule and user.account_id in schedule.copies),
        errors=errors or {},
        form=form or {},
    )


@router.get("/accreditor/deadlines")
def deadlines(request: Request, user: UserDep, annual: AnnualDep, accreditor: str = "") -> Response:
    return _deadlines_page(request, user, annual, _accreditor_of(user, accreditor))


@router.post("/accreditor/deadlines")
async def set_deadline(request: Request, user: UserDep, annual: AnnualDep, read_models: SettleDep) -> Response:
    form = await posted(request)
    accreditor = _accreditor_of(user, str(form.get("accreditor", "")))
    fields = {"deadline": "deadline", "year": "year"}
    try:
        cmd = SetReportingDeadline(
            accreditor=accreditor, year=form.get("year") or 0, deadline=form.get("deadline") or None
        )
        outcome = annual.handle(cmd, user.acting)
    except ValidationError as bad:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in bad.errors()]
        return _deadlines_page(request, user, annual, accreditor, field_errors(errors, fields, "deadline"), form, 422)
    except DomainError as bad:
        errors = [{"loc": list(bad.loc), "msg": bad.message}]
        return _deadlines_page(request, user, annual, accreditor, field_errors(errors, fields, "deadline"), form, 422)
    settle(read_models, outcome.position)
    return see_other(
        f"/accreditor/deadlines?accreditor={accreditor}",
        f"The {cmd.year} deadline of {accreditor} is {outcome.value:%B} {outcome.value.day}, {outcome.value.year}.",
    )


@router.post("/accreditor/reminder-schedule")
async def schedule_reminders(request: Request, user: UserDep, annual: AnnualDep) -> Response:
    form = await posted(request)
    accreditor = _accreditor_of(user, str(form.get("accreditor", "")))
    days = str(form.get("days_before", "")).strip()
    if not (days.isascii() and days.isdigit()):
        errors = {"days_before": "enter the number of days before the deadline, 1 to 90"}
        return _deadlines_page(request, user, annual, accreditor, errors, form, 422)
    enabled = form.get("enabled") == "yes"
    try:
        annual.handle(ScheduleReminders(accreditor=accreditor, enabled=enabled, days_before=int(days)), user.acting)
    except DomainError as bad:
        errors = field_errors(
            [{"loc": list(bad.loc), "msg": bad.message}], {"days_before": "days_before"}, "days_before"
        )
        return _deadlines_page(request, user, annual, accreditor, errors, form, 422)
    said = (
        f"Scheduled reminders are on: {days} days before the deadline, every provider of {accreditor} still "
        "incomplete is reminded."
        if enabled
        else f"Scheduled reminders of {accreditor} are off."
    )
    return see_other(f"/accreditor/deadlines?accreditor={accreditor}", said)


@router.post("/accreditor/reminder-copies")
async def reminder_copies(request: Request, user: UserDep, annual: AnnualDep) -> Response:
    form = await posted(request)
    accreditor = _accreditor_of(user, str(form.get("accreditor", "")))
    wanted = form.get("wanted") == "yes"
    annual.handle(AskReminderCopies(accreditor=accreditor, account_id=user.account_id, wanted=wanted), user.acting)
    said = (
        f"You will get a copy of every reminder to {accreditor}'s providers, at {user.email}."
        if wanted
        else f"You will get no more copies of {accreditor}'s reminders."
    )
    return see_other(f"/accreditor/deadlines?accreditor={accreditor}", said)
