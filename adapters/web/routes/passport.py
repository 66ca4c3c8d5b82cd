"""CME Passport: a physician's own transcript (date filters, totals by credit type, PDF), and the public catalog."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.credentials.issuer import CredentialNotReadyError, CredentialRevokedError
from adapters.http.credentials import CredentialsDep, signed_answer, verification_url
from adapters.http.reads import ActivitiesDep, CompletionsDep, LicencesDep, TranscriptsDep
from adapters.http.services import LearnerDirectoryDep, LicenceTrackingDep, Settle, SettleDep, learner_directory
from adapters.http.transcript_pdf import disposition, pdf_response
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, render
from adapters.web.session import PageNotFound, UserDep, WebUser
from commands.licences import ChooseGapAlerts, TrackLicence, UntrackLicence
from domain.errors import DomainError, NotFoundError
from domain.geography import US_STATES
from services.access import Role
from services.learners import LearnerDirectory
from services.licences import LicenceTracking
from services.queries.completions import CompletionQueries
from services.queries.licences import LicenceQueries
from services.transcripts import Transcript, TranscriptForbiddenError, TranscriptQueries, TranscriptQuery

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


def presets(today: date) -> list[tuple[str, str, str]]:
    """The ranges a physician asks for: license cycles back from today (most state boards renew a license every two
    years; some every three), and the calendar year so far and the last one. (label, start, end) as ISO dates."""

    def back(years: int) -> str:
        try:
            return today.replace(year=today.year - years).isoformat()
        except ValueError:  # 29 February
            return (today - timedelta(days=365 * years)).isoformat()

    return [
        ("Last 2 years (a two-year license cycle)", back(2), today.isoformat()),
        ("Last 3 years (a three-year license cycle)", back(3), today.isoformat()),
        (f"This year ({today.year})", f"{today.year}-01-01", today.isoformat()),
        (f"Last year ({today.year - 1})", f"{today.year - 1}-01-01", f"{today.year - 1}-12-31"),
    ]


LICENCE_FIELDS = {"state": "state", "licence_type": "licence_type", "number": "number", "issued_on": "issued_on"}


@dataclass(frozen=True)
class Passport:
    """What the Passport page and its licence forms work with (one dependency: `passport: PassportDep`)."""

    user: WebUser
    learners: LearnerDirectory
    completions: CompletionQueries
    licences: LicenceQueries
    tracking: LicenceTracking
    read_models: Settle


def passport(
    user: UserDep,
    learners: LearnerDirectoryDep,
    completions: CompletionsDep,
    licences: LicencesDep,
    tracking: LicenceTrackingDep,
    read_models: SettleDep,
) -> Passport:
    return Passport(user, learners, completions, licences, tracking, read_models)


PassportDep = Annotated[Passport, Depends(passport)]


@router.get("/passport")
def my_transcript(request: Request, passport: PassportDep, start: str = "", end: str = "") -> Response:
    return _passport_page(request, passport, start, end)


def _passport_page(
    request: Request,
    passport: Passport,
    start: str = "",
    end: str = "",
    licence_errors: dict[str, str] | None = None,
    licence_form: dict[str, Any] | None = None,
) -> Response:
    learner_id = _learner_id(request, passport.user)
    first, last = _day(start), _day(end)
    errors = {}
    if start and first is None:
        errors["start"] = "enter the date as YYYY-MM-DD"
    if end and last is None:
        errors["end"] = "enter the date as YYYY-MM-DD"
    if first and last and last < first:
        errors["end"] = "the end of the range is before its start"
        last = None
    body = passport.completions.passport(learner_id, first, last)  # what GET /api/v1/passport/transcript answers
    learner = passport.learners.get(learner_id).public()
    # Newest first, as a physician reads it; CME credit and MOC points side by side, in the rows and the totals.
    rows = sorted(body["completions"], key=lambda c: c["completion_date"], reverse=True)
    moc_types = {m["type"] for c in rows for m in c["moc"]}
    totals = body["totals"]
    tracked = passport.tracking.tracked(learner_id)
    requirements = passport.licences.requirements(learner_id, tracked)  # GET /api/v1/passport/requirements
    return render(
        request,
        "passport/transcript.html",
        422 if errors or licence_errors else 200,
        learner=learner,
        completions=rows,
        cme_totals={k: v for k, v in totals.items() if k not in moc_types},
        moc_totals={k: v for k, v in totals.items() if k in moc_types},
        start=start,
        end=end,
        errors=errors,
        presets=presets(date.today()),
        requirements=requirements["licences"],
        licence_errors=licence_errors or {},
        licence_form=licence_form or {},
        states=[(code, code) for code in sorted(US_STATES)],
        gap_alerts=passport.tracking.gap_alerts(learner_id),
    )


def _mine(request: Request, user: WebUser, transcripts: TranscriptQueries, start: str, end: str) -> Transcript:
    _learner_id(request, user)
    try:
        return transcripts.for_principal(user.principal, TranscriptQuery(start=_day(start), end=_day(end)))
    except TranscriptForbiddenError:
        raise PageNotFound() from None


@router.post("/passport/licences")
async def track_licence(request: Request, passport: PassportDep) -> Response:
    """Tracks a state licence's CME requirements (the form beside the transcript; works without JavaScript)."""
    user = passport.user
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
        outcome = passport.tracking.handle(cmd, user.acting)
    except ValidationError as bad:
        problems = [{"loc": [str(p) for p in e["loc"]], "msg": "enter the date as YYYY-MM-DD"} for e in bad.errors()]
        found = field_errors(problems, LICENCE_FIELDS, "number")
    except DomainError as bad:
        found = field_errors([{"loc": list(bad.loc), "msg": bad.message}], LICENCE_FIELDS, "number")
    else:
        settle(passport.read_models, outcome.position)
        return see_other("/passport#licences", f"Your {cmd.state.upper()} licence is tracked.")
    return _passport_page(request, passport, "", "", found, form)


