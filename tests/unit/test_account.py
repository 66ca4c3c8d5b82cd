"""The web account aggregate: one-time links, wrong passwords counted (the pause is per client address), replay."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.account import LOCK_FOR, MAX_FAILURES, Account, AccountError, LinkNotValidError, Throttle
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from services.personal_data import PersonalKeys
from services.store import ParsStore

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
def test_wrong_passwords_are_counted_but_never_lock_the_account_and_replay_agrees(steps: list[str]):
    """A stranger who knows the email must not lock its owner out: the account only counts."""
    account = invited()
    account.set_password("d1", BY)
    now, streak = T0, 0
    for step in steps:
        if step == "wait":
            now += LOCK_FOR
        elif step == "fail":
            streak += 1
            assert account.sign_in_failed(now, BY) == streak
        else:
            account.signed_in(now, BY)
            streak = 0
        assert account.failures == streak and account.locked(now) is None
    again = replayed(account)
    assert (again.failures, again.locked_until, again.active) == (
        account.failures,
        account.locked_until,
        account.active,
    )


@given(st.lists(st.tuples(st.sampled_from(["fail", "wait"]), st.integers(0, 20 * 60)), max_size=40))
def test_the_throttle_pauses_a_pair_after_five_wrong_passwords_within_fifteen_minutes(steps: list[tuple[str, int]]):
    """The per (email, client address) rule: counted within a 15-minute window, paused 15 minutes at the fifth."""
    throttle, now = Throttle(), T0
    recent: list[datetime] = []  # failures counted since the last pause, within the window
    for step, seconds in steps:
        now += timedelta(seconds=seconds) if step == "wait" else timedelta(0)
        if step == "wait":
            continue
        if throttle.locked(now):
            assert throttle.failed(now) == throttle  # paused: nothing counts
            continue
        window = recent[0] if recent else None
        if window is None or now - window >= LOCK_FOR:
            recent = []
        recent.append(now)
        throttle = throttle.failed(now)
        if len(recent) == MAX_FAILURES:
            assert throttle.locked(now) == now + LOCK_FOR and not throttle.locked(now + LOCK_FOR)
            recent = []
        else:
            assert throttle.locked(now) is None and throttle.failures == len(recent)


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


def test_a_lock_recorded_before_locks_moved_to_the_client_address_still_expires():
    account = invited()
    account.set_password("d1", BY)
    account._sign_in_failed(0, T0 + LOCK_FOR, "user:x", "web")  # as version-1 lock-out recorded the fifth failure
    assert account.locked(T0 + LOCK_FOR - timedelta(seconds=1))
    assert account.locked(T0 + LOCK_FOR) is None


class DictKeys(PersonalKeys):
    """The key table in memory (the SQL one is exercised by tests/learners/test_erasure_closes_accounts.py)."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes] = {}

    def get(self, owner_id: UUID) -> bytes | None:
        return self.keys.get(owner_id)

    def provision(self, owner_ids: Iterable[UUID]) -> None:
        for owner in owner_ids:
            self.keys.setdefault(owner, self.new_key())

    def destroy(self, owner_id: UUID) -> bool:
        return self.keys.pop(owner_id, None) is not None

    def forget(self, owner_id: UUID) -> None:
        pass


def test_an_erased_account_refuses_everything_and_replay_agrees():
    account = invited()
    account.set_password("d1", BY)
    account.erase(BY)
    for again in (account, replayed(account)):
        assert (again.email, again.name, again.title, again.phone, again.active, again.is_erased) == (
            "",
            "",
            "",
            "",
            False,
            True,
        )
        with pytest.raises(AccountError):
            again.signed_in(T0, BY)
        with pytest.raises(LinkNotValidError):
            again.set_password("d1", BY)
        for refused in (
            lambda again=again: again.request_reset("d2", BY),
            lambda again=again: again.edit_profile("Ann", "", "", BY),
            lambda again=again: again.erase(BY),
        ):
            with pytest.raises(AccountError):
                refused()


def test_the_store_seals_email_and_name_in_events_and_snapshots_and_a_destroyed_key_erases_them():
    store = ParsStore(env={})
    keys = DictKeys()
    store.use_personal_keys(keys)
    account = invited("zed.q@acme.org")
    account.set_password("d1", BY)
    account.edit_profile("Zed Quorrel", "Director", "615-555-0100", BY)
    for _ in range(50):  # a snapshot every 50 events
        account.signed_in(T0, BY)
    store.save(account)
    stored = b"".join(s.state for s in store.recorder.select_events(account.id))
    snapshots = list(store.snapshots.recorder.select_events(account.id)) if store.snapshots else []
    assert snapshots, "the account has a snapshot"
    for blob in (stored, *(s.state for s in snapshots)):
        # whole values: "555" or "Zed" alone turn up by chance in timestamps and base64 ciphertext
        assert not any(
            text in blob for text in (b"zed.q@acme", b"Zed Quorrel", b"Quorrel", b"Director", b"615-555-0100")
        )
    loaded = store.repository.get(account.id)
    assert (loaded.email, loaded.name, loaded.phone, loaded.active) == (
        "zed.q@acme.org",
        "Zed Quorrel",
        "615-555-0100",
        True,
    )

    loaded.erase(BY)
    keys.destroy(account.id)
    store.save(loaded)
    erased = store.repository.get(account.id)
    assert (erased.email, erased.name, erased.title, erased.phone, erased.active, erased.is_erased) == (
        "",
        "",
        "",
        "",
        False,
        True,
    )
    assert store.repository.get(account.id, version=1).email == ""
