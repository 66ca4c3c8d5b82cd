"""A provider's pages: dashboard, contacts, activities, batch uploads, learner completions, annual report, history, users.

Every change goes through the same commands and services as the API routes; every list reads
the same read models. A user who may not see the provider gets the same 404 as for no provider.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any, BinaryIO

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from adapters.api.problems import domain_status
from adapters.api.routes.activities import PAGE_SIZE, BulkClose, activity_counts
from adapters.api.routes.activities import close_activities as api_close_activities
from adapters.api.routes.completions import delete_completion as api_delete_completion
from adapters.batch.completion_importer import import_completion_file
from adapters.batch.importer import import_activity_file
from adapters.batch.records import BatchFormatError
from adapters.bootstrap import System
from adapters.web import activity_form
from adapters.web.charts import bar_chart, progress_ring
from adapters.web.forms import posted, see_other
from adapters.web.render import field_errors, render
from adapters.web.session import PageNotFound, UserDep, WebUser, base_url, system_of
from adapters.web.upload_progress import PROGRESS
from commands.activities import (
    CloseActivity,
    CorrectActivity,
    RegisterRepeatActivity,
    ReportEnduringLearners,
)
from commands.annual import (
    AcceptAgreement,
    Attest,
    ReviewContacts,
    SubmitProgramSummary,
)
from commands.providers import (
    AddStaffContact,
    AssignContact,
    ContactDetails,
    RemoveContact,
    RemoveStaffContact,
)
from domain.account import Account
from domain.activity import ENDURING, missing_to_close
from domain.annual_report import AttestationIncompleteError
from domain.base import Acting, Channel
from domain.errors import DomainError, InvalidValueError
from domain.learner import CERTIFYING_BOARDS
from projections.activity_summary import status_of
from services.learner_matching import MatchQuery

router = APIRouter()
ROLES = [
    ("primary", "Primary contact"),
    ("billing", "Billing contact"),
    ("ceo", "CEO"),
    ("website", "ACCME website contact"),
    ("technical", "Technical contact"),
    ("medical_director", "Medical director"),
]
STATUSES = [("draft", "Draft"), ("active", "Active"), ("ready_to_close", "Ready to close"), ("closed", "Closed")]
STEP_NAMES = {
    "agreement": "Accept the annual agreement",
    "activities_closed": "Enter and close every activity that ended in the year",
    "enduring_counts": "Update enduring-material learner counts as of 31 December",
    "program_summary": "Submit the program summary",
    "contacts_reviewed": "Review contact information",
    "attestation": "Attest",
}
SUMMARY_FIELDS = [
    ("advertising_exhibit_income", "Advertising and exhibit income"),
    ("registration_fees", "Registration fees (incl. subscriptions)"),
    ("government_grants", "Government monetary grants"),
    ("private_donations", "Private monetary donations"),
]


def readable(request: Request, user: WebUser, accme_id: str) -> dict[str, Any]:
    """The provider's profile if this user may see it; the same 404 page otherwise as for no provider."""
    profile = (
        system_of(request).profiles.view.get_profile(accme_id) if len(accme_id) == 7 and accme_id.isdigit() else None
    )
    if profile is None or not user.principal.can_read_provider(profile):
        raise PageNotFound()
    return profile


def editable(request: Request, user: WebUser, accme_id: str) -> dict[str, Any]:
    """Changes are the provider's own users' (accreditors read these pages but change nothing here)."""
    profile = readable(request, user, accme_id)
    if not user.principal.can_edit_provider(accme_id):
        raise PageNotFound()
    return profile


def reporting_year(today: date) -> int:
    """The year whose report is at hand: until the end of March, last year's (due by 31 March)."""
    return today.year - 1 if today.month <= 3 else today.year


def settle(system: System, position: int | None) -> None:
    """Read-your-writes: the page after a change shows it."""
    if position:
        with contextlib.suppress(TimeoutError):
            system.projections.wait(position, timeout=10.0)


def _loc_errors(error: DomainError) -> list[dict[str, Any]]:
    return [{"loc": list(loc), "msg": msg} for loc, msg in error.problems()]