@router.post("/passport/gap-alerts")
async def choose_gap_alerts(request: Request, passport: PassportDep) -> Response:
    """Gap alerts by mail on or off (a checkbox: absent means off)."""
    learner_id = _learner_id(request, passport.user)
    on = (await posted(request)).get("on") == "yes"
    outcome = passport.tracking.handle(ChooseGapAlerts(learner_id=learner_id, on=on), passport.user.acting)
    settle(passport.read_models, outcome.position)
    return see_other("/passport#licences", "Gap alerts are on." if on else "Gap alerts are off.")


@router.post("/passport/licences/{state}/remove")
async def untrack_licence(request: Request, passport: PassportDep, state: str) -> Response:
    learner_id = _learner_id(request, passport.user)
    cmd = UntrackLicence(learner_id=learner_id, state=state[:20])
    outcome = passport.tracking.handle(cmd, passport.user.acting)
    settle(passport.read_models, outcome.position)
    return see_other("/passport#licences", f"Your {state[:2].upper()} licence is no longer tracked.")


@router.get("/passport/transcript.pdf")
def my_transcript_pdf(
    request: Request,
    user: UserDep,
    transcripts: TranscriptsDep,
    credentials: CredentialsDep,
    start: str = "",
    end: str = "",
) -> Response:
    """The ACCME transcript PDF, as its route answers it (with the QR code of its verification), for the
    signed-in physician."""
    found = _mine(request, user, transcripts, start, end)
    return pdf_response(found, verification_url(credentials, found))


def _download(body: bytes, name: str) -> Response:
    return Response(body, media_type="application/json", headers={"Content-Disposition": disposition(name)})


@router.get("/passport/clr.json")
def my_clr(
    request: Request,
    user: UserDep,
    transcripts: TranscriptsDep,
    credentials: CredentialsDep,
    start: str = "",
    end: str = "",
) -> Response:
    """The transcript for the dates shown as a CLR 2.0 credential (what `GET /api/v1/passport/clr` answers)."""
    found = _mine(request, user, transcripts, start, end)
    try:
        token = credentials.clr(found)
    except (CredentialNotReadyError, CredentialRevokedError):
        raise PageNotFound() from None
    return _download(json.dumps(signed_answer(token), indent=2).encode(), "cme-transcript-clr.json")


@router.get("/passport/credential.json")
def my_credential(
    request: Request, user: UserDep, transcripts: TranscriptsDep, credentials: CredentialsDep, credit_id: str = ""
) -> Response:
    """One completion's Open Badges 3.0 credential (what `GET /api/v1/passport/credentials/{credit_id}` answers)."""
    _learner_id(request, user)
    try:
        found = transcripts.completion(user.principal, credit_id[:300], None)
        token = credentials.completion(found)
    except (NotFoundError, TranscriptForbiddenError, CredentialNotReadyError, CredentialRevokedError):
        raise PageNotFound() from None
    return _download(json.dumps(signed_answer(token), indent=2).encode(), f"cme-credential-{credit_id[:80]}.json")


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
