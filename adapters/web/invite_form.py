"""The invitation form of the users pages (a provider's, an accreditor's, and a provider's page as its accreditor
sees it): one answer to its POST, whichever page holds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from adapters.http.services import Settle
from adapters.web.forms import see_other, settle_to_head
from adapters.web.render import field_errors, loc_errors
from adapters.web.session import WebUser, base_url
from commands.accounts import InviteAccount
from domain.errors import DomainError
from services.accounts import AccountService

#: The form's fields by the names an invitation's errors give them; any other error goes beside the email.
FIELDS = {"email": "email", "name": "name", "role": "role", "learner": "learner"}


def invite_answer(
    request: Request,
    accounts: AccountService,
    read_models: Settle,
    user: WebUser,
    form: dict[str, Any],
    *,
    role: str,
    tenant: Callable[[], str],
    inviter: str,
    back: str,
    page: Callable[[dict[str, str]], Response],
) -> Response:
    """Invites the form's email and name as a user of `role` in the `tenant` it names (which may refuse, as a
    DomainError naming the field), mailed as from `inviter`: back to `back` saying so, or `page` with each field's
    error."""
    try:
        account = accounts.handle(
            InviteAccount(
                email=form.get("email", ""),
                name=form.get("name", ""),
                role=role,
                tenant=tenant(),
                base_url=base_url(request),
                inviter=inviter,
            ),
            user.acting,
        )
    except DomainError as bad:
        return page(field_errors(loc_errors(bad), FIELDS, "email"))
    settle_to_head(read_models)
    return see_other(back, f"An invitation was sent to {account.email}.")
