"""Bearer tokens: signed claims that round-trip, scopes that fit the role, forgeries refused."""

from __future__ import annotations

import base64
import json

import pytest

from adapters.tokens import PREFIX, InvalidTokenError, _b64, _sign, issue_token, read_token
from domain.errors import InvalidValueError
from services.access import Role

SECRET = "unit-test-secret"


@pytest.mark.parametrize(
    "role, scope, expected",
    [
        ("accreditor", {}, {}),
        ("accreditor", {"state": "tn"}, {"state": "TN"}),
        ("provider", {"provider": "0001234"}, {"provider": "0001234"}),
        ("board", {"board": "abim"}, {"board": "ABIM"}),
        ("board", {"state": "NC"}, {"state": "NC"}),
        ("learner", {"learner": "1234567893"}, {"learner": "1234567893"}),
        ("auditor", {}, {}),
    ],
)
def test_a_token_reads_back_as_the_principal_it_was_issued_for(role, scope, expected):
    token = issue_token(SECRET, role, token_id="abc123", **scope)
    assert token.startswith(PREFIX) and "\n" not in token and " " not in token
    principal = read_token(SECRET, token)
    assert principal.role is Role(role)
    assert principal.token_id == "abc123"
    for field in ("provider", "board", "state", "learner"):
        assert getattr(principal, field) == expected.get(field)


def test_each_token_gets_its_own_id_unless_one_is_given():
    a = read_token(SECRET, issue_token(SECRET, "auditor"))
    b = read_token(SECRET, issue_token(SECRET, "auditor"))
    assert a.token_id and b.token_id and a.token_id != b.token_id


@pytest.mark.parametrize(
    "role, scope, loc",
    [
        ("provider", {}, "provider"),
        ("provider", {"provider": "1234"}, "provider"),
        ("provider", {"provider": "0001234", "state": "TN"}, "state"),
        ("board", {}, "board"),
        ("board", {"board": "ABIM", "state": "TN"}, "board"),
        ("board", {"board": "XYZ"}, "board"),
        ("board", {"state": "ZZ"}, "state"),
        ("learner", {}, "learner"),
        ("learner", {"learner": "x", "provider": "0001234"}, "provider"),
        ("accreditor", {"provider": "0001234"}, "provider"),
        ("accreditor", {"board": "ABIM"}, "board"),
        ("auditor", {"state": "TN"}, "state"),
        ("superuser", {}, "role"),
    ],
)
def test_a_scope_that_does_not_fit_the_role_is_refused_naming_the_option(role, scope, loc):
    with pytest.raises(InvalidValueError) as refused:
        issue_token(SECRET, role, **scope)
    assert refused.value.loc == (loc,)


def test_a_token_signed_with_another_key_is_refused():
    token = issue_token("another-installation", "accreditor")
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, token)


def test_a_token_whose_claims_were_changed_is_refused():
    token = issue_token(SECRET, "provider", provider="0001234")
    body, signature = token[len(PREFIX) :].split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["provider"] = "0009999"
    forged_body = _b64(json.dumps(claims).encode())
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, f"{PREFIX}{forged_body}.{signature}")
    # escalating the role is refused the same way
    claims = {"role": "auditor", "jti": "x"}
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, f"{PREFIX}{_b64(json.dumps(claims).encode())}.{signature}")


def test_a_correctly_signed_token_with_an_impossible_scope_is_refused():
    body = _b64(json.dumps({"role": "provider", "jti": "x"}).encode())  # provider without --provider
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, f"{PREFIX}{body}.{_sign(SECRET, body)}")


@pytest.mark.parametrize(
    "garbage",
    ["", "pars_", "pars_abc", "pars_.", "Bearer pars_x.y", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "pars_!!!.???"],
)
def test_malformed_tokens_are_refused_with_the_tokens_own_error(garbage):
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, garbage)


def test_a_flipped_signature_character_is_refused():
    token = issue_token(SECRET, "auditor")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, flipped)


# --- expiry ---------------------------------------------------------------------------------

from datetime import UTC, datetime, timedelta  # noqa: E402

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from adapters.tokens import TokenExpiredError  # noqa: E402
from services.tokens import TokenLifetimes  # noqa: E402


def _legacy(role: str, issued: datetime, **scope: str) -> str:
    """A token as issued before tokens carried `exp`: role, jti, iat and the scope only."""
    body = _b64(json.dumps({"role": role, "jti": "old123", "iat": int(issued.timestamp()), **scope}).encode())
    return f"{PREFIX}{body}.{_sign(SECRET, body)}"


@pytest.mark.parametrize(
    "role, scope, days",
    [
        ("provider", {"provider": "0001234"}, 365),
        ("board", {"board": "ABIM"}, 365),
        ("accreditor", {}, 30),
        ("learner", {"learner": "x"}, 30),
        ("auditor", {}, 30),
    ],
)
def test_a_token_from_before_expiry_lasts_its_roles_default_from_its_issue_time(role, scope, days):
    issued = datetime(2025, 1, 1, tzinfo=UTC)
    token = _legacy(role, issued, **scope)
    assert read_token(SECRET, token, now=issued + timedelta(days=days) - timedelta(seconds=1)).role is Role(role)
    with pytest.raises(TokenExpiredError):
        read_token(SECRET, token, now=issued + timedelta(days=days))
    # the defaults are configurable
    assert read_token(
        SECRET, token, now=issued + timedelta(days=days + 5), lifetimes=TokenLifetimes(days + 10, days + 10)
    ).role is Role(role)


def test_a_new_token_carries_its_roles_default_expiry():
    for role, scope, days in [
        ("provider", {"provider": "0001234"}, 365),
        ("board", {"state": "TN"}, 365),
        ("accreditor", {}, 30),
        ("auditor", {}, 30),
    ]:
        body = issue_token(SECRET, role, **scope)[len(PREFIX) :].split(".")[0]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        assert claims["exp"] - claims["iat"] == days * 86400


@given(lifetime=st.integers(1, 10 * 365 * 86400), offset=st.integers(-10 * 365 * 86400, 10 * 365 * 86400))
def test_a_token_is_accepted_exactly_until_its_expiry(lifetime, offset):
    issued = datetime(2026, 1, 1, tzinfo=UTC)
    expires = issued + timedelta(seconds=lifetime)
    token = issue_token(SECRET, "auditor", expires_at=expires)
    now = expires + timedelta(seconds=offset)
    if offset < 0:
        assert read_token(SECRET, token, now=now).role is Role.AUDITOR
    else:
        with pytest.raises(TokenExpiredError):
            read_token(SECRET, token, now=now)


@pytest.mark.parametrize("exp", ["2030-01-01", True, 1.5, None, 10**20])
def test_a_signed_token_with_a_malformed_expiry_is_refused(exp):
    body = _b64(json.dumps({"role": "auditor", "jti": "x", "iat": 1, "exp": exp}).encode())
    with pytest.raises(InvalidTokenError):
        read_token(SECRET, f"{PREFIX}{body}.{_sign(SECRET, body)}")
