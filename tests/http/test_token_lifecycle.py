"""Tokens of every role: recorded with an id and an expiry, listed, revoked at once in every process
(the revocation list is read from the database), refused once expired or once their learner is erased.
Run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.cli.system import settle
from adapters.tokens import issue_token, read_token
from commands.tokens import IssueToken, RevokeToken
from domain.base import Acting, Channel
from tests.conftest import make_system
from tests.http.helpers import OURS, THEIRS, assert_nothing_of_theirs, assert_problem, two_tenants
from tests.learners.helpers import BY, register

CLI = Acting("cli:tester", Channel.CLI)
#: A route each role may read, to show a token works before it is revoked.
READS = {
    "accreditor": ({}, f"/api/v1/providers/{OURS}"),
    "provider": ({"provider": OURS}, f"/api/v1/providers/{OURS}"),
    "board": ({"board": "ABIM"}, "/api/v1/feeds/boards/ABIM"),
    "auditor": ({}, f"/api/v1/providers/{OURS}"),
}


@pytest.fixture
def api(any_system: System) -> Iterator[TestClient]:
    with TestClient(create_app(any_system), raise_server_exceptions=False) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def staff(system: System) -> dict[str, str]:
    return bearer(issue_token(system.secret, "accreditor"))


def test_every_role_gets_an_id_a_scope_and_its_default_expiry(any_system: System) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    for role, scope, days in [
        ("provider", {"provider": OURS}, 365),
        ("board", {"state": "tn"}, 365),
        ("accreditor", {}, 30),
        ("auditor", {}, 30),
        ("learner", {"learner": "00000000-0000-4000-8000-00000000000a"}, 30),
    ]:
        if role == "provider":
            from commands.providers import ContactDetails, RegisterProvider

            any_system.providers.register(
                RegisterProvider(
                    accme_id=OURS,
                    name="Acme CME",
                    accreditor="TN",
                    primary=ContactDetails(name="Ann Lee", email="ann@acme.org"),
                ),
                CLI,
            )
        issued = any_system.tokens.handle(IssueToken(role=role, **scope), CLI)
        assert read_token(any_system.secret, issued.token).token_id == issued.token_id
        assert before + timedelta(days=days) <= issued.expires_at <= datetime.now(UTC) + timedelta(days=days)
        settle(any_system, ["tokens"], issued.position)
        listed = any_system.tokens.get(issued.token_id)
        assert listed is not None and listed["role"] == role and listed["revoked_at"] is None
        assert datetime.fromisoformat(listed["expires_at"]) == issued.expires_at
        assert issued.token not in json.dumps(listed)  # never the secret
    assert {t["scope"] for t in any_system.tokens.list()} == {
        f"provider:{OURS}",
        "state:TN",
        "all",
        "learner:00000000-0000-4000-8000-00000000000a",
    }
    assert [t["role"] for t in any_system.tokens.list(role="board")] == ["board"]
    assert [t["scope"] for t in any_system.tokens.list(provider=OURS)] == [f"provider:{OURS}"]


@pytest.mark.parametrize("role", sorted(READS))
def test_a_revoked_token_of_any_role_is_refused_at_once_by_another_process(
    any_system: System, api: TestClient, role: str
) -> None:
    scope, path = READS[role]
    two_tenants(api, lambda r, **s: bearer(issue_token(any_system.secret, r, **s)))
    issued = any_system.tokens.handle(IssueToken(role=role, **scope), CLI)
    assert api.get(path, headers=bearer(issued.token)).status_code == 200
    # Another process (as `pars admin revoke-token` is) revokes it; this one runs no projections:
    # it refuses the token because it reads the revocation list in the database, not its memory.
    other = make_system(any_system.settings.database_url)
    try:
        settle(other, ["tokens"])  # as the command does: a provider token is found through the read model
        settle(other, ["tokens"], other.tokens.handle(RevokeToken(token_id=issued.token_id), CLI))
    finally:
        other.close()
    with TestClient(create_app(any_system, run_projections=False), raise_server_exceptions=False) as idle:
        body = assert_problem(idle.get(path, headers=bearer(issued.token)), 401)
    assert "revoked" in body["detail"]
    assert any_system.tokens.get(issued.token_id)["revoked_by"] == "cli:tester"


def test_revoking_an_unknown_id_is_a_not_found_error(any_system: System) -> None:
    from services.tokens import TokenNotFoundError

    with pytest.raises(TokenNotFoundError) as refused:
        any_system.tokens.handle(RevokeToken(token_id="feedfacecafe"), CLI)
    assert refused.value.loc == ("token_id",)


def test_an_expired_token_is_refused_with_401(any_system: System, api: TestClient) -> None:
    two_tenants(api, lambda r, **s: bearer(issue_token(any_system.secret, r, **s)))
    past = datetime.now(UTC) - timedelta(seconds=1)
    for role, (scope, path) in READS.items():
        expired = issue_token(any_system.secret, role, expires_at=past, **scope)
        body = assert_problem(api.get(path, headers=bearer(expired)), 401)
        assert "expired" in body["detail"]


def test_a_token_of_an_erased_learner_stops_working(any_system: System, api: TestClient) -> None:
    learner_id = any_system.learners.register_many([register("Ana", "Lee", "03-07", licences={"TN": "MD1"})], BY)[
        0
    ].learner_id
    issued = any_system.tokens.handle(IssueToken(role="learner", learner=learner_id), CLI)
    me = api.get("/api/v1/passport/transcript", headers=bearer(issued.token))
    assert me.status_code == 200, me.text
    assert api.delete(f"/api/v1/learners/{learner_id}/personal-data", headers=staff(any_system)).status_code == 204
    for path in ("/api/v1/passport/transcript", "/api/v1/learners/me"):
        body = assert_problem(api.get(path, headers=bearer(issued.token)), 401)
        assert "erased" in body["detail"]
    # and no new token is issued for them
    from domain.learner import LearnerErasedError

    with pytest.raises(LearnerErasedError):
        any_system.tokens.handle(IssueToken(role="learner", learner=learner_id), CLI)


# --- the provider's tokens route -------------------------------------------------------------


def test_a_provider_lists_its_tokens_with_role_scope_and_expiry_and_never_the_secret(
    any_system: System, api: TestClient
) -> None:
    token = lambda r, **s: bearer(issue_token(any_system.secret, r, **s))  # noqa: E731
    two_tenants(api, token)
    made = api.post(
        f"/api/v1/providers/{OURS}/tokens", headers=token("provider", provider=OURS), json={"label": "LMS", "days": 90}
    )
    assert made.status_code == 201, made.text
    expires = datetime.fromisoformat(made.json()["expires_at"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)
    theirs = any_system.tokens.handle(IssueToken(role="provider", provider=THEIRS, label="Rival LMS"), CLI)
    settle(any_system, ["tokens"], theirs.position)
    listed = api.get(f"/api/v1/providers/{OURS}/tokens", headers=token("provider", provider=OURS))
    assert listed.status_code == 200
    [only] = listed.json()
    assert (
        only["token_id"] == made.json()["token_id"]
        and only["role"] == "provider"
        and only["scope"] == f"provider:{OURS}"
    )
    assert datetime.fromisoformat(only["expires_at"]) == expires and only["revoked_at"] is None
    assert made.json()["token"] not in listed.text and theirs.token_id not in listed.text
    assert_nothing_of_theirs(listed)


def test_the_tokens_route_refuses_strangers(any_system: System, api: TestClient) -> None:
    token = lambda r, **s: bearer(issue_token(any_system.secret, r, **s))  # noqa: E731
    two_tenants(api, token)
    theirs = any_system.tokens.handle(IssueToken(role="provider", provider=THEIRS, label="Rival LMS"), CLI)
    settle(any_system, ["tokens"], theirs.position)
    path = f"/api/v1/providers/{THEIRS}/tokens"
    assert_problem(api.get(path), 401)
    assert_problem(api.post(path, json={}), 401)
    assert_problem(api.delete(f"{path}/{theirs.token_id}"), 401)
    for role, scope in (
        ("provider", {"provider": OURS}),
        ("board", {"board": "ABIM"}),
        ("accreditor", {"state": "TN"}),
    ):
        for response in (
            api.get(path, headers=token(role, **scope)),
            api.post(path, json={}, headers=token(role, **scope)),
            api.delete(f"{path}/{theirs.token_id}", headers=token(role, **scope)),
        ):
            assert_problem(response, 404)
            assert_nothing_of_theirs(response)
    # Their token id through our path finds nothing of ours, and their token still works.
    ours = token("provider", provider=OURS)
    assert_problem(api.delete(f"/api/v1/providers/{OURS}/tokens/{theirs.token_id}", headers=ours), 404)
    assert api.get(f"/api/v1/providers/{THEIRS}", headers=bearer(theirs.token)).status_code == 200
    # Their accreditor's staff may read but not issue; auditors read, never change.
    assert_problem(api.post(path, json={}, headers=token("accreditor", state="NC")), 403)
    assert_problem(api.delete(f"{path}/{theirs.token_id}", headers=token("auditor")), 403)
    assert_problem(api.post(path, json={"days": 0}, headers=token("provider", provider=THEIRS)), 422)
