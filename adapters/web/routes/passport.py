"""CME Passport: a physician's own transcript (date filters, totals by credit type, PDF), and the public catalog."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import ActivitiesDep, CompletionsDep, TranscriptsDep
from adapters.http.services import LearnerDirectoryDep, learner_directory
from adapters.http.transcript_pdf import pdf_response
from adapters.web.render import render
from adapters.web.session import PageNotFound, UserDep, WebUser
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


@router.get("/passport")
def my_transcript(
    request: Request,
    learners: LearnerDirectoryDep,
    user: UserDep,
    completions: CompletionsDep,
    start: str = "",
    end: str = "",
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
    return render(
        request,
        "passport/transcript.html",
        422 if errors else 200,
        learner=learner,
        completions=body["completions"],
        totals=body["totals"],
        start=start,
        end=end,
        errors=errors,
    )


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
