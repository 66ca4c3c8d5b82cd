"""A provider's activities: the searchable list, bulk close, add (one or repeat), correct, close, enduring learner counts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.batch import EXTENSIONS, NAMES
from adapters.batch import render as render_batch
from adapters.formats.accme.activities import activity_item, correct_item, correction, submit_items
from adapters.formats.accme.activity_repeats import RepeatRequest, submit_repeat
from adapters.http import bulk_close
from adapters.http.batch_files import attachment
from adapters.http.reads import ActivitiesDep
from adapters.http.services import AccmeActivitiesDep, ActivityRegistryDep, SettleDep, activity_registry
from adapters.web import activity_form
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, loc_errors, pydantic_errors, render
from adapters.web.routes.provider import STATUSES, editable, readable
from adapters.web.session import PageNotFound, UserDep, WebUser
from commands.activities import (
    CloseActivity,
    ReportEnduringLearners,
)
from domain.activity import BLUEPRINT_SECTIONS, ENDURING, missing_to_close
from domain.base import Acting, Channel
from domain.errors import DomainError, InvalidValueError
from projections.activity_summary import SEARCH_SORTS, status_of
from services.queries.activities import PAGE_SIZE

router = APIRouter()
PAGE_SIZES = (25, 50, 100, 200)
#: The list's columns a coordinator sorts by, as their headings name them (SEARCH_SORTS's keys).
SORT_HEADINGS = {
    "activity_id": "ACCME ID",
    "provider_activity_id": "Your ID",
    "title": "Title",
    "format": "Format",
    "start_date": "Dates",
    "credits": "Credits",
    "learners": "Learners",
    "completions": "Completions",
    "moc": "MOC",
    "status": "Status",
}
#: The batch files the current search downloads as: file name extension → format (adapters/batch).
EXPORTS = {EXTENSIONS[f]: f for f in ("json", "xml", "tab", "xlsx")}
EXPORT_LIMIT = 100_000


def _filters(
    year: str, format: str, status: str, sort: str = "start_date", order: str = "desc"
) -> tuple[dict[str, Any], dict[str, str]]:
    """The search's filters as the read model takes them, and what is wrong with any value (said, not dropped)."""
    errors: dict[str, str] = {}
    year = year.strip()
    year_n = int(year) if year.isdigit() and len(year) == 4 else None
    if year and year_n is None:
        errors["year"] = "enter a year of four digits, e.g. 2025"
    if status and status not in dict(STATUSES):
        errors["status"] = "choose one of the statuses listed"
    if format and format not in dict(activity_form.FORMAT_OPTIONS):
        errors["format"] = "choose one of the formats listed"
    if sort not in SEARCH_SORTS or order not in ("asc", "desc"):
        errors["sort"] = "sort by one of the columns' headings"
    return {
        "year": year_n,
        "fmt": format if format in dict(activity_form.FORMAT_OPTIONS) else None,
        "status": status if status in dict(STATUSES) else None,
        "sort": sort if sort in SEARCH_SORTS else "start_date",
        "descending": order != "asc",
    }, errors


