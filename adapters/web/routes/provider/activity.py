"""One activity's page: correcting it on the activity form, closing it, an enduring material's learner counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.formats.accme.activities import activity_item, correct_item, correction
from adapters.http.services import ActivityRegistryDep, SettleDep, activity_registry
from adapters.web.activity_form.fields import errors_of, field_names, field_of
from adapters.web.activity_form.parsing import item_from_form, moc_boards
from adapters.web.activity_form.rendering import activity_form_page, form_from_item, kept_beyond_form
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, loc_errors, pydantic_errors
from adapters.web.routes.provider import editable, readable
from adapters.web.session import PageNotFound, UserDep, WebUser
from commands.activities import CloseActivity, ReportEnduringLearners
from domain.activity import ENDURING, missing_to_close
from domain.base import Acting, Channel
from domain.errors import DomainError

router = APIRouter()


def _stored(request: Request, accme_id: str, activity_id: str) -> tuple[Any, dict[str, Any]]:
    # Called by every route of one activity's page: the registry through ActivityRegistryDep's provider.
    try:
        activity = activity_registry(request).get_by_number(activity_id, accme_id)
    except DomainError:
        raise PageNotFound() from None
    return activity, activity_item(activity)


def _activity_page(
    request: Request,
    user: WebUser,
    profile: dict[str, Any],
    activity_id: str,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    activity, item = _stored(request, profile["accme_id"], activity_id)
    today = activity_registry(request).today()
    stored_boards = [r.get("board", "") for r in activity.data.get("moc") or []]
    summary = {
        "activity_id": activity.number,
        "closed": activity.closed,
        "status": activity.status(today),
        "title": activity.data.get("title"),
        "format": activity.data.get("format"),
        "enduring": activity.data.get("format") == ENDURING,
        "end_date": str(activity.data.get("end_date") or ""),
        # An enduring material runs for years: Close is offered once its end date has passed, not before.
        "may_close": not activity.closed
        and not (
            activity.data.get("format") == ENDURING and str(activity.data.get("end_date") or "") >= today.isoformat()
        ),
        "learners_by_year": activity.data.get("learners_by_year") or {},
        "kept": kept_beyond_form(item),
        # Every item closing still needs, each named beside the form's field it concerns.
        "missing": []
        if activity.closed
        else [
            {"field": field_of(loc, stored_boards), "msg": msg} for loc, msg in missing_to_close(activity.data, today)
        ],
    }
    return activity_form_page(
        request,
        profile,
        form or form_from_item(item),
        errors or {},
        activity=summary,
        status=status,
        can_edit=user.principal.can_edit_provider(profile["accme_id"]),
        this_year=today.year,
        **extra,
    )


@router.get("/provider/{accme_id}/activities/{activity_id}")
def activity_page(request: Request, user: UserDep, accme_id: str, activity_id: str) -> Response:
    profile = readable(request, user, accme_id)
    return _activity_page(request, user, profile, activity_id)


@router.post("/provider/{accme_id}/activities/{activity_id}")
async def correct_activity(
    request: Request,
    read_models: SettleDep,
    activities: ActivityRegistryDep,
    user: UserDep,
    accme_id: str,
    activity_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    _, item = _stored(request, accme_id, activity_id)
    boards = moc_boards(form)
    fields = field_names()
    try:
        cmd = correction(accme_id, activity_id, item_from_form(form, item), form.get("reason", ""))
        position = correct_item(activities, cmd, Acting(user.principal.actor, Channel.WEB))
    except DomainError as bad:
        errors = field_errors(errors_of(loc_errors(bad), boards), fields)
        return _activity_page(request, user, profile, activity_id, form, errors, 422)
    except ValidationError as bad:
        errors = field_errors(errors_of(pydantic_errors(bad), boards), fields)
        return _activity_page(request, user, profile, activity_id, form, errors, 422)
    settle(read_models, position)
    return see_other(
        f"/provider/{accme_id}/activities/{activity_id}",
        "The correction is saved." if position else "Nothing had changed.",
    )


@router.post("/provider/{accme_id}/activities/{activity_id}/close")
async def close_activity(
    request: Request,
    read_models: SettleDep,
    activities: ActivityRegistryDep,
    user: UserDep,
    accme_id: str,
    activity_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    _stored(request, accme_id, activity_id)
    try:
        position = activities.handle(
            CloseActivity(accme_id=accme_id, activity_id=activity_id), Acting(user.principal.actor, Channel.WEB)
        )
    except DomainError as bad:
        activity, _ = _stored(request, accme_id, activity_id)
        stored_boards = [r.get("board", "") for r in activity.data.get("moc") or []]
        errors = field_errors(errors_of(loc_errors(bad), stored_boards), field_names())
        return _activity_page(
            request,
            user,
            profile,
            activity_id,
            None,
            {**errors, "_form": f"The activity cannot be closed yet: {bad.message}"},
            409,
        )
    settle(read_models, position)
    return see_other(f"/provider/{accme_id}/activities/{activity_id}", "The activity is closed.")


@router.post("/provider/{accme_id}/activities/{activity_id}/learner-counts")
async def learner_counts(
    request: Request,
    read_models: SettleDep,
    activities: ActivityRegistryDep,
    user: UserDep,
    accme_id: str,
    activity_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    try:
        year, physicians, others = (int(form.get(k) or "x") for k in ("count_year", "count_physicians", "count_others"))
        cmd = ReportEnduringLearners(
            accme_id=accme_id, activity_id=activity_id, year=year, counts={"physician": physicians, "other": others}
        )
        position = activities.handle(cmd, Acting(user.principal.actor, Channel.WEB))
    except ValueError:
        return _activity_page(
            request,
            user,
            profile,
            activity_id,
            None,
            {"count_physicians": "enter whole numbers of learners (0 allowed) and the year"},
            422,
        )
    except DomainError as bad:
        return _activity_page(request, user, profile, activity_id, None, {"count_physicians": bad.message}, 422)
    settle(read_models, position)
    return see_other(f"/provider/{accme_id}/activities/{activity_id}", "The learner counts are saved.")
