"""Accreditor staff's pages: providers overseen, the year-end table (with CSV), accreditation decisions, inviting provider users."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import ValidationError

from adapters.http.mips_csv import mips_csv
from adapters.http.reads import (
    AnnualDep,
    OversightDep,
    ProvidersDep,
    account_queries,
    annual_reporting,
    live_reads,
    provider_queries,
)
from adapters.http.rems_csv import rems_csv
from adapters.http.services import AccountServiceDep, LearnerDirectoryDep, ProviderRegistryDep, SettleDep
from adapters.http.year_end_csv import STEP_HEADINGS, year_end_csv
from adapters.web.charts import bar_chart
from adapters.web.forms import posted, see_other, settle
from adapters.web.invite_form import invite_answer
from adapters.web.render import field_errors, render
from adapters.web.routes.provider import STATUSES, STEP_NAMES, reporting_year, year_at_hand
from adapters.web.routes.provider.contacts import ROLES
from adapters.web.session import PageNotFound, UserDep, WebUser, base_url
from adapters.web.words import SUMMARY_FIELDS
from commands.annual import (
    AskReminderCopies,
    RemindProviders,
    ReopenYear,
    ScheduleReminders,
    SetReportingDeadline,
)
from commands.providers import RecordAccreditationDecision
from domain.account import Account
from domain.activity import REMS_TYPES
from domain.annual_report import STEP_KEYS
from domain.deadlines import default_deadline
from domain.errors import DomainError, InvalidValueError
from domain.provider import Decision, normalise_accreditor
from services.access import Role
from services.queries.oversight import PAGE_SIZE

router = APIRouter()
SORTS = [
    ("accme_id", "ACCME ID"),
    ("name", "Name"),
    ("days_to_deadline", "Days to deadline"),
    ("missing_count", "Missing steps"),
    ("-late_count", "Late steps"),
    ("-activities_open", "Activities open"),
    ("-activities_ready_to_close", "Activities ready to close"),
    ("-enduring_without_count", "Enduring materials without a learner count"),
]


def staff(user: WebUser) -> list[str] | None:
    """The accreditors whose providers this user oversees (None: every one, for ACCME staff)."""
    if user.principal.role is not Role.ACCREDITOR:
        raise PageNotFound()
    return None if user.principal.state is None else [user.principal.state]


def overseen(request: Request, user: WebUser, accme_id: str) -> dict[str, Any]:
    staff(user)
    profile = provider_queries(request).get_profile(accme_id) if len(accme_id) == 7 and accme_id.isdigit() else None
    if profile is None or not user.principal.oversees(profile["accreditor"]):
        raise PageNotFound()
    return profile


@router.get("/accreditor")
def providers(request: Request, user: UserDep, providers: ProvidersDep, q: str = "") -> Response:
    accreditors = staff(user)
    rows = providers.list_profiles(accreditors=accreditors)
    if q:
        words = q.lower().split()
        rows = [r for r in rows if all(w in f"{r['accme_id']} {r['name']} {r['accreditor']}".lower() for w in words)]
    return render(request, "accreditor/providers.html", rows=rows, q=q)


def _provider_page(
    request: Request,
    user: WebUser,
    profile: dict[str, Any],
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    year: int | None = None,
) -> Response:
    accounts = account_queries(request).of_provider(profile["accme_id"])
    # The provider at a glance: its contacts, the year's activities by status, the year's checklist and what is late.
    reads = live_reads(request)
    today = reads.today()
    at_hand = None
    if not (year and 1990 <= year <= today.year + 1):
        year, at_hand = year_at_hand(reads, profile)
    counts = reads.activities.counts(profile["accme_id"], year)["activities"]
    checklist = reads.annual.checklist(profile["accme_id"], year, profile["accreditor"])
    days = (date.fromisoformat(checklist["deadline"]) - today).days
    return render(
        request,
        "accreditor/provider.html",
        status,
        provider=profile,
        accounts=accounts,
        errors=errors or {},
        form=form or {},
        decisions=[(d.value, d.value) for d in Decision],
        year=year,
        at_hand=at_hand,
        years=list(range(today.year, today.year - 5, -1)),
        roles=ROLES,
        counts=counts,
        statuses=STATUSES,
        checklist=checklist,
        days=days,
        late=[s["key"] for s in checklist["steps"] if s["late"]],
        step_names=STEP_NAMES,
    )


@router.get("/accreditor/providers/{accme_id}")
def provider(request: Request, user: UserDep, accme_id: str, year: int | None = None) -> Response:
    return _provider_page(request, user, overseen(request, user, accme_id), year=year)


#: The decision form's fields, each named in the error summary when left empty.
DECISION_FIELDS = {"decision": "decision", "decided_on": "decided_on", "term_ends": "term_ends"}
DECISION_MISSING = {"decision": "choose the accreditation decision", "decided_on": "enter the date of the decision"}


@router.post("/accreditor/providers/{accme_id}/decisions")
async def decide(
    request: Request, read_models: SettleDep, providers: ProviderRegistryDep, user: UserDep, accme_id: str
) -> Response:
    profile = overseen(request, user, accme_id)
    form = await posted(request)
    missing = {k: msg for k, msg in DECISION_MISSING.items() if not str(form.get(k) or "").strip()}
    if missing:  # every empty field at once, not the first the command would refuse
        return _provider_page(request, user, profile, missing, form, 422)
    try:
        cmd = RecordAccreditationDecision(
            accme_id=accme_id,
            decision=form.get("decision", ""),
            decided_on=form.get("decided_on") or None,
            term_ends=form.get("term_ends") or None,
        )
        outcome = providers.handle(cmd, user.acting)
    except ValidationError as bad:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in bad.errors()]
        return _provider_page(
            request,
            user,
            profile,
            field_errors(
                errors, {"decision": "decision", "decided_on": "decided_on", "term_ends": "term_ends"}, "decision"
            ),
            form,
            422,
        )
    except DomainError as bad:
        return _provider_page(
            request,
            user,
            profile,
            field_errors(
                [{"loc": list(bad.loc), "msg": bad.message}],
                {"decision": "decision", "decided_on": "decided_on", "term_ends": "term_ends"},
                "decision",
            ),
            form,
            422,
        )
    settle(read_models, outcome.position)
    return see_other(f"/accreditor/providers/{accme_id}", f"The decision “{form.get('decision')}” is recorded.")


@router.post("/accreditor/providers/{accme_id}/reopen")
async def reopen(request: Request, read_models: SettleDep, annual: AnnualDep, user: UserDep, accme_id: str) -> Response:
    """Reopens an attested year so the provider may change it (the same command as POST .../years/{year}/reopen)."""
    profile = overseen(request, user, accme_id)
    form = await posted(request)
    fields = {"year": "reopen_year", "reason": "reason"}
    try:
        year = int(form.get("reopen_year") or "x")
        cmd = ReopenYear(accme_id=accme_id, year=year, reason=form.get("reason", ""))
        outcome = annual.handle(cmd, user.acting)
    except ValidationError as bad:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in bad.errors()]
        return _provider_page(request, user, profile, field_errors(errors, fields, "reason"), form, 422)
    except ValueError as bad:
        if isinstance(bad, DomainError):
            return _provider_page(
                request,
                user,
                profile,
                field_errors([{"loc": list(bad.loc), "msg": bad.message}], fields, "reopen_year"),
                form,
                422,
            )
        return _provider_page(request, user, profile, {"reopen_year": "enter the year, e.g. 2025"}, form, 422)
    except DomainError as bad:
        return _provider_page(
            request,
            user,
            profile,
            field_errors([{"loc": list(bad.loc), "msg": bad.message}], fields, "reopen_year"),
            form,
            409,
        )
    settle(read_models, outcome.position)
    return see_other(f"/accreditor/providers/{accme_id}", f"The {year} annual report is reopened.")


@router.post("/accreditor/providers/{accme_id}/users")
async def invite(
    request: Request, read_models: SettleDep, accounts: AccountServiceDep, user: UserDep, accme_id: str
) -> Response:
    profile = overseen(request, user, accme_id)
    form = await posted(request)
    return invite_answer(
        request,
        accounts,
        read_models,
        user,
        form,
        role="provider",
        tenant=lambda: Account.tenant_of("provider", provider=accme_id),
        inviter=f"{user.name} ({user.scope} accreditor staff)",
        back=f"/accreditor/providers/{accme_id}",
        page=lambda errors: _provider_page(request, user, profile, errors, form, 422),
    )


def _year_end_rows(request: Request, user: WebUser, year: int, status: str, sort: str) -> list[dict[str, Any]]:
    return annual_reporting(request).year_end(
        year,
        staff(user),
        sort=sort if sort in dict(SORTS) else "accme_id",
        status=status if status in ("complete", "incomplete", "late") else None,
    )


def _year(request: Request, year: int | None) -> int:
    today = annual_reporting(request).today()
    return year if year and 1990 <= year <= today.year else reporting_year(today)


@router.get("/accreditor/year-end")
def year_end(
    request: Request,
    annual: AnnualDep,
    user: UserDep,
    year: int | None = None,
    status: str = "",
    sort: str = "accme_id",
) -> Response:
    year = _year(request, year)
    rows = _year_end_rows(request, user, year, status, sort)
    today = annual.today()
    return render(
        request,
        "accreditor/year_end.html",
        rows=rows,
        year=year,
        status=status,
        sort=sort,
        sorts=SORTS,
        steps=STEP_KEYS,
        step_names=STEP_NAMES,
        step_headings=STEP_HEADINGS,
        years=list(range(today.year, today.year - 5, -1)),
    )


@router.get("/accreditor/year-end.csv")
def year_end_download(
    request: Request, user: UserDep, year: int | None = None, status: str = "", sort: str = "accme_id"
) -> Response:
    year = _year(request, year)
    rows = _year_end_rows(request, user, year, status, sort)
    return Response(
        year_end_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="year-end-{year}.csv"'},
    )


REMINDED = {
    "sent": "reminded",
    "reminded_recently": "already reminded in the last 7 days (tick “Remind again” to insist)",
    "complete": "complete (not reminded)",
    "not_found": "not found",
    "mail_failed": "recorded but the mail could not be sent",
}


@router.post("/accreditor/year-end/reminders")
async def remind(request: Request, user: UserDep, annual: AnnualDep, read_models: SettleDep) -> Response:
    """Mails the providers ticked (none ticked: every incomplete one) what their year-end report still misses;
    the same command as POST /api/v1/accreditor/year-end/{year}/reminders."""
    accreditors = staff(user)
    form = await posted(request)
    year_text = form.get("year") or ""
    year = _year(request, int(year_text) if isinstance(year_text, str) and year_text.isdigit() else None)
    chosen = form.get("providers") or []
    chosen = [chosen] if isinstance(chosen, str) else chosen
    outcome = annual.handle(
        RemindProviders(
            year=year,
            providers=tuple(chosen) or None,
            force=form.get("force") == "yes",
            accreditors=None if accreditors is None else tuple(accreditors),
            base_url=base_url(request),
        ),
        user.acting,
    )
    settle(read_models, outcome.position)
    results = outcome.value["results"]
    if not results:
        return see_other(f"/accreditor/year-end?year={year}", f"Every provider has completed its {year} report.")
    said = []
    for status, words in REMINDED.items():
        n = sum(1 for r in results if r["status"] == status)
        if n:
            said.append(f"{n} provider{'' if n == 1 else 's'} {words}")
    return see_other(f"/accreditor/year-end?year={year}", "; ".join(said) + ".")


def _provider(provider: str) -> str | None:
    provider = provider.strip()
    return provider if len(provider) == 7 and provider.isdigit() else None


def _page(page: int) -> int:
    return max(1, min(page, 100000))


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


@router.get("/accreditor/rems")
def rems(
    request: Request,
    user: UserDep,
    annual: AnnualDep,
    oversight: OversightDep,
    year: int | None = None,
    type: str = "",
    provider: str = "",
    page: int = 1,
) -> Response:
    year = _year(request, year)
    today = annual.today()
    rems_type = type if type in REMS_TYPES else None
    report = oversight.rems(year, staff(user), rems_type=rems_type, provider=_provider(provider), page=_page(page))
    return render(
        request,
        "accreditor/rems.html",
        report=report,
        year=year,
        rems_type=type,
        provider=provider.strip(),
        types=REMS_TYPES,
        years=list(range(today.year, today.year - 5, -1)),
        page=report["page"],
        pages=_pages(report["totals"]["activities"]),
        query=urlencode({"year": year, "type": type, "provider": provider.strip()}),
    )


@router.get("/accreditor/rems.csv")
def rems_download(
    request: Request,
    user: UserDep,
    oversight: OversightDep,
    year: int | None = None,
    type: str = "",
    provider: str = "",
) -> Response:
    year = _year(request, year)
    rows = oversight.rems_rows(
        year, staff(user), rems_type=type if type in REMS_TYPES else None, provider=_provider(provider)
    )
    return StreamingResponse(
        rems_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rems-{year}.csv"'},
    )


@router.get("/accreditor/mips")
def mips(
    request: Request,
    user: UserDep,
    oversight: OversightDep,
    year: int | None = None,
    provider: str = "",
    page: int = 1,
    activities_page: int = 1,
) -> Response:
    year = _year(request, year)
    today = annual_reporting(request).today()
    report = oversight.mips(
        year, staff(user), provider=_provider(provider), page=_page(page), activities_page=_page(activities_page)
    )
    return render(
        request,
        "accreditor/mips.html",
        report=report,
        year=year,
        provider=provider.strip(),
        years=list(range(today.year, today.year - 5, -1)),
        page=report["page"],
        pages=_pages(report["totals"]["physicians"]),
        activities_page=report["activities_page"],
        activities_pages=_pages(report["totals"]["activities"]),
        query=urlencode({"year": year, "provider": provider.strip()}),
    )


@router.get("/accreditor/mips.csv")
def mips_download(
    request: Request, user: UserDep, oversight: OversightDep, year: int | None = None, provider: str = ""
) -> Response:
    year = _year(request, year)
    return StreamingResponse(
        mips_csv(oversight.mips_rows(year, staff(user), provider=_provider(provider))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="mips-{year}.csv"'},
    )


@router.get("/accreditor/data-report")
def data_report(request: Request, user: UserDep, annual: AnnualDep, year: int | None = None) -> Response:
    """The annual data report (what GET /api/v1/accreditor/data-report/{year} answers) with charts, printable."""
    year = _year(request, year)
    report = annual.data_report(year, staff(user))
    today = annual.today()
    support = report["commercial_support"]
    charts = {
        "activities": bar_chart("Activities by format", {f: v["activities"] for f, v in report["by_format"].items()}),
        "credits": bar_chart(
            "AMA PRA Category 1 credits by format",
            {f: v["credits"] for f, v in report["by_format"].items()},
            exact=True,
        ),
        "learners": bar_chart(
            "Learners", {"Physicians": report["physician_learners"], "Other learners": report["other_learners"]}
        ),
        "support": bar_chart("Commercial support by source", support["monetary_by_source"], money=True),
        "income": bar_chart(
            "Income reported in the program summaries",
            {label: report["income"][key] for key, label in SUMMARY_FIELDS},
            money=True,
        ),
    }
    return render(
        request,
        "accreditor/data_report.html",
        report=report,
        charts=charts,
        year=year,
        years=list(range(today.year, today.year - 5, -1)),
    )


# --- deadlines and scheduled reminders --------------------------------------------------------------


def _accreditor_of(user: WebUser, asked: str) -> str:
    """A state accreditor's staff set their own; ACCME staff any accreditor's (ACCME unless they choose)."""
    staff(user)
    if user.principal.state is not None:
        return user.principal.state
    try:
        return normalise_accreditor(asked or "ACCME")
    except InvalidValueError:
        return "ACCME"


def _deadlines_page(
    request: Request,
    user: WebUser,
    annual: Any,
    accreditor: str,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    today = annual.today()
    years = [today.year - 1, today.year]
    schedule = annual.reminder_schedule(accreditor)
    choices = None
    if user.principal.state is None:
        codes = {p["accreditor"] for p in provider_queries(request).list_profiles()}
        choices = ["ACCME", "JA", *sorted(codes - {"ACCME", "JA"})]
    return render(
        request,
        "accreditor/deadlines.html",
        status,
        accreditor=accreditor,
        choices=choices,
        deadlines=[(y, annual.deadline_of(accreditor, y), default_deadline(y)) for y in years],
        years=years,
        schedule=schedule,
        copied=bool(schedule and user.account_id in schedule.copies),
        errors=errors or {},
        form=form or {},
    )


@router.get("/accreditor/deadlines")
def deadlines(request: Request, user: UserDep, annual: AnnualDep, accreditor: str = "") -> Response:
    return _deadlines_page(request, user, annual, _accreditor_of(user, accreditor))


@router.post("/accreditor/deadlines")
async def set_deadline(request: Request, user: UserDep, annual: AnnualDep, read_models: SettleDep) -> Response:
    form = await posted(request)
    accreditor = _accreditor_of(user, str(form.get("accreditor", "")))
    fields = {"deadline": "deadline", "year": "year"}
    try:
        cmd = SetReportingDeadline(
            accreditor=accreditor, year=form.get("year") or 0, deadline=form.get("deadline") or None
        )
        outcome = annual.handle(cmd, user.acting)
    except ValidationError as bad:
        errors = [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"]} for e in bad.errors()]
        return _deadlines_page(request, user, annual, accreditor, field_errors(errors, fields, "deadline"), form, 422)
    except DomainError as bad:
        errors = [{"loc": list(bad.loc), "msg": bad.message}]
        return _deadlines_page(request, user, annual, accreditor, field_errors(errors, fields, "deadline"), form, 422)
    settle(read_models, outcome.position)
    return see_other(
        f"/accreditor/deadlines?accreditor={accreditor}",
        f"The {cmd.year} deadline of {accreditor} is {outcome.value:%B} {outcome.value.day}, {outcome.value.year}.",
    )


@router.post("/accreditor/reminder-schedule")
async def schedule_reminders(request: Request, user: UserDep, annual: AnnualDep) -> Response:
    form = await posted(request)
    accreditor = _accreditor_of(user, str(form.get("accreditor", "")))
    days = str(form.get("days_before", "")).strip()
    if not (days.isascii() and days.isdigit()):
        errors = {"days_before": "enter the number of days before the deadline, 1 to 90"}
        return _deadlines_page(request, user, annual, accreditor, errors, form, 422)
    enabled = form.get("enabled") == "yes"
    try:
        annual.handle(ScheduleReminders(accreditor=accreditor, enabled=enabled, days_before=int(days)), user.acting)
    except DomainError as bad:
        errors = field_errors(
            [{"loc": list(bad.loc), "msg": bad.message}], {"days_before": "days_before"}, "days_before"
        )
        return _deadlines_page(request, user, annual, accreditor, errors, form, 422)
    said = (
        f"Scheduled reminders are on: {days} days before the deadline, every provider of {accreditor} still "
        "incomplete is reminded."
        if enabled
        else f"Scheduled reminders of {accreditor} are off."
    )
    return see_other(f"/accreditor/deadlines?accreditor={accreditor}", said)


@router.post("/accreditor/reminder-copies")
async def reminder_copies(request: Request, user: UserDep, annual: AnnualDep) -> Response:
    form = await posted(request)
    accreditor = _accreditor_of(user, str(form.get("accreditor", "")))
    wanted = form.get("wanted") == "yes"
    annual.handle(AskReminderCopies(accreditor=accreditor, account_id=user.account_id, wanted=wanted), user.acting)
    said = (
        f"You will get a copy of every reminder to {accreditor}'s providers, at {user.email}."
        if wanted
        else f"You will get no more copies of {accreditor}'s reminders."
    )
    return see_other(f"/accreditor/deadlines?accreditor={accreditor}", said)


# --- users: colleagues and physicians -------------------------------------------------------------


def _users_page(
    request: Request, user: WebUser, form: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    accounts = account_queries(request).of_accreditor(user.principal.state, user.scope)
    return render(
        request,
        "users.html",
        status,
        provider=None,
        accounts=accounts,
        form=form,
        errors=errors,
        action="/accreditor/users",
        roles=[("accreditor", f"{user.scope} accreditor staff"), ("learner", "Physician (CME Passport)")],
        learner_field=True,
    )


@router.get("/accreditor/users")
def users(request: Request, user: UserDep) -> Response:
    staff(user)
    return _users_page(request, user, {"role": "accreditor"}, {})


@router.post("/accreditor/users")
async def invite_user(
    request: Request, read_models: SettleDep, accounts: AccountServiceDep, learners: LearnerDirectoryDep, user: UserDep
) -> Response:
    """Accreditor staff invite colleagues of their own accreditor, and physicians to CME Passport."""
    staff(user)
    form = await posted(request)
    role = form.get("role", "")

    def tenant() -> str:
        if role == "learner":
            learner_id = learners.resolve_not_erased(form.get("learner", ""))
            if learner_id is None:
                raise InvalidValueError(
                    "no physician in the learner directory has that learner ID or NPI", loc=("body", "learner")
                )
            return Account.tenant_of("learner", learner=learner_id)
        if role == "accreditor":
            return Account.tenant_of("accreditor", state=user.principal.state)
        raise InvalidValueError("choose a role", loc=("body", "role"))

    return invite_answer(
        request,
        accounts,
        read_models,
        user,
        form,
        role=role,
        tenant=tenant,
        inviter=f"{user.name} ({user.scope} accreditor staff)",
        back="/accreditor/users",
        page=lambda errors: _users_page(request, user, form, errors, 422),
    )
