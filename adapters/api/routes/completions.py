"""Completions over HTTP: the ACCME learner web service (`accme/accme-learner_activity_api.yaml`),
the provider web form (one completion as JSON, delete by credit ID), and the learner's own
CME Passport transcript."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import Field

from adapters.api.accme_bodies import accme_list
from adapters.api.deps import AccessDep, PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem, problem_response
from adapters.api.routes.learners import LearnerMatch
from adapters.api.schemas import AccmeIdPath, IsoDate, Strict
from adapters.formats.accme.learner_report_shape import envelope_errors, report_errors
from adapters.formats.accme.learner_reports import parse_provider_report
from adapters.http.completion_correct import correct_by_credit_id
from adapters.http.completion_delete import delete_by_credit_id
from adapters.http.locations import placed
from adapters.http.reads import CompletionsDep, LearnerReportsDep, RecordsDep
from adapters.http.services import CompletionRegistryDep, LearnerDirectoryDep, MatcherDep, SettleDep
from commands.completions import DeleteCompletions, RecordCompletion, ReportCompletions, ReportError
from commands.learners import MatchQuery
from domain.completion import CompletionNotFoundError
from domain.errors import ConflictError, InvalidValueError, NotFoundError
from domain.learner import require_month_day
from services.access import Principal, Role
from services.learner_matching import LearnerMatcher, MatchResult, MatchStatus, UniqueId
from services.learner_reports import LearnerReportQueries, LearnerReports
from services.queries.records import RecordStatusQueries

accme = APIRouter(
    prefix="/accme", tags=["ACCME learner web service"], responses=documented(403)
)  # a provider token only
api = APIRouter(prefix="/api/v1", tags=["completions"])
REPORTS_LOC = ["body", "ACCMELearnerReports", "ActivityReports", "ActivityReport"]
MAX_REPORTS = 5000
CreditIdPath = Annotated[str, Path(min_length=1, max_length=300, description="the credit ID, ccid:x:y")]


def _provider(principal: Principal) -> str:
    if principal.role is not Role.PROVIDER or not principal.provider:
        raise Problem(403, "the ACCME learner web service takes a provider token")
    return principal.provider


def _reports(body: Any) -> list[Any]:
    return accme_list(
        body,
        tuple(REPORTS_LOC[1:]),
        noun="reports",
        missing="the body is ACCMELearnerReports.ActivityReports with one or more ActivityReport",
        limit=MAX_REPORTS,
        status=400,
    )


@accme.post("/learner-activities", status_code=201, responses={**documented(400), **COMMAND})
def save_learner_activities(
    registry: CompletionRegistryDep, settle: SettleDep, principal: PrincipalDep, body: Annotated[Any, Body()] = None
) -> Any:
    """Adds or deletes learner completions; 201 with a result per report, else 422 naming each refused report's field."""
    accme_id = _provider(principal)
    items = _reports(body)
    if envelope := envelope_errors(body):
        raise Problem(
            422, "the document does not keep to the ACCME learner-reports schema; nothing was saved", envelope
        )
    # A report that breaks the schema's shape is refused with every path (the others go on), never read in part.
    shapes = [report_errors(item) for item in items]
    parsed = [
        ReportError(shape[0]["loc"], shape[0]["msg"]) if shape else parse_provider_report(accme_id, item)
        for item, shape in zip(items, shapes, strict=True)
    ]
    results = [
        replace(r, errors=shapes[r.index]) if shapes[r.index] else r
        for r in registry.handle(ReportCompletions(accme_id=accme_id, reports=parsed), acting(principal))
    ]
    answers = [
        {
            "index": r.index,
            "action": r.action,
            "CreditIDs": r.credit_ids,
            "errors": [{"loc": e["loc"], "msg": e["msg"]} for e in r.errors],
        }
        for r in results
    ]
    positions = [r.position for r in results if r.position]
    if positions:
        settle(max(positions), ["transcripts", "record_status"])
    errors = [{"loc": [*REPORTS_LOC, r.index, *e["loc"]], "msg": e["msg"]} for r in results for e in r.errors]
    if errors:
        rejected = sum(1 for r in results if not r.ok)
        detail = f"{rejected} of {len(items)} learner reports were refused; the others were saved"
        return problem_response(422, detail, errors, reports=answers)
    return {"reports": answers}


