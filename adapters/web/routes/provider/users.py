"""A provider's web users: who has an account, and inviting another."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.reads import AccountsDep
from adapters.http.services import AccountServiceDep, SettleDep
from adapters.web.forms import posted
from adapters.web.invite_form import invite_answer
from adapters.web.render import render
from adapters.web.routes.provider import editable
from adapters.web.session import UserDep
from domain.account import Account
from services.queries.accounts import AccountQueries

router = APIRouter()


@router.get("/provider/{accme_id}/users")
def users(request: Request, people: AccountsDep, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return _users_page(request, people, profile, {}, {})


def _users_page(
    request: Request,
    people: AccountQueries,
    profile: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    accounts = people.of_provider(profile["accme_id"])
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
async def invite(
    request: Request,
    read_models: SettleDep,
    accounts: AccountServiceDep,
    people: AccountsDep,
    user: UserDep,
    accme_id: str,
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    return invite_answer(
        request,
        accounts,
        read_models,
        user,
        form,
        role="provider",
        tenant=lambda: Account.tenant_of("provider", provider=accme_id),
        inviter=f"{user.name} of {profile['name']}",
        back=f"/provider/{accme_id}/users",
        page=lambda errors: _users_page(request, people, profile, form, errors, 422),
    )
