"""Learner completion entry: the match service for the form's script, record one, delete by credit ID."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from adapters.http.completion_delete import delete_by_credit_id
from adapters.http.reads import ActivitiesDep, CompletionsDep
from adapters.http.services import CompletionRegistryDep, MatcherDep, SettleDep
from adapters.http.statuses import domain_status
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, friendly, loc_errors, render
from adapters.web.routes.provider import editable
from adapters.web.session import UserDep
from commands.completions import RecordCompletion
from commands.learners import MatchQuery
from domain.base import Acting, Channel
from domain.errors import DomainError, InvalidValueError
from domain.learner import CERTIFYING_BOARDS
from domain.rems_learner import DEA_REGISTRATIONS, PRACTICE_AREAS, PROFESSIONS, TIMES_IN_PRACTICE, rems_participant
from services.queries.activities import ActivityQueries

router = APIRouter()


MATCH_FIELDS = ("first_name", "last_name", "birth_date", "state", "licence_number", "npi", "board", "board_id")
COMPLETION_FIELDS = {
    **{f: f for f in MATCH_FIELDS},
    "learner": "first_name",
    "activity_id": "activity_id",
    "completion_date": "completion_date",
    "credit_id": "credit_id",
    "credits": "credits",
    "cme": "credits",
    "moc": "moc_credits",
    "moc_board": "moc_board",
    "moc_credits": "moc_credits",
    "rems": "rems_profession",  # the REMS learner fields given for an activity not registered for REMS
}
#: The REMS learner fields of the form (rems_<field>), as `rems_participant` names them.
REMS_FIELDS = ("profession", "state", "dea", "practice_area", "surgical", "time_in_practice")
REMS_OPTIONS = {
    "profession": PROFESSIONS,
    "dea": DEA_REGISTRATIONS,
    "practice_area": PRACTICE_AREAS,
    "time_in_practice": TIMES_IN_PRACTICE,
}
COMPLETION_FIELDS.update({f"rems_{f}": f"rems_{f}" for f in REMS_FIELDS})


def _rems(form: dict[str, Any]) -> dict[str, Any] | None:
    """The REMS learner fields typed (None when none is): checked, or InvalidValueError at rems_<field>."""
    given = {f: (form.get(f"rems_{f}") or "").strip() for f in REMS_FIELDS}
    if not any(given.values()):
        return None
    surgical = {"yes": True, "no": False, "": None}.get(given["surgical"])
    try:
        return rems_participant(
            profession=given["profession"] or None,
            state=given["state"] or None,
            dea=given["dea"] or None,
            practice_area=given["practice_area"] or None,
            surgical=surgical if given["surgical"] in ("yes", "no", "") else given["surgical"],
            time_in_practice=given["time_in_practice"] or None,
        )
    except InvalidValueError as bad:
        field = str(bad.loc[-1]) if bad.loc else "profession"
        raise InvalidValueError(bad.message, loc=("form", f"rems_{field}")) from bad


def _match_query(form: dict[str, Any]) -> MatchQuery:
    return MatchQuery(**{f: (form.get(f) or None) for f in MATCH_FIELDS})


def _completion_page(
    request: Request,
    activities: ActivityQueries,
    profile: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    match: Any = None,
) -> Response:
    acts = activities.summaries(profile["accme_id"], None)
    options = [
        (a["activity_id"], f"{a['activity_id']} · {a['title'][:60]} ({a['end_date']})")
        for a in sorted(acts, key=lambda a: a["end_date"], reverse=True)
    ]
    return render(
        request,
        "provider/completion.html",
        status,
        provider=profile,
        form=form,
        errors=errors,
        activities=options,
        match=match,
        rems_options={f: [(v, v) for v in values] for f, values in REMS_OPTIONS.items()},
    )


@router.get("/provider/{accme_id}/completions/new")
def completion_form(request: Request, activities: ActivitiesDep, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return _completion_page(
        request, activities, profile, {"credits": "", "completion_date": date.today().isoformat()}, {}
    )


@router.post("/provider/{accme_id}/match")
async def match(request: Request, matcher: MatcherDep, user: UserDep, accme_id: str) -> Response:
    """The match service for the form's script (checked as the provider types); the server checks again on save."""
    editable(request, user, accme_id)
    form = await posted(request)
    query = _match_query(form)
    try:
        query.validate(("form",))
    except DomainError as bad:
        return JSONResponse(
            {
                "status": "incomplete",
                "field": field_errors(loc_errors(bad), COMPLETION_FIELDS),
                "msg": friendly(bad.message),
            }
        )
    result = matcher.match(query)
    return JSONResponse(
        {
            **result.as_dict(),
            "msg": "matched a physician in the learner directory" if result.matched else friendly(result.msg),
        }
    )


