"""Sign-in, sign-out, set-password and reset links, and the signed-in user's profile."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from adapters.http.services import AccountServiceDep
from adapters.web.forms import posted, safe_next, see_other
from adapters.web.render import field_errors, render
from adapters.web.session import (
    UserDep,
    base_url,
    current_user,
    end_session,
    start_session,
)
from commands.accounts import EditProfile, RequestPasswordReset, SetPassword, SignIn
from domain.account import LinkNotValidError
from domain.errors import DomainError
from services.accounts import AccountService, SignInRefusedError

router = APIRouter()


def home_of(role: str, scope: str) -> str:
    return {"provider": f"/provider/{scope}", "accreditor": "/accreditor", "learner": "/passport"}[role]


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    user = current_user(request)
    return see_other(home_of(user.role, user.scope) if user else "/sign-in")


@router.get("/sign-in", include_in_schema=False)
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, "sign_in.html", next=safe_next(next), email="", errors={})


@router.post("/sign-in", include_in_schema=False)
async def sign_in(request: Request, accounts: AccountServiceDep) -> Response:
    form = await posted(request)
    email, password = form.get("email", ""), form.get("password", "")
    errors = {}
    if not email:
        errors["email"] = "enter your email address"
    if not password:
        errors["password"] = "enter your password"
    if errors:
        return render(request, "sign_in.html", 422, next=safe_next(form.get("next")), email=email, errors=errors)
    try:
        # The client address as uvicorn saw it (behind a proxy on this host: X-Forwarded-For, see --forwarded-allow-ips).
        account = accounts.handle(
            SignIn(email=email, password=password, client=request.client.host if request.client else "unknown")
        )
    except SignInRefusedError as refused:
        status = 429 if refused.locked_until else 401
        return render(
            request,
            "sign_in.html",
            status,
            next=safe_next(form.get("next")),
            email=email,
            errors={"password": refused.message},
        )
    response = see_other(safe_next(form.get("next")) or home_of(account.role, account.scope))
    start_session(request, response, str(account.id))
    return response


@router.post("/sign-out", include_in_schema=False)
def sign_out(request: Request) -> Response:
    response = see_other("/sign-in", "You are signed out.")
    end_session(request, response)
    return response


@router.get("/forgot-password", include_in_schema=False)
def forgot_page(request: Request) -> Response:
    return render(request, "forgot.html", email="", errors={}, sent=False)


@router.post("/forgot-password", include_in_schema=False)
async def forgot(request: Request, accounts: AccountServiceDep) -> Response:
    form = await posted(request)
    email = form.get("email", "")
    if not email:
        return render(
            request, "forgot.html", 422, email=email, errors={"email": "enter your email address"}, sent=False
        )
    accounts.handle(RequestPasswordReset(email=email, base_url=base_url(request)))
    # The same answer whether or not the address has an account: nobody learns who has one.
    return render(request, "forgot.html", email=email, errors={}, sent=True)


def _link_page(
    request: Request, accounts: AccountService, token: str, errors: dict[str, str], status: int = 200
) -> Response:
    try:
        link = accounts.read_link(token)
        account = accounts.get(link.account_id)
        if account is None or account.pending_link != link.digest:
            raise LinkNotValidError("this link has already been used or a newer one was sent; ask for a new one")
    except LinkNotValidError as bad:
        return render(request, "set_password.html", 410, link_error=bad.message, errors={})
    return render(request, "set_password.html", status, token=token, email=account.email, errors=errors)


@router.get("/set-password", include_in_schema=False)
def set_password_page(request: Request, accounts: AccountServiceDep, token: str = "") -> Response:
    return _link_page(request, accounts, token, {})


@router.post("/set-password", include_in_schema=False)
async def set_password(request: Request, accounts: AccountServiceDep) -> Response:
    form = await posted(request)
    token = form.get("token", "")
    try:
        account = accounts.handle(
            SetPassword(token=token, password=form.get("password", ""), confirm=form.get("confirm", ""))
        )
    except LinkNotValidError as bad:
        return render(request, "set_password.html", 410, link_error=bad.message, errors={})
    except DomainError as bad:
        return _link_page(
            request,
            accounts,
            token,
            field_errors([{"loc": list(bad.loc), "msg": bad.message}], {"password": "password"}),
            422,
        )
    response = see_other("/sign-in", f"Your password is saved. Sign in with {account.email}.")
    end_session(request, response)
    return response


@router.get("/profile", include_in_schema=False)
def profile_page(request: Request, accounts: AccountServiceDep, user: UserDep) -> Response:
    account = accounts.get(user.account_id)
    return render(request, "profile.html", account=account, form=account, errors={})


@router.post("/profile", include_in_schema=False)
async def edit_profile(request: Request, accounts: AccountServiceDep, user: UserDep) -> Response:
    form = await posted(request)
    try:
        accounts.handle(
            EditProfile(
                account_id=user.account_id,
                name=form.get("name", ""),
                title=form.get("title", ""),
                phone=form.get("phone", ""),
            ),
            user.acting,
        )
    except DomainError as bad:
        account = accounts.get(user.account_id)
        errors = field_errors(
            [{"loc": list(bad.loc), "msg": bad.message}], {"name": "name", "title": "title", "phone": "phone"}
        )
        return render(request, "profile.html", 422, account=account, form=form, errors=errors)
    return see_other("/profile", "Your profile is saved.")
