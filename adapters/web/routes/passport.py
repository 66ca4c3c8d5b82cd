"""CME Passport: a physician's own transcript (date filters, totals by credit type, PDF), and the public catalog."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.http.reads import ActivitiesDep, CompletionsDep, LicencesDep, TranscriptsDep
from adapters.http.services import LearnerDirectoryDep, LicenceTrackingDep, SettleDep, learner_directory
from adapters.http.transcript_pdf import pdf_response
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, render
from adapters.web.session import PageNotFound, UserDep, WebUser
from commands.licences import ChooseGapAlerts, TrackLicence, UntrackLicence
from domain.errors import DomainError
from domain.geography import US_STATES
from services.access import Role
from services.transcripts import TranscriptForbiddenError, TranscriptQuery

router = APIRouter()


def _learner_id(request: Request, user: WebUser) -> str:
    if user.principal.role is not Role.LEARNER:
        raise PageNotFound()
    learner_id = learner_directory(request).resolve(user.scope)
    if learner_id is None:
        raise PageNotFound()
    return learner_id


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


LICENCE_FIELDS = {"state": "state", "licence_type": "licence_type", "number": "number", "issued_on": "issued_on"}


@router.get("/passport")
def my_transcript(
    request: Request,
    learners: LearnerDirectoryDep,
    user: UserDep,
    completions: CompletionsDep,
    licences: LicencesDep,
    tracking: LicenceTrackingDep,
    start: str = "",
    end: str = "",
) -> Response:
    return _passport_page(request, learners, user, completions, licences, tracking, start, end)


def _passport_page(
    request: Request,
    learners: LearnerDirectoryDep,
    user: WebUser,
    completions: CompletionsDep,
    licences: LicencesDep,
    tracking: LicenceTrackingDep,
    start: str = "",
    end: str = "",
    licence_errors: dict[str, str] | None = None,
    licence_form: dict[str, Any] | None = None,
) -> Response:
    learner_id = _learner_id(request, user)
    first, last = _day(start), _day(end)
    errors = {}
    if start and first is None:
        errors["start"] = "enter the date as YYYY-MM-DD"
    if end and last is None:
        errors["end"] = "enter the date as YYYY-MM-DD"
    if first and last and last < first:
        errors["end"] = "the end of the range is before its start"
        last = None
    body = completions.passport(learner_id, first, last)  # what GET /api/v1/passport/transcript answers
    learner = learners.get(learner_id).public()
    requirements = licences.requirements(learner_id, tracking.tracked(learner_id))  # GET /api/v1/passport/requirements
    return render(
        request,
        "passport/transcript.html",
        422 if errors or licence_errors else 200,
        learner=learner,
        completions=body["completions"],
        totals=body["totals"],
        start=start,
        end=end,
        errors=errors,
        requirements=requirements["licences"],
        licence_errors=licence_errors or {},
        licence_form=licence_form or {},
        states=[(code, code) for code in sorted(US_STATES)],
        gap_alerts=tracking.gap_alerts(learner_id),
    )


@router.post("/passport/licences")
async def track_licence(
    request: Request,
    learners: LearnerDirectoryDep,
    user: UserDep,
    completions: CompletionsDep,
    licences: LicencesDep,
    tracking: LicenceTrackingDep,
    read_models: SettleDep,
) -> Response:
    """Tracks a state licence's CME requirements (the form beside the transcript; works without JavaScript)."""
    learner_id = _learner_id(request, user)
    form = await posted(request)
    try:
        cmd = TrackLicence(
            learner_id=learner_id,
            state=str(form.get("state", "")),
            licence_type=str(form.get("licence_type", "")),
            number=str(form.get("number", "")),
            issued_on=form.get("issued_on") or None,
        )
        outcome = tracking.handle(cmd, user.acting)
    except ValidationError as bad:
        problems = [{"loc": [str(p) for p in e["loc"]], "msg": "enter the date as YYYY-MM-DD"} for e in bad.errors()]
        found = field_errors(problems, LICENCE_FIELDS, "number")
    except DomainError as bad:
        found = field_errors([{"loc": list(bad.loc), "msg": bad.message}], LICENCE_FIELDS, "number")
    else:
        settle(read_models, outcome.position)
        return see_other("/passport#licences", f"Your {cmd.state.upper()} licence is tracked.")
    return _passport_page(request, learners, user, completions, licences, tracking, "", "", found, form)


@router.post("/passport/gap-alerts")
async def choose_gap_alerts(
    request: Request, user: UserDep, tracking: LicenceTrackingDep, read_models: SettleDep
) -> Response:
    """Gap alerts by mail on or off (a checkbox: absent means off)."""
    learner_id = _learner_id(request, user)
    on = (await posted(request)).get("on") == "yes"
    outcome = tracking.handle(ChooseGapAlerts(learner_id=learner_id, on=on), user.acting)
    settle(read_models, outcome.position)
    return see_other("/passport#licences", "Gap alerts are on." if on else "Gap alerts are off.")


@router.post("/passport/licences/{state}/remove")
async def untrack_licence(
    request: Request, user: UserDep, tracking: LicenceTrackingDep, read_models: SettleDep, state: str
) -> Response:
    learner_id = _learner_id(request, user)
    outcome = tracking.handle(UntrackLicence(learner_id=learner_id, state=state[:20]), user.acting)
    settle(read_models, outcome.position)
    return see_other("/passport#licences", f"Your {state[:2].upper()} licence is no longer tracked.")


@router.get("/passport/transcript.pdf")
def my_transcript_pdf(
    request: Request, user: UserDep, transcripts: TranscriptsDep, start: str = "", end: str = ""
) -> Response:
    """The ACCME transcript PDF, as its route answers it, for the signed-in physician."""
    _learner_id(request, user)
    try:
        found = transcripts.for_principal(user.principal, TranscriptQuery(start=_day(start), end=_day(end)))
    except TranscriptForbiddenError:
        raise PageNotFound() from None
    return pdf_response(found)


@router.get("/passport/catalog")
def catalog(request: Request, activities: ActivitiesDep, q: str = "", page: int = 1, past: str = "") -> Response:
    """The public CME Passport catalog (no sign-in), from the same query as `GET /api/v1/passport/catalog`."""
    body = activities.catalog(q[:200], min(max(page, 1), 10_000), past == "yes")
    pages = max(1, -(-body["count"] // body["page_size"]))
    return render(
        request,
        "passport/catalog.html",
        rows=body["data"],
        count=body["count"],
        page=body["page"],
        pages=pages,
        q=q,
        past=past == "yes",
    )