@router.post("/provider/{accme_id}/completions/new")
async def record_completion(
    request: Request,
    read_models: SettleDep,
    completions: CompletionRegistryDep,
    matcher: MatcherDep,
    activities: ActivitiesDep,
    user: UserDep,
    accme_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    query = _match_query(form)
    try:
        query.validate(("form",))
        result = matcher.match(query)
        if not result.matched:
            raise InvalidValueError(f"the learner was not matched: {result.msg}", loc=("form", "first_name"))
        completion_date = _date(form.get("completion_date", ""), "completion_date")
        credits = _credits(
            form,
            "credits",
            "the AMA PRA Category 1 credits are required (0 when the completion carries MOC points only)",
        )
        moc = _moc_credits(form)
        rems = _rems(form)
        action, position = completions.handle(
            RecordCompletion(
                accme_id=accme_id,
                learner_id=result.learner_id or "",
                activity_id=form.get("activity_id", ""),
                completion_date=completion_date,
                cme=[{"type": "AMA PRA Category 1", "credits": credits}],
                moc=moc,
                credit_id=form.get("credit_id", ""),
                identifiers=result.identifiers,
                consent=form.get("consent") == "yes",
                rems=rems,
            ),
            Acting(user.principal.actor, Channel.WEB),
        )
    except ValueError as bad:
        if isinstance(bad, DomainError):
            return _completion_page(
                request, activities, profile, form, field_errors(loc_errors(bad), COMPLETION_FIELDS, "first_name"), 422
            )
        return _completion_page(
            request, activities, profile, form, {"credits": "enter the credits as a number, e.g. 6.25"}, 422
        )
    except DomainError as bad:
        return _completion_page(
            request, activities, profile, form, field_errors(loc_errors(bad), COMPLETION_FIELDS, "activity_id"), 409
        )
    settle(read_models, position)
    return see_other(
        f"/provider/{accme_id}/completions/new",
        "The completion is recorded."
        if action == "added"
        else "That completion was already recorded; nothing changed.",
    )


@router.post("/provider/{accme_id}/completions/delete")
async def delete_completion(
    request: Request,
    user: UserDep,
    completion_queries: CompletionsDep,
    completions: CompletionRegistryDep,
    read_models: SettleDep,
    activities: ActivitiesDep,
    accme_id: str,
) -> Response:
    """Deletes a completion by its credit ID (records are deleted and resubmitted, never edited), as the API route does."""
    profile = editable(request, user, accme_id)
    form = await posted(request)
    credit_id = form.get("delete_credit_id", "")
    if not credit_id:
        return _completion_page(
            request,
            activities,
            profile,
            {},
            {"delete_credit_id": "enter the credit ID of the completion to delete"},
            422,
        )
    try:
        # Recorded as the API route the page called before recorded it (the web-service channel).
        delete_by_credit_id(
            completion_queries,
            completions,
            read_models,
            accme_id,
            credit_id,
            Acting(user.principal.actor, Channel.WEB_SERVICE),
        )
    except DomainError as bad:
        return _completion_page(
            request,
            activities,
            profile,
            {"delete_credit_id": credit_id},
            {"delete_credit_id": bad.message},
            domain_status(bad),
        )
    return see_other(f"/provider/{accme_id}/completions/new", f"The completion {credit_id} is deleted.")


def _credits(form: dict[str, Any], name: str, required: str) -> float:
    """A credits field: blank is never read as 0, nor as another field's number."""
    text = (form.get(name) or "").strip()
    if not text:
        raise InvalidValueError(required, loc=("form", name))
    try:
        return float(text)
    except ValueError:
        raise InvalidValueError("enter the credits as a number, e.g. 6.25", loc=("form", name)) from None


def _moc_credits(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The MOC credit of the form: points and their board together, or neither (nothing dropped, nothing copied)."""
    board = (form.get("moc_board") or "").strip().upper()
    if not board:
        if (form.get("moc_credits") or "").strip():
            raise InvalidValueError("choose the board these MOC points are for", loc=("form", "moc_board"))
        return []
    if board not in CERTIFYING_BOARDS:
        raise InvalidValueError(f"{board!r} is not a certifying board", loc=("form", "moc_board"))
    return [
        {
            "board": board,
            "type": f"{board} MOC",
            "credits": _credits(form, "moc_credits", f"enter the {board} MOC points"),
        }
    ]


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValueError("enter the date as YYYY-MM-DD", loc=("form", field)) from None