@router.get("/provider/{accme_id}/activities")
def activities(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    accme_id: str,
    year: str = "",
    format: str = "",
    status: str = "",
    q: str = "",
    page: int = 1,
    size: int = PAGE_SIZE,
    sort: str = "start_date",
    order: str = "desc",
) -> Response:
    profile = readable(request, user, accme_id)
    today = activities.today()
    found, errors = _filters(year, format, status, sort, order)
    page = max(1, page)
    size = size if size in PAGE_SIZES else PAGE_SIZE
    rows, total = activities.search(
        accme_id,
        **found,
        q=q[:200] or None,
        moc=None,
        rems=None,
        mips=None,
        today=today,
        limit=size,
        offset=(page - 1) * size,
        with_completions=True,
    )
    rows = [{**r, "status": status_of(r, today)} for r in rows]
    filters = {
        "year": year.strip(),
        "format": found["fmt"] or "",
        "status": found["status"] or "",
        "q": q,
        "size": size,
        "sort": found["sort"],
        "order": "desc" if found["descending"] else "asc",
    }
    search = {k: v for k, v in filters.items() if k in ("q", "year", "format", "status") and v}

    def link(**change: Any) -> str:
        return "?" + urlencode({**{k: v for k, v in filters.items() if v}, **change})

    def sort_link(column: str) -> str:
        """The heading's link: sorts by the column, the other way round when the list is sorted by it already."""
        ascending = filters["sort"] != column or filters["order"] == "desc"
        if filters["sort"] != column and column in ("start_date", "credits", "learners", "completions"):
            ascending = False  # newest, most credits, most learners first
        return link(sort=column, order="asc" if ascending else "desc", page=1)

    return render(
        request,
        "provider/activities.html",
        provider=profile,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // size)),
        filters=filters,
        sizes=PAGE_SIZES,
        errors=errors,
        headings=SORT_HEADINGS,
        link=link,
        sort_link=sort_link,
        exports=[(ext, NAMES[fmt]) for ext, fmt in EXPORTS.items()],
        export_query=urlencode(search),
        formats=activity_form.FORMAT_OPTIONS,
        statuses=STATUSES,
        status_names=dict(STATUSES),
        can_edit=user.principal.can_edit_provider(accme_id),
    )


@router.get("/provider/{accme_id}/activities/export.{ext}")
def export_search(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    items: AccmeActivitiesDep,
    accme_id: str,
    ext: str,
    year: str = "",
    format: str = "",
    status: str = "",
    q: str = "",
) -> Response:
    """The activities the search finds, as a batch file (ACCME JSON, MEMS XML, tab-delimited or the Excel
    template); uploading it back changes nothing."""
    readable(request, user, accme_id)
    if ext not in EXPORTS:
        raise PageNotFound()
    found, errors = _filters(year, format, status)
    if errors:
        # The list says what is wrong with each value, in its error summary.
        return see_other(
            f"/provider/{accme_id}/activities?" + urlencode({"q": q, "year": year, "format": format, "status": status})
        )
    rows, _ = activities.search(
        accme_id,
        **found,
        q=q[:200] or None,
        moc=None,
        rems=None,
        mips=None,
        today=activities.today(),
        limit=EXPORT_LIMIT,
        offset=0,
    )
    chosen = items.accme_activities_numbered(accme_id, [r["activity_id"] for r in rows])
    return attachment(render_batch(EXPORTS[ext], chosen), EXPORTS[ext], f"activities-{accme_id}.{ext}")


@router.post("/provider/{accme_id}/activities/close")
async def close_many(
    request: Request, user: UserDep, activities: ActivityRegistryDep, read_models: SettleDep, accme_id: str
) -> Response:
    """Closes the ticked activities as the API's bulk close route does, each answering closed, unchanged or what is missing."""
    editable(request, user, accme_id)
    form = await request.form()
    chosen = [v for v in form.getlist("activity_ids") if isinstance(v, str)]
    back = f"/provider/{accme_id}/activities?status=ready_to_close"
    try:
        body = bulk_close.BulkClose(activity_ids=chosen)
    except ValidationError:
        return see_other(back, "Tick the activities to close first.")
    answer = bulk_close.close_many(
        activities, read_models, accme_id, body.activity_ids, Acting(user.principal.actor, Channel.WEB)
    )
    counts = answer["counts"]
    refused = "; ".join(
        f"{a['activityId']}: " + ", ".join(e["msg"] for e in a["errors"])
        for a in answer["activities"]
        if a["action"] == "rejected"
    )
    message = (
        f"{counts['closed']} closed, {counts['unchanged']} already closed, {counts['rejected']} not closed"
        + (f" ({refused})" if refused else "")
        + "."
    )
    return see_other(back, message)


