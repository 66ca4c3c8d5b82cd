"""Erasing a learner erases their web account too: afterwards the account's email, name, title and phone are
in no table (SQLite and PostgreSQL) nor, on SQLite, in the bytes of the database and WAL files; the account
cannot sign in, its open session no longer opens a page, and a reset request mails nothing.

The account signed in (sessions, password hash) and edited its profile, and has enough events for a snapshot
(snapshots hold the whole state). A second physician's account, left alone, is the control.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.bootstrap import System
from adapters.db.accounts_tables import ACCOUNT_TABLES
from adapters.tokens import issue_token
from commands.accounts import EditProfile, EraseAccounts, InviteAccount, RequestPasswordReset, SignIn
from commands.learners import EraseLearner
from domain.base import Acting, Channel
from services import projection_runner
from services.accounts import SignInRefusedError
from tests.learners.helpers import BY, npi_with_check_digit
from tests.learners.helpers import register as learner
from tests.learners.test_erasure_leaves_nothing import found, raw_pages, table_text
from tests.web.conftest import make_web_system
from tests.web.helpers import PASSWORD, activate, mails, sign_in

ZOSIA_EMAIL, BEN_EMAIL = "zosia.qb@klinik-example.org", "benedikt.ob@klinik-example.org"
ZOSIA_ACCOUNT = [ZOSIA_EMAIL, "zosia.qb", "Zosia Quistowna-Brill", "Quistowna", "Brillwood cardiology", "615 555 0199"]


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[tuple[System, TestClient, Path]]:
    system = make_web_system(database_url, tmp_path / "mail")
    with TestClient(create_app(system), raise_server_exceptions=False, follow_redirects=False) as client:
        yield system, client, tmp_path / "mail"
    system.close()


def test_erasing_a_learner_leaves_nothing_of_their_account_and_it_cannot_sign_in(
    app: tuple[System, TestClient, Path],
) -> None:
    system, pages, mail_dir = app
    zosia, ben = (
        o.learner_id
        for o in system.learners.register_many(
            [
                learner(
                    "Zofia", "Wisniewska", "02-29", licences={"TN": "QX-77731"}, npi=npi_with_check_digit("731904852")
                ),
                learner(
                    "Benedikt", "Okonkwo", "11-03", licences={"NC": "NC-55120"}, npi=npi_with_check_digit("604418273")
                ),
            ],
            BY,
        )
    )
    system.projections.wait(system.store.head())
    account = activate(system, mail_dir, ZOSIA_EMAIL, "learner", learner=zosia)
    activate(system, mail_dir, BEN_EMAIL, "learner", learner=ben)
    system.accounts.handle(
        EditProfile(
            account_id=str(account.id),
            name="Zosia Quistowna-Brill",
            title="Brillwood cardiology",
            phone="+1 615 555 0199",
        ),
        Acting(f"user:{account.id}", Channel.WEB),
    )
    for _ in range(50):  # enough events for a snapshot of the account (its whole state, email included)
        system.accounts.handle(SignIn(email=ZOSIA_EMAIL, password=PASSWORD))
    assert list(system.store.snapshots.get(account.id)) if system.store.snapshots else False
    assert sign_in(pages, ZOSIA_EMAIL).headers["location"] == "/passport"
    assert pages.get("/passport").status_code == 200
    system.projections.wait(system.store.head())
    assert found(table_text(system), ZOSIA_ACCOUNT)  # the search finds the account before erasure

    staff = {"Authorization": f"Bearer {issue_token(system.secret, 'accreditor')}"}
    assert pages.delete(f"/api/v1/learners/{zosia}/personal-data", headers=staff).status_code == 204

    texts = table_text(system)
    assert found(texts, ZOSIA_ACCOUNT) == {}
    assert BEN_EMAIL in texts["web_accounts"]  # the control is still found
    if system.db.url.is_sqlite:
        path = Path(system.db.url.sqlite_path)
        files = {p.name: p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists()}
        raw_hits = {name: [n for n in ZOSIA_ACCOUNT if n.encode() in data] for name, data in files.items()}
        assert all(not hits for hits in raw_hits.values()), raw_hits
        assert BEN_EMAIL.encode() in b"".join(files.values())
    else:
        pages_bytes = raw_pages(system, ACCOUNT_TABLES)
        assert {
            name: hits
            for name, data in pages_bytes.items()
            if (hits := [n for n in ZOSIA_ACCOUNT if n.encode() in data])
        } == {}
        assert BEN_EMAIL.encode() in b"".join(pages_bytes.values())

    # The open session ends, the password no longer signs in, a reset mails nothing; the control still signs in.
    assert pages.get("/passport").status_code == 303
    with pytest.raises(SignInRefusedError):
        system.accounts.handle(SignIn(email=ZOSIA_EMAIL, password=PASSWORD))
    assert sign_in(pages, ZOSIA_EMAIL).status_code != 303
    sent = len(mails(mail_dir))
    system.accounts.handle(RequestPasswordReset(email=ZOSIA_EMAIL, base_url="http://testserver"))
    assert len(mails(mail_dir)) == sent
    assert system.accounts.handle(SignIn(email=BEN_EMAIL, password=PASSWORD)).active
    erased = system.accounts.get(account.id)
    assert erased is not None and (erased.email, erased.name, erased.active) == ("", "", False)
    assert (
        erased.is_erased and system.accounts.handle(EraseAccounts(account_ids=[str(account.id)]), BY) is None
    )  # erasing twice changes nothing
    system.projections.wait(system.store.head())
    assert [a["email"] for a in system.queries.accounts.list_accounts(role="learner")] == [BEN_EMAIL]


def test_the_accounts_read_model_rebuilds_after_several_erasures(
    app: tuple[System, TestClient, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Erased accounts' invitations read back with an empty email: the rebuild, one event per page (so each
    invitation is written before the erasures are read), must not collide on it."""
    system, pages, _mail_dir = app
    ids = [
        o.learner_id
        for o in system.learners.register_many(
            [
                learner("Ada", "Ablewhite", "01-02", licences={"TN": "AB-10001"}),
                learner("Bea", "Brackwell", "03-04", licences={"TN": "AB-10002"}),
                learner("Cy", "Cottermole", "05-06", licences={"TN": "AB-10003"}),
            ],
            BY,
        )
    ]
    for index, learner_id in enumerate(ids):
        system.accounts.handle(
            InviteAccount(
                email=f"doc{index}@klinik-example.org",
                name=f"Doc {index}",
                role="learner",
                tenant=f"learner:{learner_id}",
                base_url="http://testserver",
            ),
            BY,
        )
    system.projections.wait(system.store.head())
    staff = {"Authorization": f"Bearer {issue_token(system.secret, 'accreditor')}"}
    for learner_id in ids[:2]:
        assert pages.delete(f"/api/v1/learners/{learner_id}/personal-data", headers=staff).status_code == 204
    monkeypatch.setattr(projection_runner, "BATCH_SIZE", 1)
    system.projections.rebuild("accounts")
    assert [a["email"] for a in system.queries.accounts.list_accounts(role="learner")] == ["doc2@klinik-example.org"]


