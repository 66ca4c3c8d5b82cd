"""The learner summary by activity: each record with the learner, completion date, CME credit and each board's
MOC points and status (with a rejection's reason), paged, sorted, filtered, and downloadable as CSV or Excel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.completion_correct import correct_by_credit_id
from adapters.http.reads import ActivitiesDep, CompletionsDep, RecordsDep
from adapters.http.roster_export import roster_download
from adapters.http.services import CompletionRegistryDep, SettleDep
from adapters.web.forms import posted, see_other, settle
from adapters.web.record_filters import STANDING_NAMES, STATUS_NAMES, filter_context, read_filters
from adapters.web.render import render
from adapters.web.routes.provider import editable, readable
from adapters.web.session import PageNotFound, UserDep
from commands.completions import AttestActivityConsent
from domain.base import Acting, Channel
from domain.errors import DomainError
from projections.record_status import SORTS as RECORD_SORTS
from services.queries.activities import ActivityQueries
from services.queries.records import PAGE_SIZE, RecordStatusQueries

router = APIRouter()
#: The learner summary's sort choices, as its filter form names them.
SORTS = (("completion_date", "Completion date"), ("learner", "Learner name"), ("credit_id", "Credit ID"))
assert [v for v, _ in SORTS] == list(RECORD_SORTS)


@router.get("/provider/{accme_id}/activities/{activity_id}/learners")
def learners(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    records: RecordsDep,
    registry: CompletionRegistryDep,
    accme_id: str,
    activity_id: str,
    status: str = "",
    board: str = "",
    sort: str = "completion_date",
    order: str = "asc",
    page: int = 1,
    format: str = "",
) -> Response:
    profile = readable(request, user, accme_id)
    activity = activities.by_activity_id(accme_id, activity_id)
    if activity is None:
        raise PageNotFound()
    return roster_answer(
        request,
        records,
        "provider/learners.html",
        accme_id,
        activity_id,
        read_filters(status, board, sort, order, SORTS),
        page,
        format,
        f"learners-{activity_id}",
        SORTS,
        provider=profile,
        activity=activity,
        can_edit=user.principal.can_edit_provider(accme_id),
        consent_attested=registry.activity_consented(activity_id),
    )


def roster_answer(
    request: Request,
    records: RecordStatusQueries,
    template: str,
    accme_id: str,
    activity_id: str | None,
    filters: dict[str, Any],
    page: int,
    format: str,
    download: str,
    sorts: Sequence[tuple[str, str]],
    **context: Any,
) -> Response:
    """A page of the records (one activity's learner summary, or the provider's records across its activities),
    or with `format` csv or xlsx every record the filters keep (`read_filters`'), as a download named `download`."""
    if format in ("csv", "xlsx"):
        return roster_download(records, accme_id, activity_id, filters, format, download)
    page = max(1, min(page, 100000))
    body = records.roster(accme_id, activity_id, page=page, **filters)
    return render(
        request,
        template,
        rows=body["data"],
        total=body["count"],
        page=page,
        pages=max(1, -(-body["count"] // PAGE_SIZE)),
        boards=sorted({b["board"] for r in body["data"] for b in r["boards"]}),
        status_names=STATUS_NAMES,
        standing_names=STANDING_NAMES,
        **filter_context(filters, sorts),
        **context,
    )


@router.post("/provider/{accme_id}/activities/{activity_id}/learners/consent")
async def attest_consent(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    registry: CompletionRegistryDep,
    read_models: SettleDep,
    accme_id: str,
    activity_id: str,
) -> Response:
    """The provider attests (or withdraws) that every learner of the activity consented to sharing with boards."""
    editable(request, user, accme_id)
    form = await posted(request)
    attested = form.get("attested") == "yes"
    if activities.by_activity_id(accme_id, activity_id) is None:
        raise PageNotFound()
    position = registry.handle(
        AttestActivityConsent(accme_id=accme_id, activity_id=activity_id, attested=attested),
        Acting(user.principal.actor, Channel.WEB),
    )
    settle(read_models, position)
    said = "attested: records reported from now on go to the boards" if attested else "withdrawn"
    return see_other(f"/provider/{accme_id}/activities/{activity_id}/learners", f"Consent for every learner {said}.")


def _correction_page(
    request: Request,
    profile: dict[str, Any],
    activity: dict[str, Any],
    record: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return render(
        request,
        "provider/correct_record.html",
        status,
        provider=profile,
        activity=activity,
        record=record,
        form=form,
        errors=errors,
    )


def _record(
    request: Request,
    user: Any,
    activities: ActivityQueries,
    records: RecordStatusQueries,
    accme_id: str,
    activity_id: str,
    credit_id: str,
) -> tuple[Any, Any, Any]:
    profile = editable(request, user, accme_id)
    activity = activities.by_activity_id(accme_id, activity_id)
    record = records.record(accme_id, credit_id)
    if activity is None or record is None:
        raise PageNotFound()
    return profile, activity, record


@router.get("/provider/{accme_id}/activities/{activity_id}/learners/correct")
def correction_form(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    records: RecordsDep,
    accme_id: str,
    activity_id: str,
    credit_id: str = "",
) -> Response:
    """Correct and resubmit one record: its date, CME credit, each board's points, the learner's consent."""
    profile, activity, record = _record(request, user, activities, records, accme_id, activity_id, credit_id)
    form = {
        "credit_id": credit_id,
        "completion_date": record["completion_date"],
        "credits": record["cme_credits"],
        "consent": record["consent"],
        **{f"points_{b['board']}": b["points"] for b in record["boards"]},
    }
    return _correction_page(request, profile, activity, record, form, {})


@router.post("/provider/{accme_id}/activities/{activity_id}/learners/correct")
async def correct_record(
    request: Request,
    user: UserDep,
    activities: ActivitiesDep,
    completions: CompletionsDep,
    records: RecordsDep,
    registry: CompletionRegistryDep,
    read_models: SettleDep,
    accme_id: str,
    activity_id: str,
) -> Response:
    form = await posted(request)
    credit_id = str(form.get("credit_id", ""))
    profile, activity, record = _record(request, user, activities, records, accme_id, activity_id, credit_id)
    form["consent"] = form.get("consent") == "yes"
    errors: dict[str, str] = {}
    try:
        completion_date = date.fromisoformat(str(form.get("completion_date", "")))
    except ValueError:
        errors["completion_date"] = "a date, YYYY-MM-DD"
    numbers: dict[str, float] = {}
    for name in ["credits", *(f"points_{b['board']}" for b in record["boards"])]:
        try:
            numbers[name] = float(str(form.get(name, "")).strip() or 0)
        except ValueError:
            errors[name] = "a number of credits, in steps of 0.25"
    if errors:
        return _correction_page(request, profile, activity, record, form, errors, 422)
    cme = [{"type": "AMA PRA Category 1", "credits": numbers["credits"]}] if numbers["credits"] else []
    moc = [
        {"board": b["board"], "type": f"{b['board']} MOC", "credits": numbers[f"points_{b['board']}"]}
        for b in record["boards"]
        if numbers[f"points_{b['board']}"]
    ]
    try:
        correct_by_credit_id(
            completions,
            registry,
            records,
            read_models,
            accme_id,
            credit_id,
            completion_date,
            cme,
            moc,
            bool(form["consent"]),
            Acting(user.principal.actor, Channel.WEB),
        )
    except DomainError as error:
        field = error.loc[-1] if error.loc else "_form"
        field = {"cme": "credits", "type": "credits", "moc": "credits", "board": "credits"}.get(field, field)
        return _correction_page(request, profile, activity, record, form, {field: error.message}, 422)
    return see_other(
        f"/provider/{accme_id}/activities/{activity_id}/learners",
        f"Credit {credit_id} is corrected and sent again; the boards answer the new record.",
    )
