"""Bearer tokens: a JSON claim set signed with HMAC-SHA256 under PARS_SECRET_KEY.

Claims: role, `jti` (the token id), `iat`, `exp` and one scope. A token issued before tokens
carried `exp` lasts its role's default lifetime from `iat` (services/tokens.py: `TokenLifetimes`).
Revocation and erased learners are checked where the token is used (`TokenRegistry.refusal`)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

from domain.base import require_accme_id
from domain.errors import InvalidValueError
from domain.geography import US_STATES
from services.access import CERTIFYING_BOARDS, Principal, Role
from services.tokens import TokenLifetimes, new_token_id

PREFIX = "pars_"


class InvalidTokenError(Exception):
    """Raised when a bearer token is malformed, forged or names an unknown role."""


class TokenExpiredError(InvalidTokenError):
    """Raised when a genuine token is past its expiry."""


def issue_token(
    secret: str,
    role: str,
    *,
    provider: str | None = None,
    board: str | None = None,
    state: str | None = None,
    learner: str | None = None,
    token_id: str | None = None,
    expires_at: datetime | None = None,
    lifetimes: TokenLifetimes | None = None,
) -> str:
    """Checks that the scope fits the role, then signs it; it expires at `expires_at`, else after its role's default lifetime."""
    principal = _principal(role, token_id or new_token_id(), provider, board, state, learner)
    issued = int(time.time())
    if expires_at is None:
        expires_at = datetime.fromtimestamp(issued, UTC) + (lifetimes or TokenLifetimes()).of(principal.role)
    claims = {
        "role": principal.role.value,
        "jti": principal.token_id,
        "iat": issued,
        "exp": int(expires_at.timestamp()),
        **{
            k: v
            for k, v in {
                "provider": provider,
                "board": principal.board,
                "state": principal.state,
                "learner": learner,
            }.items()
            if v
        },
    }
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{PREFIX}{body}.{_sign(secret, body)}"


def read_token(
    secret: str, token: str, *, now: datetime | None = None, lifetimes: TokenLifetimes | None = None
) -> Principal:
    """The principal of a genuine, unexpired token; InvalidTokenError (TokenExpiredError) otherwise."""
    try:
        if not token.startswith(PREFIX):
            raise InvalidTokenError("not a PARS token")
        body, signature = token[len(PREFIX) :].split(".", 1)
        if not hmac.compare_digest(signature, _sign(secret, body)):
            raise InvalidTokenError("bad signature")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        principal = _principal(
            claims["role"],
            claims["jti"],
            claims.get("provider"),
            claims.get("board"),
            claims.get("state"),
            claims.get("learner"),
        )
        expires_at = expiry(claims, principal.role, lifetimes or TokenLifetimes())
    except (ValueError, KeyError, TypeError, OverflowError, InvalidValueError) as error:
        raise InvalidTokenError(str(error)) from None
    if (now or datetime.now(UTC)) >= expires_at:
        raise TokenExpiredError(f"the token expired at {expires_at:%Y-%m-%d %H:%M} UTC")
    return principal


def expiry(claims: dict, role: Role, lifetimes: TokenLifetimes) -> datetime:
    """`exp`; for a token from before tokens carried one, `iat` plus the role's default lifetime."""
    if "exp" in claims:
        return datetime.fromtimestamp(_whole(claims["exp"]), UTC)
    return datetime.fromtimestamp(_whole(claims["iat"]), UTC) + lifetimes.of(role)


def _whole(value: object) -> int:
    if type(value) is not int:  # bool is an int too: refuse it with the rest
        raise TypeError("a token's times are whole seconds")
    return value


def _principal(
    role: str, token_id: str, provider: str | None, board: str | None, state: str | None, learner: str | None
) -> Principal:
    try:
        parsed = Role(role)
    except ValueError:
        raise InvalidValueError(
            f"role must be one of {', '.join(r.value for r in Role)} (got {role!r})", loc=("role",)
        ) from None
    board = board.upper() if board else None
    state = state.upper() if state else None
    if provider is not None:
        require_accme_id(provider, loc=("provider",))
    if board is not None and board not in CERTIFYING_BOARDS:
        raise InvalidValueError(f"board must be one of {', '.join(CERTIFYING_BOARDS)} (got {board!r})", loc=("board",))
    if state is not None and state not in US_STATES:
        raise InvalidValueError(f"state must be a two-letter US state code (got {state!r})", loc=("state",))
    allowed = {
        Role.PROVIDER: {"provider"},
        Role.BOARD: {"board", "state"},
        Role.LEARNER: {"learner"},
        Role.ACCREDITOR: {"state"},
        Role.AUDITOR: set(),
    }[parsed]
    given = {k for k, v in {"provider": provider, "board": board, "state": state, "learner": learner}.items() if v}
    if extra := given - allowed:
        raise InvalidValueError(f"a {parsed.value} token takes no --{', --'.join(sorted(extra))}", loc=(min(extra),))
    if parsed is Role.PROVIDER and not provider:
        raise InvalidValueError("a provider token needs --provider ACCME_ID", loc=("provider",))
    if parsed is Role.LEARNER and not learner:
        raise InvalidValueError("a learner token needs --learner LEARNER_ID_OR_NPI", loc=("learner",))
    if parsed is Role.BOARD and bool(board) == bool(state):
        raise InvalidValueError("a board token needs exactly one of --board CODE or --state XX", loc=("board",))
    return Principal(parsed, token_id, provider, board, state, learner)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
