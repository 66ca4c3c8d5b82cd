"""Who is signed in to the web pages, and the CSRF check every form POST passes.

The session cookie holds a random token whose digest is a row in `web_sessions` (revocable on
the server); it is HttpOnly, SameSite=Lax, and Secure when the request came over https. A form's
CSRF token is an HMAC of the session token (or, before sign-in, of an anonymous cookie), so it
needs no storage and a page of another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException

from adapters.http.request_body import request_body
from adapters.http.services import account_service, sessions, settings, signing_key
from domain.account import Account
from domain.base import Acting, Channel
from services.access import Principal, Role

SESSION_COOKIE = "pars_session"
ANON_COOKIE = "pars_anon"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in user; answered with a redirect to the sign-in page."""


class PageNotFound(Exception):
    """Raised for a page that does not exist or is not the signed-in user's to see (the same 404 either way)."""


class CsrfRejected(Exception):
    """Raised when a form POST lacks the CSRF token of this browser's session."""


@dataclass(frozen=True)
class WebUser:
    account_id: str
    email: str
    name: str
    role: str
    scope: str
    principal: Principal

    @property
    def acting(self) -> Acting:
        return Acting(self.principal.actor, Channel.WEB)


def principal_for(account: Account) -> Principal:
    """The same principal a bearer token would give, so services/access.py decides for pages too."""
    token_id = f"user-{account.id.hex[:12]}"
    if account.role == "provider":
        return Principal(Role.PROVIDER, token_id, provider=account.scope)
    if account.role == "learner":
        return Principal(Role.LEARNER, token_id, learner=account.scope)
    return Principal(Role.ACCREDITOR, token_id, state=None if account.scope == "ACCME" else account.scope)


def current_user(request: Request) -> WebUser | None:
    if "web_user" in request.state._state:
        return request.state.web_user
    user = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        account_id = sessions(request).account_of(token)
        account = account_service(request).get(account_id) if account_id else None
        if account is not None and account.active:
            user = WebUser(
                str(account.id), account.email, account.name, account.role, account.scope, principal_for(account)
            )
    request.state.web_user = user
    return user


def signed_in(request: Request) -> WebUser:
    user = current_user(request)
    if user is None:
        raise SignInRequired()
    return user


UserDep = Annotated[WebUser, Depends(signed_in)]


def csrf_token(request: Request) -> str:
    basis = request.cookies.get(SESSION_COOKIE) or request.state._state.get("anon") or request.cookies.get(ANON_COOKIE)
    if not basis:
        basis = request.state.anon = secrets.token_urlsafe(24)  # set on the response by `remember_anon`
    secret = signing_key(request)
    return hmac.new(secret.encode(), f"csrf:{basis}".encode(), hashlib.sha256).hexdigest()


def remember_anon(request: Request, response: Response) -> None:
    """Sets the anonymous cookie that a sign-in form's CSRF token was made from."""
    anon = request.state._state.get("anon")
    if anon:
        response.set_cookie(ANON_COOKIE, anon, httponly=True, samesite="lax", secure=_https(request), path="/")


async def check_csrf(request: Request) -> None:
    """Every POST of the web pages carries the token (a form field, or a header from the page's script).

    A body that cannot carry a valid token is refused before it is read: without a session or
    anonymous cookie there is nothing to check a token against; a multipart body (an upload) must
    start with the token field — the pages' forms put it first — so only its first part is looked at."""
    if request.method != "POST":
        return
    basis = request.cookies.get(SESSION_COOKIE) or request.cookies.get(ANON_COOKIE)
    if not basis:
        raise CsrfRejected()
    given = request.headers.get(CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith("multipart/form-data"):
        given = await first_form_field(request, CSRF_FIELD)
    elif not given:
        try:
            form = await request.form()
        except HTTPException:
            raise  # 413: the body passed the limit
        except Exception:  # noqa: BLE001 - an unreadable body has no token either
            raise CsrfRejected() from None
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given:
        raise CsrfRejected()
    expected = hmac.new(signing_key(request).encode(), f"csrf:{basis}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given, expected):
        raise CsrfRejected()


FIRST_PART_BYTES = 16 * 1024


async def first_form_field(request: Request, name: str) -> str | None:
    """The value of a multipart body's first part if that part is the field `name`, read from at most
    the first FIRST_PART_BYTES of the body (peeked: the form is still parsed whole afterwards)."""
    body = request_body(request)
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if body is None or not boundary:
        return None
    prefix = await body.peek(FIRST_PART_BYTES)
    part: dict[str, Any] = {"field": b"", "value": b"", "headers": [], "data": b"", "ended": False}

    def header_field(data: bytes, start: int, end: int) -> None:
        part["field"] += data[start:end]

    def header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def header_end() -> None:
        if not part["ended"]:
            part["headers"].append((part["field"].lower(), part["value"]))
        part["field"] = part["value"] = b""

    def part_data(data: bytes, start: int, end: int) -> None:
        if not part["ended"]:
            part["data"] += data[start:end]

    def part_end() -> None:
        part["ended"] = True

    parser = MultipartParser(
        boundary,
        {
            "on_header_field": header_field,
            "on_header_value": header_value,
            "on_header_end": header_end,
            "on_part_data": part_data,
            "on_part_end": part_end,
        },
    )
    try:
        parser.write(prefix[:FIRST_PART_BYTES])
    except Exception:  # noqa: BLE001 - a malformed body carries no token
        return None
    disposition = dict(part["headers"]).get(b"content-disposition", b"")
    _, options = parse_options_header(disposition)
    if not part["ended"] or options.get(b"name") != name.encode() or b"filename" in options:
        return None
    return part["data"].decode("utf-8", errors="replace")


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def start_session(request: Request, response: Response, account_id: str) -> None:
    """A new session token at every sign-in (never a token the browser had before: no session fixation)."""
    store = sessions(request)
    if old := request.cookies.get(SESSION_COOKIE):
        store.revoke(old)
    token = store.open(account_id)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_https(request), path="/")
    response.delete_cookie(ANON_COOKIE, path="/")


def end_session(request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions(request).revoke(token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def base_url(request: Request) -> str:
    """Where mailed links point: PARS_PUBLIC_URL (or `pars serve`'s address), never the request's Host
    header, which the client chooses (a forged Host would mail a victim a link to another site)."""
    return settings(request).public_base()


def context(request: Request, **values: Any) -> dict[str, Any]:
    return {"request": request, "user": current_user(request), "csrf": csrf_token(request), **values}