def _match_unique_id(matcher: LearnerMatcher, unique_id: str, birth_date: str) -> MatchResult:
    """A learner from one identifier (NPI, board ID or state licence number, bare or `DOMAIN:value`) and the birth date."""
    try:
        uid = UniqueId.parse(unique_id, ("query", "UniqueID"))
        require_month_day(birth_date[5:] if len(birth_date) == 10 else birth_date, ("query", "BirthDate"))
    except InvalidValueError as exc:
        raise Problem(422, exc.message, [{"loc": list(exc.loc), "msg": exc.message}]) from None
    return matcher.match_unique_id(uid, birth_date)


def _status_item(row: dict[str, Any]) -> dict[str, Any]:
    # ACCME's form: a date-time without an offset (accme/README.md); completions are kept by date.
    completed = f"{row['completion_date']}T00:00:00"
    return {
        "moduleID": row["activity_id"],
        "CompletedDateTime": completed,
        "CreditID": row["credit_id"],
        "Status": "Completed",
    }


@accme.get("/learner-activities/status", responses=documented(404))
def learner_status(
    completions: CompletionsDep,
    matcher: MatcherDep,
    records: RecordsDep,
    principal: PrincipalDep,
    moduleID: Annotated[str | None, Query(max_length=9)] = None,
    BirthDate: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD or MM-DD")] = None,
    CompletionDate: Annotated[IsoDate | None, Query()] = None,
    UniqueID: Annotated[
        str | None, Query(max_length=60, description="NPI, board ID, or DOMAIN:value (e.g. TN:MD12345)")
    ] = None,
    CreditId: Annotated[str | None, Query(max_length=300)] = None,
) -> Any:
    """The provider's completions of a learner for an activity (and the match), or the completion with a credit ID."""
    accme_id = _provider(principal)
    if CreditId:
        rows = completions.by_credit_id(accme_id, CreditId)
        if not rows:
            raise Problem(
                404,
                f"no completion of this provider has credit ID {CreditId}",
                [{"loc": ["query", "CreditId"], "msg": "not found"}],
            )
        return [_with_boards(records, accme_id, _status_item(r)) for r in rows]
    missing = [
        n
        for n, v in (
            ("moduleID", moduleID),
            ("BirthDate", BirthDate),
            ("CompletionDate", CompletionDate),
            ("UniqueID", UniqueID),
        )
        if not v
    ]
    if missing:
        raise Problem(
            422,
            "give moduleID, BirthDate, CompletionDate and UniqueID, or CreditId",
            [{"loc": ["query", n], "msg": "required"} for n in missing],
        )
    match = _match_unique_id(matcher, UniqueID or "", BirthDate or "")
    if match.status is MatchStatus.SEVERAL_CANDIDATES:  # only when the caller's bare ID is ambiguous: its own input
        raise Problem(
            404, f"learner not matched: {match.msg}", [{"loc": ["query", "UniqueID"], "msg": match.status.value}]
        )
    rows = [
        r
        for r in completions.for_learner(match.learner_id or "", CompletionDate, CompletionDate)
        if match.matched and r["activity_id"] == moduleID and r["accme_id"] == accme_id
    ]
    if not rows:
        # One answer whether or not the identifier and birth date match someone: a provider learns about its own
        # completions only, so this lookup is no oracle for who is in the directory or their birth date.
        raise Problem(
            404,
            f"no completion of this provider for the learner with {UniqueID} on that activity and date",
            [
                {
                    "loc": ["query", "UniqueID"],
                    "msg": "no completion of this provider for that learner, activity and date",
                }
            ],
        )
    held = (
        match.identifier
    )  # the identifier as the learner holds it: a bare one has its domain (NPI, board, state) resolved
    unique_ids = [{"value": held.value, "domain": held.domain}] if held else []
    return [_with_boards(records, accme_id, {**_status_item(r), "UniqueID": unique_ids}) for r in rows]