def _activity_form(
    request: Request,
    profile: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    *,
    activity: dict[str, Any] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request,
        "provider/activity_form.html",
        status,
        provider=profile,
        form=form,
        errors=errors,
        activity=activity,
        moc_rows=activity_form.moc_rows(form, errors, str(form.get("start_date") or "")),
        instance_rows=activity_form.instance_rows(form),
        rems_types=activity_form.REMS_TYPE_OPTIONS,
        rems_compliance=activity_form.REMS_COMPLIANCE_OPTIONS,
        blueprint_sections=BLUEPRINT_SECTIONS,
        formats=activity_form.FORMAT_OPTIONS,
        deliveries=activity_form.DELIVERY_OPTIONS,
        outcomes=activity_form.OUTCOME_OPTIONS,
        measurements=activity_form.MEASUREMENT_OPTIONS,
        yes_no=activity_form.YES_NO,
        fees=activity_form.FEE_OPTIONS,
        registrations=activity_form.REGISTRATION_OPTIONS,
        **extra,
    )


@router.get("/provider/{accme_id}/activities/new")
def new_activity(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return _activity_form(request, profile, {"sponsorship": "direct", "country": "USA"}, {})


@router.post("/provider/{accme_id}/activities/new")
async def create_activity(
    request: Request, read_models: SettleDep, activities: ActivityRegistryDep, user: UserDep, accme_id: str
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    by = Acting(user.principal.actor, Channel.WEB)
    rows = activity_form.instance_rows(form)
    action = str(form.get("instance_action") or "")
    if action == "add" or action.startswith("remove:"):
        # Adding or removing a repeat instance's row: the form comes back with it, nothing is saved (no script needed).
        if action == "add" and len(rows) < activity_form.MAX_INSTANCE_ROWS:
            rows.append(dict.fromkeys(activity_form.INSTANCE_PARTS, ""))
        elif action[7:].isdigit() and int(action[7:]) < len(rows):
            del rows[int(action[7:])]
        kept = {k: v for k, v in form.items() if not k.startswith("instance_")}
        return _activity_form(request, profile, {**kept, **activity_form.instance_form(rows)}, {})
    boards = activity_form.moc_boards(form)
    fields = activity_form.field_names()
    try:
        if not form.get("provider_activity_id"):
            raise InvalidValueError(
                "give the activity an ID of your own (your Provider Activity ID)", loc=("form", "provider_activity_id")
            )
        item = activity_form.item_from_form(form)
        instances = activity_form.instances_from_rows(rows)
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
        return _activity_form(
            request, profile, form, field_errors(activity_form.errors_of(loc_errors(bad), boards), fields), status=422
        )
    except ValidationError as bad:
        return _activity_form(
            request,
            profile,
            form,
            field_errors(activity_form.errors_of(pydantic_errors(bad), boards), fields),
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
        return _activity_form(
            request,
            profile,
            form,
            field_errors(activity_form.errors_of(errors, boards), fields),
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
        "kept": activity_form.kept_beyond_form(item),
        # Every item closing still needs, each named beside the form's field it concerns.
        "missing": []
        if activity.closed
        else [
            {"field": activity_form.field_of(loc, stored_boards), "msg": msg}
            for loc, msg in missing_to_close(activity.data, today)
        ],
    }
    return _activity_form(
        request,
        profile,
        form or activity_form.form_from_item(item),
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
    boards = activity_form.moc_boards(form)
    fields = activity_form.field_names()
    try:
        cmd = correction(accme_id, activity_id, activity_form.item_from_form(form, item), form.get("reason", ""))
        position = correct_item(activities, cmd, Acting(user.principal.actor, Channel.WEB))
    except DomainError as bad:
        errors = field_errors(activity_form.errors_of(loc_errors(bad), boards), fields)
        return _activity_page(request, user, profile, activity_id, form, errors, 422)
    except ValidationError as bad:
        errors = field_errors(activity_form.errors_of(pydantic_errors(bad), boards), fields)
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
        errors = field_errors(activity_form.errors_of(loc_errors(bad), stored_boards), activity_form.field_names())
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
