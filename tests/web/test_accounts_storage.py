"""Accounts on both stores: invitation mail, one-time links, sign-in and lock-out, sessions, the accounts read model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commands.accounts import RequestPasswordReset, SetPassword, SignIn
from domain.account import AccountExistsError, LinkNotValidError
from domain.errors import InvalidValueError
from services.accounts import SignInRefusedError
from tests.web.conftest import make_web_system
from tests.web.helpers import PASSWORD, activate, invite, last_link, mails


@pytest.fixture
def acc_system(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    system = make_web_system(database_url, tmp_path / "mail")
    yield system
    system.close()


def test_invitation_mails_a_link_that_sets_the_password_once(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    invite(acc_system, "ann@acme.org", "provider", provider="0001234")
    (message,) = mails(tmp_path / "mail")
    assert message["Subject"] == "PARS: System Access Granted" and message["To"] == "ann@acme.org"
    token = last_link(tmp_path / "mail", "ann@acme.org").split("token=")[1]
    with pytest.raises(InvalidValueError, match="12 characters"):
        acc_system.accounts.handle(SetPassword(token=token, password="short", confirm="short"))
    acc_system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))
    with pytest.raises(LinkNotValidError):
        acc_system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))
    assert acc_system.accounts.handle(SignIn(email="ANN@acme.org", password=PASSWORD)).email == "ann@acme.org"
    with pytest.raises(AccountExistsError):
        invite(acc_system, "Ann@Acme.org", "provider", provider="0001234")
    acc_system.projections.catch_up(["accounts"])
    (row,) = acc_system.queries.accounts.list_accounts(["provider:0001234"])
    assert (row["email"], row["status"], row["role"]) == ("ann@acme.org", "active", "provider")
    assert row["last_sign_in"] is not None
    assert acc_system.queries.accounts.list_accounts(["provider:0009999"]) == []


def test_the_password_hash_is_argon2_and_never_in_an_event(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    account = activate(acc_system, tmp_path / "mail", "bo@acme.org")
    stored = acc_system.accounts.credentials.get(str(account.id))
    assert stored.startswith("$argon2id$")
    events = list(acc_system.store.events.get(account.id))
    assert all(stored not in repr(e) and PASSWORD not in repr(e) for e in events)


def test_links_expire(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    invite(acc_system, "cy@acme.org")
    token = last_link(tmp_path / "mail", "cy@acme.org").split("token=")[1]
    real_now = acc_system.accounts.now
    acc_system.accounts.now = lambda: real_now() + timedelta(hours=24, seconds=1)
    with pytest.raises(LinkNotValidError, match="expired"):
        acc_system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))
    with pytest.raises(LinkNotValidError, match="not valid"):
        acc_system.accounts.handle(SetPassword(token=token[:-2] + "xx", password=PASSWORD, confirm=PASSWORD))


def test_a_reset_link_works_once_and_the_old_password_stops_working(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    activate(acc_system, tmp_path / "mail", "di@acme.org")
    acc_system.accounts.handle(
        RequestPasswordReset(email="nobody@acme.org", base_url="http://testserver")
    )  # no account: no mail, no error
    acc_system.accounts.handle(RequestPasswordReset(email="di@acme.org", base_url="http://testserver"))
    assert [m["To"] for m in mails(tmp_path / "mail")] == ["di@acme.org", "di@acme.org"]
    token = last_link(tmp_path / "mail", "di@acme.org").split("token=")[1]
    acc_system.accounts.handle(
        SetPassword(token=token, password="a brand new passphrase", confirm="a brand new passphrase")
    )
    with pytest.raises(LinkNotValidError):
        acc_system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))
    with pytest.raises(SignInRefusedError):
        acc_system.accounts.handle(SignIn(email="di@acme.org", password=PASSWORD))
    acc_system.accounts.handle(SignIn(email="di@acme.org", password="a brand new passphrase"))


def test_five_wrong_passwords_pause_that_address_only_and_the_owner_is_told(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    activate(acc_system, tmp_path / "mail", "ed@acme.org")
    now = datetime.now(UTC)
    acc_system.accounts.now = lambda: now
    stranger, owner = "198.51.100.7", "203.0.113.20"
    for _ in range(4):
        with pytest.raises(SignInRefusedError) as wrong:
            acc_system.accounts.handle(SignIn(email="ed@acme.org", password="wrong", client=stranger))
        assert wrong.value.message == "the email address or the password is wrong" and wrong.value.locked_until is None
    with pytest.raises(SignInRefusedError, match="locked for 15 more minutes") as locked:
        acc_system.accounts.handle(SignIn(email="ed@acme.org", password="wrong", client=stranger))
    assert locked.value.locked_until == now + timedelta(minutes=15)
    with pytest.raises(SignInRefusedError, match="locked"):
        acc_system.accounts.handle(
            SignIn(email="ed@acme.org", password=PASSWORD, client=stranger)
        )  # even the right password, from there
    # The owner, elsewhere, is not locked out; and was told by mail.
    assert (
        acc_system.accounts.handle(SignIn(email="ed@acme.org", password=PASSWORD, client=owner)).email == "ed@acme.org"
    )
    told = [m for m in mails(tmp_path / "mail") if m["Subject"] == "PARS: wrong passwords for your account"]
    assert [m["To"] for m in told] == ["ed@acme.org"] and stranger in told[0].get_content()
    acc_system.accounts.now = lambda: now + timedelta(minutes=15)
    acc_system.accounts.handle(SignIn(email="ed@acme.org", password=PASSWORD, client=stranger))


class CountingHasher:
    """Counts the password verifications each sign-in runs (the work that takes time), structurally."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.verified = inner, []

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return self.inner.verify(password_hash, password)


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer_and_the_same_work(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    activate(acc_system, tmp_path / "mail", "flo@acme.org")
    invite(acc_system, "gil@acme.org", "provider", provider="0001234")  # invited, no password yet
    counting = acc_system.accounts.hasher = CountingHasher(acc_system.accounts.hasher)
    answers = {}
    for email in ("flo@acme.org", "nobody@acme.org", "gil@acme.org", "not an email"):
        counting.verified.clear()
        for attempt in range(5):
            with pytest.raises(SignInRefusedError) as refused:
                acc_system.accounts.handle(SignIn(email=email, password="wrong password", client="192.0.2.1"))
            answers.setdefault(attempt, set()).add((refused.value.message, refused.value.locked_until is not None))
        assert len(counting.verified) == 5  # one verification per attempt, whoever the email names
        # an unknown email is verified against the decoy hash (not skipped)
        assert set(counting.verified) == (
            {acc_system.accounts._decoy}
            if email != "flo@acme.org"
            else {acc_system.accounts.credentials.get(str(acc_system.accounts.find(email).id))}
        )
        with pytest.raises(SignInRefusedError):
            acc_system.accounts.handle(
                SignIn(email=email, password="wrong password", client="192.0.2.1")
            )  # paused: the same for all, and no verification
        assert len(counting.verified) == 5
    # Each attempt's answer is the same whoever the email names: no "4 more tries" for real accounts.
    assert all(len(seen) == 1 for seen in answers.values()), answers
    assert answers[0] == {("the email address or the password is wrong", False)}
    assert next(iter(answers[4]))[1] is True


def test_sessions_are_revocable_and_a_new_password_ends_them_all(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    account = activate(acc_system, tmp_path / "mail", "fa@acme.org")
    one, two = acc_system.sessions.open(str(account.id)), acc_system.sessions.open(str(account.id))
    assert acc_system.sessions.account_of(one) == str(account.id)
    acc_system.sessions.revoke(one)
    assert acc_system.sessions.account_of(one) is None and acc_system.sessions.account_of(two) == str(account.id)
    assert acc_system.sessions.account_of("forged") is None
    acc_system.accounts.handle(RequestPasswordReset(email="fa@acme.org", base_url="http://testserver"))
    token = last_link(tmp_path / "mail", "fa@acme.org").split("token=")[1]
    acc_system.accounts.handle(SetPassword(token=token, password=PASSWORD, confirm=PASSWORD))
    assert acc_system.sessions.account_of(two) is None


def test_accounts_snapshot_so_that_page_loads_stay_short(acc_system, tmp_path: Path):  # type: ignore[no-untyped-def]
    account = activate(acc_system, tmp_path / "mail", "gus@acme.org")
    for _ in range(30):
        acc_system.accounts.handle(SignIn(email="gus@acme.org", password=PASSWORD))
        with pytest.raises(SignInRefusedError):
            acc_system.accounts.handle(SignIn(email="gus@acme.org", password="wrong"))
    snapshots = list(acc_system.store.snapshots.get(account.id)) if acc_system.store.snapshots else []
    assert snapshots, "an account with 60 events has a snapshot"
    loaded = acc_system.accounts.get(account.id)
    assert loaded.version == 62 and loaded.failures == 1 and loaded.active


def test_the_throttle_forgets_pairs_nobody_failed_on_for_a_day(acc_system):  # type: ignore[no-untyped-def]
    throttle = acc_system.accounts.throttle
    now = datetime.now(UTC)
    for _ in range(5):
        throttle.failed("paused-long-ago", now - timedelta(days=2))
    throttle.failed("failed-long-ago", now - timedelta(days=2))
    throttle.failed("failed-just-now", now)
    assert throttle.sweep(now) == 2
    assert throttle.locked("paused-long-ago", now) is None
    assert throttle.failed("failed-just-now", now) is None  # its count (now 2) was kept
    for _ in range(3):
        until = throttle.failed("failed-just-now", now)
    assert until == now + timedelta(minutes=15)
