"""A person's web account: invited with a role and one tenant, signs in with a password.

Accounts belong to no provider's history: their events carry `tenant` (e.g. `provider:0001234`)
instead of `accme_id`, so the history projection never copies sign-in failures or link digests
into what a provider's users and auditors read (like `Learner` and `ReportingDeadline`).

The password hash is not in any event: the log is immutable and every event is published
(Kafka `pars.events`), so the hash lives in a credentials table beside the log and the events
record only that a password was set. A one-time link is recorded as the SHA-256 digest of its
nonce; setting the password consumes it, so a link works once.

The email, name, title and phone are sealed with the account's own key (`personal_fields`, see
services/personal_data.py), snapshots included: `Erased` destroys the key, after which every stored
event and snapshot of the account reads back with those fields empty.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from eventsourcing.domain import Aggregate, event
from eventsourcing.domain import Snapshot as AggregateSnapshot

from domain.base import Acting, require_accme_id
from domain.errors import ConflictError, InvalidValueError

ACCOUNT_NAMESPACE = uuid.UUID("6f1d2a8e-3c5b-4e7a-9d10-2b8c4f6a1e33")
ROLES = ("accreditor", "provider", "learner")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
MAX_TEXT = 200


class AccountError(ConflictError):
    """Raised when an account cannot do what was asked in its current state."""


class LinkNotValidError(AccountError):
    """Raised when a set-password or reset link was already used or has been replaced by a newer one."""


class AccountExistsError(AccountError):
    """Raised when inviting an email address that already has an account."""


def normalise_email(value: str) -> str:
    email = (value or "").strip().lower()
    if not EMAIL.match(email) or len(email) > MAX_TEXT:
        raise InvalidValueError(f"{value!r} is not an email address", loc=("email",))
    return email


def _text(value: str, field: str, *, required: bool) -> str:
    value = " ".join((value or "").split())
    if required and not value:
        raise InvalidValueError(f"{field.replace('_', ' ')} is required", loc=(field,))
    if len(value) > MAX_TEXT:
        raise InvalidValueError(f"{field.replace('_', ' ')} has at most {MAX_TEXT} characters", loc=(field,))
    return value


ERASED = ""

#: What a snapshot of an account whose key was destroyed reads back as: an erased, inactive account.
ERASED_STATE = {
    "email": ERASED,
    "name": ERASED,
    "role": "",
    "tenant": "",
    "title": ERASED,
    "phone": ERASED,
    "pending_link": None,
    "active": False,
    "failures": 0,
    "locked_until": None,
    "erased": True,
    "_created_on": None,
    "_modified_on": None,
}


class Account(Aggregate):
    """One person's sign-in: role and tenant, the outstanding one-time link, failures and lock-out."""

    class Snapshot(AggregateSnapshot):  # Aggregate.Snapshot, named so a type checker sees a class
        # The whole state holds the email and name: sealed like the events.
        personal_fields = {"state": ERASED_STATE}

    class Invited(Aggregate.Created):
        email: str
        name: str
        role: str
        tenant: str
        link_digest: str
        actor: str
        channel: str

        personal_fields = {"email": ERASED, "name": ERASED}

    class SignedUp(Invited):
        """A physician opened their own CME Passport account (no invitation): matched against the learner
        directory, confirmed when the mailed link sets the password (`PasswordSet`)."""

    class PasswordSet(Aggregate.Event):
        link_digest: str
        actor: str
        channel: str

    class ResetRequested(Aggregate.Event):
        link_digest: str
        actor: str
        channel: str

    class ProfileEdited(Aggregate.Event):
        name: str
        title: str
        phone: str
        actor: str
        channel: str

        personal_fields = {"name": ERASED, "title": ERASED, "phone": ERASED}

    class SignInFailed(Aggregate.Event):
        failures: int
        locked_until: datetime | None
        actor: str
        channel: str

    class SignedIn(Aggregate.Event):
        actor: str
        channel: str

    class Erased(Aggregate.Event):
        """The account's key was destroyed (its learner was erased): email and name are gone from every stored event."""

        actor: str
        channel: str

        erases_personal_data = True

    @staticmethod
    def create_id(email: str) -> uuid.UUID:
        """One account per email address: inviting it twice collides instead of forking a stream."""
        return uuid.uuid5(ACCOUNT_NAMESPACE, f"account:{normalise_email(email)}")

    @staticmethod
    def tenant_of(role: str, provider: str | None = None, state: str | None = None, learner: str | None = None) -> str:
        """`provider:0001234`, `accreditor:ACCME` / `accreditor:TN`, `learner:<learner_id>`."""
        if role not in ROLES:
            raise InvalidValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})", loc=("role",))
        if role == "provider":
            return f"provider:{require_accme_id(provider or '', loc=('provider',))}"
        if role == "learner":
            if not learner:
                raise InvalidValueError("a physician's account needs the learner it belongs to", loc=("learner",))
            return f"learner:{learner}"
        if state and not re.fullmatch(r"[A-Z]{2}", state):
            raise InvalidValueError(f"state must be a two-letter code (got {state!r})", loc=("state",))
        return f"accreditor:{state or 'ACCME'}"

    @classmethod
    def invite(cls, email: str, name: str, role: str, tenant: str, link_digest: str, by: Acting) -> Account:
        email = normalise_email(email)
        return cls(
            email=email,
            name=_text(name, "name", required=True),
            role=role,
            tenant=tenant,
            link_digest=link_digest,
            actor=by.actor,
            channel=str(by.channel),
        )

    @classmethod
    def sign_up(cls, email: str, name: str, learner_id: str, link_digest: str, by: Acting) -> Account:
        """A physician's own account for the learner they were matched to, waiting for its mailed link."""
        return cls._create(
            cls.SignedUp,
            email=normalise_email(email),
            name=_text(name, "name", required=True),
            role="learner",
            tenant=cls.tenant_of("learner", learner=learner_id),
            link_digest=link_digest,
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Invited)
    def __init__(
        self, email: str, name: str, role: str, tenant: str, link_digest: str, actor: str, channel: str
    ) -> None:
        self.email = email
        self.name = name
        self.role = role
        self.tenant = tenant
        self.title = ""
        self.phone = ""
        self.pending_link: str | None = link_digest
        self.active = False
        self.failures = 0
        self.locked_until: datetime | None = None
        self.erased = False

    # --- scope ---------------------------------------------------------------------------------

    @property
    def scope(self) -> str:
        """What the tenant names: an ACCME ID, an accreditor code or a learner_id."""
        return self.tenant.split(":", 1)[1]

    # --- links and passwords ----------------------------------------------------------------------

    def set_password(self, link_digest: str, by: Acting) -> None:
        """Consumes the outstanding link; a used or replaced link is refused."""
        if self.pending_link is None or link_digest != self.pending_link:
            raise LinkNotValidError(
                "this link has already been used or a newer one was sent; ask for a new one", loc=("link",)
            )
        self._password_set(link_digest, by.actor, str(by.channel))

    @event(PasswordSet)
    def _password_set(self, link_digest: str, actor: str, channel: str) -> None:
        self.pending_link = None
        self.active = True
        self.failures = 0
        self.locked_until = None

    def request_reset(self, link_digest: str, by: Acting) -> None:
        """A new link replaces any outstanding one (only the newest works)."""
        if self.is_erased:
            raise AccountError("this account was erased", loc=("email",))
        self._reset_requested(link_digest, by.actor, str(by.channel))

    @event(ResetRequested)
    def _reset_requested(self, link_digest: str, actor: str, channel: str) -> None:
        self.pending_link = link_digest

    # --- profile ---------------------------------------------------------------------------------

    def edit_profile(self, name: str, title: str, phone: str, by: Acting) -> bool:
        if self.is_erased:
            raise AccountError("this account was erased", loc=("name",))
        name, title, phone = (
            _text(name, "name", required=True),
            _text(title, "title", required=False),
            _text(phone, "phone", required=False),
        )
        if (name, title, phone) == (self.name, self.title, self.phone):
            return False
        self._profile_edited(name, title, phone, by.actor, str(by.channel))
        return True

    @event(ProfileEdited)
    def _profile_edited(self, name: str, title: str, phone: str, actor: str, channel: str) -> None:
        self.name, self.title, self.phone = name, title, phone

    # --- erasure -------------------------------------------------------------------------------

    @property
    def is_erased(self) -> bool:
        return getattr(self, "erased", False)  # snapshots from before erasure existed lack the flag

    def erase(self, by: Acting) -> None:
        if self.is_erased:
            raise AccountError("this account was already erased", loc=("account_id",))
        self._erase(by.actor, str(by.channel))

    @event(Erased)
    def _erase(self, actor: str, channel: str) -> None:
        self.email, self.name, self.title, self.phone = ERASED, ERASED, ERASED, ERASED
        self.pending_link = None
        self.active = False
        self.erased = True

    # --- signing in ------------------------------------------------------------------------------

    def locked(self, now: datetime) -> datetime | None:
        """Until when sign-in is refused, if it is now: only an account locked by a `SignInFailed` from
        before lock-out moved to the client address (`throttle`), so never again once that has passed."""
        return self.locked_until if self.locked_until and now < self.locked_until else None

    def sign_in_failed(self, now: datetime, by: Acting) -> int:
        """Records a wrong password (the count in a row, for the owner and the accreditor to see). It
        never locks the account: a stranger who knows the email would lock its owner out; the pause
        is per account and client address (`throttle`, kept beside the log)."""
        self._sign_in_failed(self.failures + 1, None, by.actor, str(by.channel))
        return self.failures

    @event(SignInFailed)
    def _sign_in_failed(self, failures: int, locked_until: datetime | None, actor: str, channel: str) -> None:
        self.failures = failures
        self.locked_until = locked_until

    def signed_in(self, now: datetime, by: Acting) -> None:
        if not self.active:
            raise AccountError("set your password from the invitation email first", loc=("email",))
        if self.locked(now):
            raise AccountError("this account is locked", loc=("email",))
        self._signed_in(by.actor, str(by.channel))

    @event(SignedIn)
    def _signed_in(self, actor: str, channel: str) -> None:
        self.failures = 0
        self.locked_until = None


