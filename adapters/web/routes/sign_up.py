"""A physician's own CME Passport account: the public sign-up page (no invitation needed).

The details are matched against the learner directory by the providers' matcher; the account waits
for the link mailed to the address given (`/set-password`, as an invitation's), which confirms it.
"""

from __future__ import annotations

import calendar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.services import AccountServiceDep
from adapters.web.forms import posted
from adapters.web.render import field_errors, render
from adapters.web.session import base_url
from commands.accounts import SignUp
from domain.geography import US_STATES
from services.accounts import NO_MATCH, SignUpInvalidError, SignUpRefusedError

router = APIRouter()

FIELDS = ("first_name", "last_name", "birth_month", "birth_day", "state", "licence_number", "npi", "email")
MONTHS = [(str(i), calendar.month_name[i]) for i in range(1, 13)]
STATES = sorted(US_STATES.items(), key=lambda item: item[1])
BLANK = dict.fromkeys(FIELDS, "")


def _page(request: Request, status: int = 200, **values: object) -> Response:
    values.setdefault("form", BLANK)
    values.setdefault("errors", {})
    values.setdefault("sent", None)
    return render(request, "sign_up.html", status, months=MONTHS, states=STATES, **values)


@router.get("/passport/sign-up", include_in_schema=False)
def sign_up_page(request: Request) -> Response:
    return _page(request)


@router.post("/passport/sign-up", include_in_schema=False)
async def sign_up(request: Request, accounts: AccountServiceDep) -> Response:
    form = await posted(request)
    values = {name: str(form.get(name, "")) for name in FIELDS}
    try:
        # The client address as uvicorn saw it, as sign-in counts it (see --forwarded-allow-ips).
        sent = accounts.handle(
            SignUp(**values, base_url=base_url(request), client=request.client.host if request.client else "unknown")
        )
    except SignUpInvalidError as bad:
        errors = field_errors([{"loc": list(loc), "msg": msg} for loc, msg in bad.problems()], {f: f for f in FIELDS})
        return _page(request, 422, form=values, errors=errors)
    except SignUpRefusedError as refused:
        # No match: the same page, byte for byte, whichever detail differed. The form comes back empty, so
        # the answer carries nothing of what was typed and tells nothing apart.
        status = 429 if refused.locked_until else 422
        return _page(request, status, errors={"_form": refused.message if refused.locked_until else NO_MATCH})
    # Every match answers alike (a new account, an unconfirmed one, an address or a physician already
    # with an account): the mail to the address given says which.
    return _page(request, 200, sent=sent)
