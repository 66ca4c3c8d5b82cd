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
