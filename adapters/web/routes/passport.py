"""CME Passport: a physician's own transcript (date filters, totals by credit type, PDF), and the public catalog."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.api.problems import Problem
from adapters.api.routes.completions import my_transcript as api_transcript
from adapters.api.routes.passport import passport_catalog
from adapters.api.routes.transcripts import transcript_pdf as api_transcript_pdf
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


def transcript(
    system: System, user: WebUser, start: date | None, end: date | None
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """What `GET /api/v1/passport/transcript` answers (the route function itself, so the pages keep no copy of it)."""
    body = api_transcript(system, user.principal, start, end)
    return body["completions"], body["totals"]


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
    return render(
        request,
        "passport/transcript.html",
        422 if errors else 200,
        learner=learner,
        completions=completions,
        totals=totals,
        start=start,
        end=end,
        errors=errors,
    )


@router.get("/passport/transcript.pdf")
def my_transcript_pdf(request: Request, user: UserDep, start: str = "", end: str = "") -> Response:
    """The ACCME transcript PDF route itself, for the signed-in physician."""
    _learner_id(request, user)
    try:
        return api_transcript_pdf(
            system_of(request), user.principal, completionDateRangeStart=_day(start), completionDateRangeEnd=_day(end)
        )
    except Problem:
        raise PageNotFound() from None


@router.get("/passport/catalog")
def catalog(request: Request, q: str = "", page: int = 1, past: str = "") -> Response:
    """The public CME Passport catalog (no sign-in), from the same route function as `GET /api/v1/passport/catalog`."""
    body = passport_catalog(system_of(request), q=q[:200], page=min(max(page, 1), 10_000), past=past == "yes")
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
