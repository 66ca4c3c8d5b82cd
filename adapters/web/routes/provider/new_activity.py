"""Adding an activity (one, or a repeat activity's instances) on the activity form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.formats.accme.activities import submit_items
from adapters.formats.accme.activity_repeats import RepeatRequest, submit_repeat
from adapters.http.services import ActivityRegistryDep, SettleDep
from adapters.web.activity_form.fields import INSTANCE_PARTS, MAX_INSTANCE_ROWS, errors_of, field_names
from adapters.web.activity_form.parsing import (
    instance_form,
    instance_rows,
    instances_from_rows,
    item_from_form,
    moc_boards,
)
from adapters.web.activity_form.rendering import activity_form_page
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, loc_errors, pydantic_errors
from adapters.web.routes.provider import editable
from adapters.web.session import UserDep
from domain.base import Acting, Channel
from domain.errors import DomainError, InvalidValueError

router = APIRouter()


@router.get("/provider/{accme_id}/activities/new")
def new_activity(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return activity_form_page(request, profile, {"sponsorship": "direct", "country": "USA"}, {})


@router.post("/provider/{accme_id}/activities/new")
async def create_activity(
    request: Request, read_models: SettleDep, activities: ActivityRegistryDep, user: UserDep, accme_id: str
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    by = Acting(user.principal.actor, Channel.WEB)
    rows = instance_rows(form)
    action = str(form.get("instance_action") or "")
    if action == "add" or action.startswith("remove:"):
        # Adding or removing a repeat instance's row: the form comes back with it, nothing is saved (no script needed).
        if action == "add" and len(rows) < MAX_INSTANCE_ROWS:
            rows.append(dict.fromkeys(INSTANCE_PARTS, ""))
        elif action[7:].isdigit() and int(action[7:]) < len(rows):
            del rows[int(action[7:])]
        kept = {k: v for k, v in form.items() if not k.startswith("instance_")}
        return activity_form_page(request, profile, {**kept, **instance_form(rows)}, {})
    boards = moc_boards(form)
    fields = field_names()
    try:
        if not form.get("provider_activity_id"):
            raise InvalidValueError(
                "give the activity an ID of your own (your Provider Activity ID)", loc=("form", "provider_activity_id")
            )
        item = item_from_form(form)
        instances = instances_from_rows(rows)
        # "Add an activity" adds: an ID already in use is refused with a link to its activity, never replaced.
        if instances:
            results = submit_repeat(
                activities,
                RepeatRequest(
                    accme_id=accme_id,
                    provider_activity_id=form["provider_activity_id"],
                    item=item,
                    instances=instances,
                    only_new=True,
                ),
                by,
            )
        else:
            results = submit_items(activities, accme_id, [item], by, only_new=True)
    except DomainError as bad:
        return activity_form_page(
            request, profile, form, field_errors(errors_of(loc_errors(bad), boards), fields), status=422
        )
    except ValidationError as bad:
        return activity_form_page(
            request,
            profile,
            form,
            field_errors(errors_of(pydantic_errors(bad), boards), fields),
            status=422,
        )
    refused = [r for r in results if not r.ok]
    settle(read_models, max([r.position for r in results if r.position] or [0]))
    if refused:
        errors = [
            {"loc": e["loc"], "msg": (f"instance {r.index + 1}: " if len(results) > 1 else "") + e["msg"]}
            for r in refused
            for e in r.errors
        ]
        saved = [r.activity_id for r in results if r.ok]
        notice = f"{len(saved)} of {len(results)} instances were saved; correct the others below." if saved else None
        in_use = [r.activity_id for r in refused if r.activity_id]
        return activity_form_page(
            request,
            profile,
            form,
            field_errors(errors_of(errors, boards), fields),
            status=422,
            notice=notice,
            in_use=in_use,
        )
    if len(results) == 1:
        return see_other(
            f"/provider/{accme_id}/activities/{results[0].activity_id}", f"Activity {results[0].activity_id} is saved."
        )
    return see_other(
        f"/provider/{accme_id}/activities?q={form['provider_activity_id']}",
        f"{len(results)} activities are saved, one per instance.",
    )