# --- throttling sign-in per account and client address (OWASP ASVS V2.2.1) ---------------------


@dataclass(frozen=True)
class Throttle:
    """Wrong passwords for one email address from one client address: a count within a window, and a pause."""

    failures: int = 0
    window_started: datetime | None = None
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> datetime | None:
        return self.locked_until if self.locked_until and now < self.locked_until else None

    def failed(self, now: datetime) -> Throttle:
        """One more wrong password: the fifth within 15 minutes pauses this pair for 15 minutes
        (and starts a new count); failures older than the window are forgotten."""
        if self.locked(now):
            return self
        fresh = self.window_started is None or now - self.window_started >= LOCK_FOR
        failures = 1 if fresh else self.failures + 1
        started = now if fresh else self.window_started
        if failures >= MAX_FAILURES:
            return Throttle(0, None, now + LOCK_FOR)
        return Throttle(failures, started, None)


# --- one own account per physician ---------------------------------------------------------------


class PassportClaim(Aggregate):
    """That a learner of the directory opened their own CME Passport account, and which: one stream per
    learner, saved with the account in one transaction, so two sign-ups for one physician at once (under
    two addresses) cannot both open one; the second collides on the id. Like `Account`, it belongs to no
    provider's history (`tenant`, no `accme_id`)."""

    class Claimed(Aggregate.Created):
        learner_id: str
        account_id: str
        tenant: str
        actor: str
        channel: str

    @staticmethod
    def create_id(learner_id: str) -> uuid.UUID:
        return uuid.uuid5(ACCOUNT_NAMESPACE, f"passport:{learner_id}")

    @classmethod
    def claim(cls, learner_id: str, account_id: uuid.UUID, by: Acting) -> PassportClaim:
        return cls(
            learner_id=learner_id,
            account_id=str(account_id),
            tenant=f"learner:{learner_id}",
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Claimed)
    def __init__(self, learner_id: str, account_id: str, tenant: str, actor: str, channel: str) -> None:
        self.learner_id = learner_id
        self.account_id = account_id