def _with_boards(records: RecordStatusQueries, accme_id: str, item: dict[str, Any]) -> dict[str, Any]:
    """PARS's addition to a status item: each board's answer to the record (pending, accepted, rejected with the
    reason, not_sent without the learner's consent)."""
    boards = records.board_statuses(accme_id, item["CreditID"])
    return {
        **item,
        "BoardStatus": [
            {"board": b["board"], "status": b["status"], "reasonCode": b["reason_code"], "reason": b["reason"]}
            for b in boards
        ],
    }


def _learner_reports(queries: LearnerReportQueries, accme_id: str, learner_id: str) -> LearnerReports:
    try:
        uid = UniqueId.parse(learner_id, ("path", "learnerId"))
    except InvalidValueError as exc:
        raise Problem(422, exc.message, [{"loc": list(exc.loc), "msg": exc.message}]) from None
    return queries.find(accme_id, uid, ("path", "learnerId"))


LearnerIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=60,
        description="a Member.UniqueID value: NPI, board ID or STATE:licence (bare or DOMAIN:value)",
    ),
]


# Declared after /learner-activities/status, so "status" is never read as a learner ID.
@accme.get("/learner-activities/{learnerId}")
def get_learner_reports(
    queries: LearnerReportsDep, principal: PrincipalDep, learnerId: LearnerIdPath
) -> dict[str, Any]:
    """The caller's standing reports of one learner as ACCMELearnerReports; 404 when it has reported none."""
    accme_id = _provider(principal)
    return queries.document(_learner_reports(queries, accme_id, learnerId))


@accme.delete("/learner-activities/{learnerId}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def delete_learner_reports(
    queries: LearnerReportsDep,
    registry: CompletionRegistryDep,
    settle: SettleDep,
    principal: PrincipalDep,
    learnerId: LearnerIdPath,
) -> Response:
    """Deletes the caller's standing reports of one learner (a Deleted event each); 404 when it has reported none."""
    accme_id = _provider(principal)
    reports = _learner_reports(queries, accme_id, learnerId)
    position = registry.handle(DeleteCompletions(keys=[r["key"] for r in reports.rows]), acting(principal))
    if position:
        settle(position, ["transcripts", "record_status"])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the provider web form ----------------------------------------------------------------------------


class CmeCredit(Strict):
    type: str = Field(default="AMA PRA Category 1", min_length=1, max_length=100)
    credits: float = Field(ge=0, multiple_of=0.25)


class MocCredit(Strict):
    board: str = Field(max_length=8, description="ABA, ABIM, ABOHNS, ABOS, ABP, ABPATH, ABPMR, ABS or ABTS")
    type: str = Field(default="", max_length=100)
    credits: float = Field(ge=0, multiple_of=0.25)


class CompletionForm(Strict):
    learner: LearnerMatch
    activity_id: str = Field(pattern=r"^[0-9]{9}$", description="the 9-digit ACCME activity ID")
    completion_date: IsoDate
    credit_id: str = Field(max_length=300, description="ccid:x:y")
    cme: list[CmeCredit] = []
    moc: list[MocCredit] = []
    consent: bool = Field(
        default=False,
        description="the provider attests the learner consented to sharing this record with boards; without it the "
        "record counts on the transcript but no board's feed carries it",
    )


@api.post(
    "/providers/{accme_id}/completions",
    status_code=201,
    responses={200: {"description": "the same completion again: nothing changed"}, **COMMAND},
)
# An InvalidValueError is placed in the body below; an activity not found reaches the problem handler.
@placed("body", "activity_id", kind=NotFoundError)
def record_completion(
    registry: CompletionRegistryDep,
    matcher: MatcherDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    form: CompletionForm,
) -> Any:
    """Records one completion (web form data); the same completion again answers 200 and changes nothing."""
    access.require_editor(principal, accme_id)
    query = MatchQuery(**form.learner.model_dump())
    query.validate(("body", "learner"))
    match = matcher.match(query)
    if not match.matched:
        raise Problem(
            422, f"the learner was not matched: {match.msg}", [{"loc": ["body", "learner"], "msg": match.status.value}]
        )
    moc = [
        {"board": m.board.upper(), "type": m.type or f"{m.board.upper()} MOC", "credits": m.credits} for m in form.moc
    ]
    cme = [{"type": c.type, "credits": c.credits} for c in form.cme]
    try:
        action, position = registry.handle(
            RecordCompletion(
                accme_id=accme_id,
                learner_id=match.learner_id or "",
                activity_id=form.activity_id,
                completion_date=form.completion_date,
                cme=cme,
                moc=moc,
                credit_id=form.credit_id,
                identifiers=match.identifiers,
                consent=form.consent,
            ),
            acting(principal),
        )
    except InvalidValueError as exc:
        loc = exc.loc if exc.loc and exc.loc[0] == "body" else ("body", *exc.loc)
        raise Problem(422, exc.message, [{"loc": list(loc), "msg": exc.message}]) from None
    if position:
        settle(position, ["transcripts", "record_status"])
    body = {
        "action": action,
        "credit_id": form.credit_id,
        "learner_id": match.learner_id,
        "activity_id": form.activity_id,
    }
    return JSONResponse(body, status_code=201 if action == "added" else 200)