def _pydantic_errors(error: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"].removeprefix("Value error, ")} for e in error.errors()]


# --- dashboard ----------------------------------------------------------------------------------


@router.get("/provider/{accme_id}")
def dashboard(request: Request, user: UserDep, accme_id: str, year: int | None = None) -> Response:
    profile = readable(request, user, accme_id)
    system = system_of(request)
    today = system.activities.today()
    year = year if year and 1990 <= year <= today.year + 1 else reporting_year(today)
    counts = activity_counts(system.activity_summary.view.summaries(accme_id, year), today)
    checklist = system.annual.checklist_summary(accme_id, min(year, today.year), profile["accreditor"])
    support = counts["commercial_support"]
    charts = {
        "status": bar_chart(
            f"Activities of {year} by status", {n: counts["activities"]["by_status"][k] for k, n in STATUSES}
        ),
        "format": bar_chart(f"Activities of {year} by format", counts["activities"]["by_format"]),
        "support": bar_chart(f"Commercial support of {year} by source", support["monetary_by_source"], money=True),
        "ring": progress_ring(
            checklist["steps_done"],
            checklist["steps_total"],
            f"{checklist['steps_done']} of {checklist['steps_total']} year-end steps done",
        ),
    }
    return render(
        request,
        "provider/dashboard.html",
        provider=profile,
        year=year,
        counts=counts,
        checklist=checklist,
        completions=system.transcripts.view.count(accme_id, year),
        charts=charts,
        step_names=STEP_NAMES,
        years=list(range(today.year, today.year - 5, -1)),
    )


# --- contacts -----------------------------------------------------------------------------------


@router.get("/provider/{accme_id}/contacts")
def contacts(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = readable(request, user, accme_id)
    return _contacts_page(request, user, profile, {}, None, {})


def _contacts_page(
    request: Request,
    user: WebUser,
    profile: dict[str, Any],
    errors: dict[str, str],
    failed: str | None,
    form: dict[str, Any],
    status: int = 200,
) -> Response:
    return render(
        request,
        "provider/contacts.html",
        status,
        provider=profile,
        roles=ROLES,
        errors=errors,
        failed=failed,
        form=form,
        can_edit=user.principal.can_edit_provider(profile["accme_id"]),
    )


CONTACT_FIELDS = {"name": "name", "title": "title", "email": "email", "phone": "phone"}


@router.post("/provider/{accme_id}/contacts/{role}")
async def set_contact(request: Request, user: UserDep, accme_id: str, role: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    try:
        details = ContactDetails(**{k: form.get(k, "") for k in ("name", "title", "email", "phone")})
        if role == "staff":
            cmd: Any = AddStaffContact(accme_id=accme_id, contact=details)
        elif role in dict(ROLES):
            cmd = AssignContact(accme_id=accme_id, role=role, contact=details)
        else:
            return render(
                request, "error.html", 404, heading="Page not found", message="There is no such contact role."
            )
        outcome = system.providers.handle(cmd, user.acting)
    except ValidationError as bad:
        return _contacts_page(
            request, user, profile, field_errors(_pydantic_errors(bad), CONTACT_FIELDS, "name"), role, form, 422
        )
    except DomainError as bad:
        return _contacts_page(
            request,
            user,
            profile,
            field_errors(_loc_errors(bad), CONTACT_FIELDS, "name"),
            role,
            form,
            domain_status(bad),
        )
    settle(system, outcome.position)
    return see_other(
        f"/provider/{accme_id}/contacts", f"The {dict(ROLES).get(role, 'staff contact').lower()} is saved."
    )


@router.post("/provider/{accme_id}/contacts/{role}/remove")
async def remove_contact(request: Request, user: UserDep, accme_id: str, role: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    try:
        if role == "staff":
            cmd: Any = RemoveStaffContact(accme_id=accme_id, contact_id=form.get("contact_id", ""))
        else:
            cmd = RemoveContact(accme_id=accme_id, role=role)
        outcome = system.providers.handle(cmd, user.acting)
    except (DomainError, ValidationError) as bad:
        msg = bad.message if isinstance(bad, DomainError) else "there is no such contact role"
        return _contacts_page(request, user, profile, {"name": msg}, role, {}, 409)
    settle(system, outcome.position)
    return see_other(f"/provider/{accme_id}/contacts", "The contact is removed.")


# --- activities ---------------------------------------------------------------------------------


@router.get("/provider/{accme_id}/activities")
def activities(
    request: Request,
    user: UserDep,
    accme_id: str,
    year: str = "",
    format: str = "",
    status: str = "",
    q: str = "",
    page: int = 1,
) -> Response:
    profile = readable(request, user, accme_id)
    system = system_of(request)
    today = system.activities.today()
    year_n = int(year) if year.isdigit() and len(year) == 4 else None
    status = status if status in dict(STATUSES) else ""
    fmt = format if format in dict(activity_form.FORMAT_OPTIONS) else ""
    page = max(1, page)
    rows, total = system.activity_summary.view.search(
        accme_id,
        year=year_n,
        fmt=fmt or None,
        status=status or None,
        q=q[:200] or None,
        moc=None,
        rems=None,
        mips=None,
        today=today,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [{**r, "status": status_of(r, today)} for r in rows]
    filters = {"year": year, "format": fmt, "status": status, "q": q}
    return render(
        request,
        "provider/activities.html",
        provider=profile,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters=filters,
        formats=activity_form.FORMAT_OPTIONS,
        statuses=STATUSES,
        status_names=dict(STATUSES),
        can_edit=user.principal.can_edit_provider(accme_id),
    )


@router.post("/provider/{accme_id}/activities/close")
async def close_many(request: Request, user: UserDep, accme_id: str) -> Response:
    """Closes the ticked activities: the API's bulk close route itself, each answering closed, unchanged or what is missing."""
    editable(request, user, accme_id)
    form = await request.form()
    chosen = [v for v in form.getlist("activity_ids") if isinstance(v, str)]
    back = f"/provider/{accme_id}/activities?status=ready_to_close"
    try:
        body = BulkClose(activity_ids=chosen)
    except ValidationError:
        return see_other(back, "Tick the activities to close first.")
    answer = api_close_activities(system_of(request), user.principal, accme_id, body)
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
async def create_activity(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    by = Acting(user.principal.actor, Channel.WEB)
    try:
        if not form.get("provider_activity_id"):
            raise InvalidValueError(
                "give the activity an ID of your own (your Provider Activity ID)", loc=("form", "provider_activity_id")
            )
        item = activity_form.item_from_form(form)
        instances = activity_form.instances_from_text(form.get("instances", ""))
        # "Add an activity" adds: an ID already in use is refused with a link to its activity, never replaced.
        if instances:
            results = system.activities.register_repeat(
                RegisterRepeatActivity(
                    accme_id=accme_id, provider_activity_id=form["provider_activity_id"], item=item, instances=instances
                ),
                by,
                only_new=True,
            )
        else:
            results = system.activities.submit_accme_activities(accme_id, [item], by, only_new=True)
    except DomainError as bad:
        return _activity_form(request, profile, form, field_errors(_loc_errors(bad), activity_form.FIELDS), status=422)
    except ValidationError as bad:
        return _activity_form(
            request, profile, form, field_errors(_pydantic_errors(bad), activity_form.FIELDS), status=422
        )
    refused = [r for r in results if not r.ok]
    settle(system, max([r.position for r in results if r.position] or [0]))
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
            request, profile, form, field_errors(errors, activity_form.FIELDS), status=422, notice=notice, in_use=in_use
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
    system = system_of(request)
    try:
        activity = system.activities.get_by_number(activity_id, accme_id)
    except DomainError:
        raise PageNotFound() from None
    return activity, system.activities.item(activity)


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
    system = system_of(request)
    activity, item = _stored(request, profile["accme_id"], activity_id)
    today = system.activities.today()
    summary = {
        "activity_id": activity.number,
        "closed": activity.closed,
        "status": activity.status(today),
        "title": activity.data.get("title"),
        "format": activity.data.get("format"),
        "enduring": activity.data.get("format") == ENDURING,
        "learners_by_year": activity.data.get("learners_by_year") or {},
        "kept": activity_form.kept_beyond_form(item),
        # Every item closing still needs, each named beside the form's field it concerns.
        "missing": []
        if activity.closed
        else [
            {"field": activity_form.field_of(loc), "msg": msg} for loc, msg in missing_to_close(activity.data, today)
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
async def correct_activity(request: Request, user: UserDep, accme_id: str, activity_id: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    _, item = _stored(request, accme_id, activity_id)
    try:
        cmd = CorrectActivity(
            accme_id=accme_id,
            activity_id=activity_id,
            item=activity_form.item_from_form(form, item),
            reason=form.get("reason", ""),
        )
        position = system.activities.correct(cmd, Acting(user.principal.actor, Channel.WEB))
    except DomainError as bad:
        return _activity_page(
            request, user, profile, activity_id, form, field_errors(_loc_errors(bad), activity_form.FIELDS), 422
        )
    except ValidationError as bad:
        return _activity_page(
            request, user, profile, activity_id, form, field_errors(_pydantic_errors(bad), activity_form.FIELDS), 422
        )
    settle(system, position)
    return see_other(
        f"/provider/{accme_id}/activities/{activity_id}",
        "The correction is saved." if position else "Nothing had changed.",
    )


@router.post("/provider/{accme_id}/activities/{activity_id}/close")
async def close_activity(request: Request, user: UserDep, accme_id: str, activity_id: str) -> Response:
    profile = editable(request, user, accme_id)
    system = system_of(request)
    _stored(request, accme_id, activity_id)
    try:
        position = system.activities.close(
            CloseActivity(accme_id=accme_id, activity_id=activity_id), Acting(user.principal.actor, Channel.WEB)
        )
    except DomainError as bad:
        errors = field_errors(_loc_errors(bad), activity_form.FIELDS)
        return _activity_page(
            request,
            user,
            profile,
            activity_id,
            None,
            {**errors, "_form": f"The activity cannot be closed yet: {bad.message}"},
            409,
        )
    settle(system, position)
    return see_other(f"/provider/{accme_id}/activities/{activity_id}", "The activity is closed.")


@router.post("/provider/{accme_id}/activities/{activity_id}/learner-counts")
async def learner_counts(request: Request, user: UserDep, accme_id: str, activity_id: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    try:
        year, physicians, others = (int(form.get(k) or "x") for k in ("count_year", "count_physicians", "count_others"))
        cmd = ReportEnduringLearners(
            accme_id=accme_id, activity_id=activity_id, year=year, counts={"physician": physicians, "other": others}
        )
        position = system.activities.report_enduring_learners(cmd, Acting(user.principal.actor, Channel.WEB))
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
    settle(system, position)
    return see_other(f"/provider/{accme_id}/activities/{activity_id}", "The learner counts are saved.")


# --- batch uploads ------------------------------------------------------------------------------


@router.get("/provider/{accme_id}/uploads")
def uploads(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return render(request, "provider/uploads.html", provider=profile, report=None, kind=None, errors={})


async def _file(request: Request) -> tuple[BinaryIO, str | None]:
    """The uploaded file as Starlette spooled it to a temporary file (its size limited by `upload_limits`)."""
    form = await request.form(max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidValueError("choose a file to upload", loc=("form", "file"))
    return upload.file, upload.filename


def _upload_answer(
    request: Request,
    profile: dict[str, Any],
    kind: str,
    report: dict[str, Any] | None,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    # The page's script asks for the result table alone; without it the whole page comes back.
    name = (
        "provider/upload_result.html" if request.headers.get("x-requested-with") == "pars" else "provider/uploads.html"
    )
    return render(request, name, status, provider=profile, report=report, kind=kind, errors=errors)


@router.post("/provider/{accme_id}/uploads/activities")
async def upload_activities(request: Request, user: UserDep, accme_id: str) -> Response:
    return await _upload(request, user, accme_id, "activities", import_activity_file)


@router.post("/provider/{accme_id}/uploads/completions")
async def upload_completions(request: Request, user: UserDep, accme_id: str) -> Response:
    return await _upload(request, user, accme_id, "completions", import_completion_file)


async def _upload(request: Request, user: WebUser, accme_id: str, kind: str, importer: Any) -> Response:
    """A batch file through the same importer as the API's batch route, with progress the page's script polls."""
    profile = editable(request, user, accme_id)
    system = system_of(request)
    upload_id = request.headers.get("x-upload-id")
    data = None
    try:
        data, name = await _file(request)
        progress = PROGRESS.reporter(user.account_id, upload_id)
        report = await run_in_threadpool(
            importer, system, accme_id, data, name, Acting(user.principal.actor, Channel.BATCH), progress
        )
    except (DomainError, BatchFormatError) as bad:
        return _upload_answer(request, profile, kind, None, {f"{kind}_file": bad.message}, 422)
    finally:
        PROGRESS.finish(user.account_id, upload_id)
        if data is not None:
            data.close()
    settle(system, system.store.head())
    return _upload_answer(request, profile, kind, report.as_dict(), {})


@router.get("/provider/{accme_id}/uploads/progress/{upload_id}")
def upload_progress(request: Request, user: UserDep, accme_id: str, upload_id: str) -> Response:
    """Rows stored so far of this user's upload, for the page's progress bar."""
    editable(request, user, accme_id)
    return JSONResponse(PROGRESS.read(user.account_id, upload_id) or {"done": 0, "total": 0, "finished": False})


# --- learner completion entry -------------------------------------------------------------------


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
}


def _match_query(form: dict[str, Any]) -> MatchQuery:
    return MatchQuery(**{f: (form.get(f) or None) for f in MATCH_FIELDS})


def _completion_page(
    request: Request,
    profile: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    match: Any = None,
) -> Response:
    system = system_of(request)
    acts = system.activity_summary.view.summaries(profile["accme_id"], None)
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
    )


@router.get("/provider/{accme_id}/completions/new")
def completion_form(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return _completion_page(request, profile, {"credits": "", "completion_date": date.today().isoformat()}, {})


@router.post("/provider/{accme_id}/match")
async def match(request: Request, user: UserDep, accme_id: str) -> Response:
    """The match service for the form's script (checked as the provider types); the server checks again on save."""
    editable(request, user, accme_id)
    form = await posted(request)
    query = _match_query(form)
    try:
        query.validate(("form",))
    except DomainError as bad:
        return JSONResponse(
            {"status": "incomplete", "field": field_errors(_loc_errors(bad), COMPLETION_FIELDS), "msg": bad.message}
        )
    result = system_of(request).matcher.match(query)
    return JSONResponse(
        {**result.as_dict(), "msg": "matched a physician in the learner directory" if result.matched else result.msg}
    )


@router.post("/provider/{accme_id}/completions/new")
async def record_completion(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    query = _match_query(form)
    try:
        query.validate(("form",))
        result = system.matcher.match(query)
        if not result.matched:
            raise InvalidValueError(f"the learner was not matched: {result.msg}", loc=("form", "first_name"))
        completion_date = _date(form.get("completion_date", ""), "completion_date")
        credits = _credits(
            form,
            "credits",
            "the AMA PRA Category 1 credits are required (0 when the completion carries MOC points only)",
        )
        moc = _moc_credits(form)
        action, position = system.completions.record_one(
            accme_id,
            result.learner_id or "",
            form.get("activity_id", ""),
            completion_date,
            [{"type": "AMA PRA Category 1", "credits": credits}],
            moc,
            form.get("credit_id", ""),
            Acting(user.principal.actor, Channel.WEB),
            identifiers=result.identifiers,
        )
    except ValueError as bad:
        if isinstance(bad, DomainError):
            return _completion_page(
                request, profile, form, field_errors(_loc_errors(bad), COMPLETION_FIELDS, "first_name"), 422
            )
        return _completion_page(request, profile, form, {"credits": "enter the credits as a number, e.g. 6.25"}, 422)
    except DomainError as bad:
        return _completion_page(
            request, profile, form, field_errors(_loc_errors(bad), COMPLETION_FIELDS, "activity_id"), 409
        )
    settle(system, position)
    return see_other(
        f"/provider/{accme_id}/completions/new",
        "The completion is recorded."
        if action == "added"
        else "That completion was already recorded; nothing changed.",
    )


@router.post("/provider/{accme_id}/completions/delete")
async def delete_completion(request: Request, user: UserDep, accme_id: str) -> Response:
    """Deletes a completion by its credit ID (records are deleted and resubmitted, never edited): the API route itself."""
    profile = editable(request, user, accme_id)
    form = await posted(request)
    credit_id = form.get("delete_credit_id", "")
    if not credit_id:
        return _completion_page(
            request, profile, {}, {"delete_credit_id": "enter the credit ID of the completion to delete"}, 422
        )
    try:
        api_delete_completion(system_of(request), user.principal, accme_id, credit_id)
    except DomainError as bad:
        return _completion_page(
            request, profile, {"delete_credit_id": credit_id}, {"delete_credit_id": bad.message}, domain_status(bad)
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


# --- annual report ------------------------------------------------------------------------------


@router.get("/provider/{accme_id}/year")
def year_default(request: Request, user: UserDep, accme_id: str) -> Response:
    readable(request, user, accme_id)
    return see_other(f"/provider/{accme_id}/year/{reporting_year(system_of(request).annual.today())}")


def _year_page(
    request: Request,
    user: WebUser,
    profile: dict[str, Any],
    year: int,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    missing: dict[str, Any] | None = None,
) -> Response:
    system = system_of(request)
    try:
        checklist = system.annual.checklist(profile["accme_id"], year, profile["accreditor"])
        summary = system.annual.program_summary(profile["accme_id"], year)
    except DomainError:
        raise PageNotFound() from None
    deadline = date.fromisoformat(checklist["deadline"])
    return render(
        request,
        "provider/year.html",
        status,
        provider=profile,
        year=year,
        checklist=checklist,
        summary=summary,
        step_names=STEP_NAMES,
        fields=SUMMARY_FIELDS,
        errors=errors or {},
        form=form or summary,
        missing=missing,
        days=(deadline - system.annual.today()).days,
        can_edit=user.principal.can_edit_provider(profile["accme_id"]),
    )


@router.get("/provider/{accme_id}/year/{year}")
def year_page(request: Request, user: UserDep, accme_id: str, year: int) -> Response:
    profile = readable(request, user, accme_id)
    return _year_page(request, user, profile, year)


@router.post("/provider/{accme_id}/year/{year}/{step}")
async def year_step(request: Request, user: UserDep, accme_id: str, year: int, step: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    try:
        if step == "agreement":
            cmd: Any = AcceptAgreement(accme_id=accme_id, year=year)
        elif step == "contacts-reviewed":
            cmd = ReviewContacts(accme_id=accme_id, year=year)
        elif step == "attest":
            if form.get("confirm") != "yes":
                return _year_page(
                    request, user, profile, year, {"confirm": "tick “I attest” to attest the report"}, status=422
                )
            cmd = Attest(accme_id=accme_id, year=year)
        elif step == "program-summary":
            values: dict[str, int | None] = {}
            bad_fields = {}
            for key, label in SUMMARY_FIELDS:
                raw = (form.get(key) or "").replace(",", "").replace("$", "").strip()
                if raw == "":
                    values[key] = None
                elif raw.isdigit():
                    values[key] = int(raw)
                else:
                    bad_fields[key] = f"enter {label.lower()} in whole dollars, e.g. 12500 (0 if none)"
            if bad_fields:
                return _year_page(request, user, profile, year, bad_fields, form, 422)
            cmd = SubmitProgramSummary(accme_id=accme_id, year=year, **values)
        else:
            return render(request, "error.html", 404, heading="Page not found", message="There is no such step.")
        outcome = system.annual.handle(cmd, user.acting)
    except AttestationIncompleteError as incomplete:
        return _year_page(
            request,
            user,
            profile,
            year,
            {"_form": "The report cannot be attested yet: the steps marked below are missing."},
            status=409,
            missing=incomplete.missing,
        )
    except ValidationError as bad:
        return _year_page(
            request,
            user,
            profile,
            year,
            field_errors(_pydantic_errors(bad), {k: k for k, _ in SUMMARY_FIELDS}),
            form,
            422,
        )
    except DomainError as bad:
        return _year_page(
            request, user, profile, year, field_errors(_loc_errors(bad), {k: k for k, _ in SUMMARY_FIELDS}), form, 409
        )
    settle(system, outcome.position)
    done = {
        "agreement": "The annual agreement is accepted.",
        "contacts-reviewed": "Your contacts are marked as reviewed.",
        "attest": "The annual report is attested.",
        "program-summary": "The program summary is saved.",
    }[step]
    return see_other(f"/provider/{accme_id}/year/{year}", done)


# --- history ------------------------------------------------------------------------------------


@router.get("/provider/{accme_id}/history")
def history(request: Request, user: UserDep, accme_id: str, after: int = 0) -> Response:
    profile = readable(request, user, accme_id)
    items = system_of(request).history.view.events(accme_id, after=max(0, after), limit=101)
    more = len(items) > 100
    items = items[:100]
    return render(
        request, "provider/history.html", provider=profile, items=items, next=items[-1]["position"] if more else None
    )


# --- users --------------------------------------------------------------------------------------


@router.get("/provider/{accme_id}/users")
def users(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return _users_page(request, profile, {}, {})


def _users_page(
    request: Request, profile: dict[str, Any], form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    accounts = system_of(request).account_list.view.list_accounts([f"provider:{profile['accme_id']}"])
    return render(
        request,
        "users.html",
        status,
        provider=profile,
        accounts=accounts,
        form=form,
        errors=errors,
        action=f"/provider/{profile['accme_id']}/users",
        roles=None,
        learner_field=False,
    )


@router.post("/provider/{accme_id}/users")
async def invite(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    system = system_of(request)
    try:
        account = system.accounts.invite(
            form.get("email", ""),
            form.get("name", ""),
            "provider",
            Account.tenant_of("provider", provider=accme_id),
            user.acting,
            base_url(request),
            inviter=f"{user.name} of {profile['name']}",
        )
    except DomainError as bad:
        return _users_page(
            request, profile, form, field_errors(_loc_errors(bad), {"email": "email", "name": "name"}, "email"), 422
        )
    settle(system, system.store.head())
    return see_other(f"/provider/{accme_id}/users", f"An invitation was sent to {account.email}.")
