"""The web account aggregate: one-time links, lock-out after five wrong passwords, replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account import LOCK_FOR, MAX_FAILURES, Account, LinkNotValidError
from domain.base import Acting, Channel
from domain.errors import InvalidValueError

BY = Acting("cli:tester", Channel.CLI)
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def invited(email: str = "ann@acme.org") -> Account:
    return Account.invite(email, "Ann Lee", "provider", Account.tenant_of("provider", provider="0001234"), "d1", BY)


def replayed(account: Account) -> Account:
    events = account.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    assert copy is not None
    return copy


def test_one_account_per_email_whatever_its_case():
    assert Account.create_id("Ann@ACME.org ") == Account.create_id("ann@acme.org")
    with pytest.raises(InvalidValueError):
        Account.create_id("not an email")


def test_the_invitation_link_sets_the_password_once():
    account = invited()
    account.set_password("d1", BY)
    assert account.active and account.pending_link is None
    with pytest.raises(LinkNotValidError):
        account.set_password("d1", BY)


def test_a_newer_reset_link_replaces_the_older_one():
    account = invited()
    account.set_password("d1", BY)
    account.request_reset("d2", BY)
    account.request_reset("d3", BY)
    with pytest.raises(LinkNotValidError):
        account.set_password("d2", BY)
    account.set_password("d3", BY)


def test_tenants_name_one_scope():
    assert Account.tenant_of("accreditor") == "accreditor:ACCME"
    assert Account.tenant_of("accreditor", state="TN") == "accreditor:TN"
    assert Account.tenant_of("learner", learner="abc") == "learner:abc"
    with pytest.raises(InvalidValueError):
        Account.tenant_of("provider", provider="123")
    with pytest.raises(InvalidValueError):
        Account.tenant_of("auditor")


@given(st.lists(st.sampled_from(["fail", "ok", "wait"]), max_size=30))
def test_five_wrong_passwords_in_a_row_lock_for_fifteen_minutes_and_replay_agrees(steps: list[str]):
    account = invited()
    account.set_password("d1", BY)
    now, streak = T0, 0
    for step in steps:
        if step == "wait":
            now += LOCK_FOR
            continue
        if account.locked(now):
            assert streak == 0  # the lock began with the fifth failure and reset the count
            continue
        if step == "fail":
            until = account.sign_in_failed(now, BY)
            streak += 1
            if streak == MAX_FAILURES:
                assert until == now + LOCK_FOR and account.locked(now)
                assert not account.locked(now + LOCK_FOR)
                streak = 0
            else:
                assert until is None
        else:
            account.signed_in(now, BY)
            streak = 0
        assert account.failures == streak
    again = replayed(account)
    assert (again.failures, again.locked_until, again.active) == (account.failures, account.locked_until, account.active)


def test_profile_edits_record_only_changes():
    account = invited()
    assert account.edit_profile("Ann Lee", "Director", "615-555-0100", BY)
    assert not account.edit_profile("Ann  Lee", "Director", "615-555-0100", BY)
    with pytest.raises(InvalidValueError):
        account.edit_profile("", "", "", BY)
    again = replayed(account)
    assert (again.name, again.title, again.phone) == ("Ann Lee", "Director", "615-555-0100")


def test_signing_in_needs_a_password_first():
    account = invited()
    with pytest.raises(Exception, match="set your password"):
        account.signed_in(T0, BY)


def test_lock_expires():
    now = T0
    account = invited()
    account.set_password("d1", BY)
    for _ in range(MAX_FAILURES):
        account.sign_in_failed(now, BY)
    assert account.locked(now + LOCK_FOR - timedelta(seconds=1))
    assert account.locked(now + LOCK_FOR) is None