@api.delete("/providers/{accme_id}/completions/{credit_id}", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def delete_completion(
    completions: CompletionsDep,
    registry: CompletionRegistryDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    credit_id: CreditIdPath,
) -> Response:
    """Deletes the provider's completion(s) with this credit ID (records are deleted and resubmitted, never edited)."""
    access.require_editor(principal, accme_id)
    delete_by_credit_id(completions, registry, settle, accme_id, credit_id, acting(principal))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class CompletionCorrection(Strict):
    completion_date: IsoDate
    cme: list[CmeCredit] = []
    moc: list[MocCredit] = []
    consent: bool | None = Field(default=None, description="the learner's consent to sharing; left out: kept as it was")


@api.post("/providers/{accme_id}/completions/{credit_id}/correction", responses=COMMAND)
def correct_completion(
    completions: CompletionsDep,
    registry: CompletionRegistryDep,
    records: RecordsDep,
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    credit_id: CreditIdPath,
    form: CompletionCorrection,
) -> Any:
    """Corrects and resubmits a record (a rejected one, say) in one request: the record is deleted and the
    corrected one recorded (two events); the boards' feeds carry both and the boards answer the new one."""
    access.require_editor(principal, accme_id)
    moc = [
        {"board": m.board.upper(), "type": m.type or f"{m.board.upper()} MOC", "credits": m.credits} for m in form.moc
    ]
    cme = [{"type": c.type, "credits": c.credits} for c in form.cme]
    try:
        return correct_by_credit_id(
            completions,
            registry,
            records,
            settle,
            accme_id,
            credit_id,
            form.completion_date,
            cme,
            moc,
            form.consent,
            acting(principal),
        )
    except CompletionNotFoundError as exc:
        raise Problem(404, exc.message, [{"loc": ["path", "credit_id"], "msg": "not found"}]) from None
    except ConflictError as exc:
        raise Problem(409, exc.message, [{"loc": ["path", "credit_id"], "msg": "names several records"}]) from None
    except InvalidValueError as exc:
        loc = exc.loc if exc.loc and exc.loc[0] == "body" else ("body", *exc.loc)
        raise Problem(422, exc.message, [{"loc": list(loc), "msg": exc.message}]) from None


# --- CME Passport ---------------------------------------------------------------------------------------


@api.get("/passport/transcript", responses=documented(403, 404))
def my_transcript(
    completions: CompletionsDep,
    learners: LearnerDirectoryDep,
    principal: PrincipalDep,
    start: Annotated[IsoDate | None, Query(alias="from", description="YYYY-MM-DD")] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="YYYY-MM-DD")] = None,
) -> dict[str, Any]:
    """The signed-in learner's completions (provider, activity, date, credits; `mips` when the activity is registered
    as a MIPS improvement activity) in the range, with totals by credit type."""
    if principal.role is not Role.LEARNER:
        raise Problem(403, "only a learner token has a transcript of its own")
    if start and end and end < start:
        raise Problem(422, "'to' is before 'from'", [{"loc": ["query", "to"], "msg": "before from"}])
    learner_id = learners.resolve(principal.learner or "")
    if learner_id is None:
        raise Problem(
            404, "this learner is not in the learner directory", [{"loc": ["token", "learner"], "msg": "not found"}]
        )
    return completions.passport(learner_id, start, end)


router = APIRouter()
router.include_router(accme)
router.include_router(api)