def test_a_retried_erasure_erases_the_accounts_a_dead_request_left(app: tuple[System, TestClient, Path]) -> None:
    """The learner's erasure was recorded but the request died before the accounts were erased: asking again
    erases them (204); asking once more, with nothing left, is the usual 409."""
    system, pages, mail_dir = app
    [zosia] = (
        o.learner_id
        for o in system.learners.register_many(
            [
                learner(
                    "Zofia", "Wisniewska", "02-29", licences={"TN": "QX-77731"}, npi=npi_with_check_digit("731904852")
                )
            ],
            BY,
        )
    )
    system.projections.wait(system.store.head())
    activate(system, mail_dir, ZOSIA_EMAIL, "learner", learner=zosia)
    system.learners.handle(EraseLearner(learner_id=zosia), BY)  # the first request's work, up to where it died
    staff = {"Authorization": f"Bearer {issue_token(system.secret, 'accreditor')}"}
    assert pages.delete(f"/api/v1/learners/{zosia}/personal-data", headers=staff).status_code == 204
    assert found(table_text(system), ZOSIA_ACCOUNT) == {}
    with pytest.raises(SignInRefusedError):
        system.accounts.handle(SignIn(email=ZOSIA_EMAIL, password=PASSWORD))
    assert pages.delete(f"/api/v1/learners/{zosia}/personal-data", headers=staff).status_code == 409
