"""The providers an accreditor's staff oversee, and one provider's page: its contacts, the year's activities and
checklist, with the forms to record an accreditation decision, reopen an attested year and invite provider users."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.http.reads import AnnualDep, ProvidersDep, account_queries, live_reads
from adapters.http.services import AccountServiceDep, ProviderRegistryDep, SettleDep
from adapters.web.forms import posted, see_other, settle
from adapters.web.invite_form import invite_answer
from adapters.web.render import field_errors, render
from adapters.web.routes.accreditor import overseen, staff
from adapters.web.routes.provider import STATUSES, STEP_NAMES, year_at_hand
from adapters.web.routes.provider.contacts import ROLES
from adapters.web.session import UserDep, WebUser
from commands.annual import ReopenYear
from commands.providers import RecordAccreditationDecision
from domain.account import Account
from domain.errors import DomainError
from domain.provider import Decision

router = APIRouter()


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
            field_errors(errors, DECISION_FIELDS, "decision"),
            form,
            422,
        )
    except DomainError as bad:
        return _provider_page(
            request,
            user,
            profile,
            field_errors([{"loc": list(bad.loc), "msg": bad.message}], DECISION_FIELDS, "decision"),
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
