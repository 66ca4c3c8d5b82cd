"""CME Passport: a physician's own transcript (date filters, totals by credit type, PDF)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.api.routes.completions import my_transcript as api_transcript
from adapters.bootstrap import System
from adapters.web.render import render
from adapters.web.session import PageNotFound, UserDep, WebUser, system_of
from services.access import Role

router = APIRouter()


def _learner_id(request: Request, user: WebUser) -> str:
    if user.principal.role is not Role.LEARNER:
        raise PageNotFound()
    learner_id = system_of(request).learners.resolve(user.scope)
    if learner_id is None:
        raise PageNotFound()
    return learner_id


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def transcript(system: System, user: WebUser, start: date | None, end: date | None) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """What `GET /api/v1/passport/transcript` answers (the route function itself, so the pages keep no copy of it)."""
    body = api_transcript(system, user.principal, start, end)
    return body["completions"], body["totals"]


def pdf_renderer() -> Any:
    try:
        from services.transcript_pdf import render_transcript_pdf  # type: ignore[import-not-found]
    except ImportError:
        return None
    return render_transcript_pdf


@router.get("/passport")
def my_transcript(request: Request, user: UserDep, start: str = "", end: str = "") -> Response:
    learner_id = _learner_id(request, user)
    system = system_of(request)
    first, last = _day(start), _day(end)
    errors = {}
    if start and first is None:
        errors["start"] = "enter the date as YYYY-MM-DD"
    if end and last is None:
        errors["end"] = "enter the date as YYYY-MM-DD"
    if first and last and last < first:
        errors["end"] = "the end of the range is before its start"
        last = None
    completions, totals = transcript(system, user, first, last)
    learner = system.learners.get(learner_id).public()
    return render(request, "passport/transcript.html", 422 if errors else 200, learner=learner, completions=completions, totals=totals,
                  start=start, end=end, errors=errors, pdf=pdf_renderer() is not None)


@router.get("/passport/transcript.pdf")
def my_transcript_pdf(request: Request, user: UserDep, start: str = "", end: str = "") -> Response:
    learner_id = _learner_id(request, user)
    render_pdf = pdf_renderer()
    if render_pdf is None:
        raise PageNotFound()
    system = system_of(request)
    first, last = _day(start), _day(end)
    completions, totals = transcript(system, user, first, last)
    data = render_pdf(system.learners.get(learner_id).public(), completions, totals, first, last)
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": 'attachment; filename="cme-transcript.pdf"'})
