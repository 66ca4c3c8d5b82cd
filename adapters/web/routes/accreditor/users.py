"""Accreditor staff's users page: inviting colleagues of their own accreditor, and physicians to CME Passport."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import account_queries
from adapters.http.services import AccountServiceDep, LearnerDirectoryDep, SettleDep
from adapters.web.forms import posted
from adapters.web.invite_form import invite_answer
from adapters.web.render import render
from adapters.web.routes.accreditor import staff
from adapters.web.session import UserDep, WebUser
from domain.account import Account
from domain.errors import InvalidValueError

router = APIRouter()


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
