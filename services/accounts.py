"""Web accounts: invitations and resets with one-time links, passwords, sign-in with lock-out.

Links are `base64(purpose, account id, nonce, expiry)` + HMAC-SHA256 under PARS_SECRET_KEY;
the account records only the digest of the nonce and consumes it when the password is set,
so a link expires (24 h for an invitation, 1 h for a reset) and works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.account import (
    Account,
    AccountError,
    AccountExistsError,
    LinkNotValidError,
    normalise_email,
)
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from services.store import ParsStore

INVITATION_VALID = timedelta(hours=24)
RESET_VALID = timedelta(hours=1)
MIN_PASSWORD = 12
MAX_PASSWORD = 200


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


class Credentials(Protocol):
    def get(self, account_id: str) -> str | None: ...
    def put(self, account_id: str, password_hash: str) -> None: ...


class Sessions(Protocol):
    def revoke_all(self, account_id: str) -> int: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class SignInRefusedError(AccountError):
    """Raised when an email and password do not sign in (wrong, unknown, not yet set, or locked)."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message, loc=("body", "password"))
        self.locked_until = locked_until


@dataclass(frozen=True)
class Link:
    purpose: str  # "invite" or "reset"
    account_id: uuid.UUID
    nonce: str
    expires: datetime

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.nonce.encode()).hexdigest()


def password_problem(password: str, confirm: str) -> str | None:
    """Why a new password is refused, in words for the person choosing it; None when it is fine."""
    if len(password) < MIN_PASSWORD:
        return f"use at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"use at most {MAX_PASSWORD} characters"
    if password != confirm:
        return "the two passwords are not the same"
    return None


class AccountService:
    def __init__(
        self,
        store: ParsStore,
        credentials: Credentials,
        sessions: Sessions,
        hasher: PasswordHasher,
        mailer: Mailer,
        secret: str,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.sessions = sessions
        self.hasher = hasher
        self.mailer = mailer
        self.secret = secret
        self.now = now
        # A hash to verify against when the email is unknown, so that answering takes as long either way.
        self._decoy = hasher.hash(secrets.token_urlsafe(16))

    # --- links ---------------------------------------------------------------------------------

    def _sign(self, body: str) -> str:
        mac = hmac.new(self.secret.encode(), f"link:{body}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def make_link(self, purpose: str, account_id: uuid.UUID, valid: timedelta) -> tuple[str, Link]:
        link = Link(purpose, account_id, secrets.token_urlsafe(16), self.now() + valid)
        claims = {"p": purpose, "a": str(account_id), "n": link.nonce, "e": int(link.expires.timestamp())}
        body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
        return f"{body}.{self._sign(body)}", link

    def read_link(self, token: str) -> Link:
        """The link's claims if its signature holds and it has not expired (use is checked by the account)."""
        try:
            body, signature = token.split(".", 1)
            if not hmac.compare_digest(signature, self._sign(body)):
                raise ValueError("bad signature")
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            link = Link(claims["p"], uuid.UUID(claims["a"]), claims["n"], datetime.fromtimestamp(claims["e"], UTC))
        except (ValueError, KeyError, TypeError):
            raise LinkNotValidError("this link is not valid; copy the whole link from the email, or ask for a new one", loc=("query", "token")) from None
        if link.expires <= self.now():
            raise LinkNotValidError("this link has expired; ask for a new one", loc=("query", "token"))
        return link

    # --- commands ------------------------------------------------------------------------------

    def get(self, account_id: uuid.UUID | str) -> Account | None:
        try:
            return self.store.repository.get(uuid.UUID(str(account_id)))
        except AggregateNotFoundError:
            return None

    def find(self, email: str) -> Account | None:
        try:
            return self.get(Account.create_id(email))
        except InvalidValueError:
            return None

    def invite(
        self, email: str, name: str, role: str, tenant: str, by: Acting, base_url: str, inviter: str = "PARS"
    ) -> Account:
        """Records the invitation and mails the one-time set-password link ("System Access Granted")."""
        account_id = Account.create_id(email)
        if self.get(account_id) is not None:
            raise AccountExistsError(f"{normalise_email(email)} already has an account", loc=("body", "email"))
        token, link = self.make_link("invite", account_id, INVITATION_VALID)
        account = Account.invite(email, name, role, tenant, link.digest, by)
        try:
            self.store.save(account)
        except IntegrityError:
            raise AccountExistsError(f"{account.email} already has an account", loc=("body", "email")) from None
        self.mailer.send(
            account.email,
            "PARS: System Access Granted",
            f"Dear {account.name},\n\n{inviter} has given you access to PARS, the Program and Activity Reporting System.\n\n"
            f"Choose your password here (the link works once, for 24 hours):\n{base_url}/set-password?token={token}\n\n"
            f"Then sign in at {base_url}/sign-in with {account.email}.\n",
        )
        return account

    def request_reset(self, email: str, base_url: str) -> None:
        """Mails a reset link if the address has an account; says nothing either way (no account discovery)."""
        account = self.find(email)
        if account is None:
            return
        token, link = self.make_link("reset", account.id, RESET_VALID)
        account.request_reset(link.digest, Acting(f"user:{account.id}", Channel.WEB))
        self.store.save(account)
        self.mailer.send(
            account.email,
            "PARS: reset your password",
            f"Dear {account.name},\n\nSomeone (we hope you) asked to reset your PARS password.\n\n"
            f"Choose a new password here (the link works once, for 1 hour):\n{base_url}/set-password?token={token}\n\n"
            "If it was not you, ignore this message: your password stays as it is.\n",
        )

    def set_password(self, token: str, password: str, confirm: str) -> Account:
        link = self.read_link(token)
        problem = password_problem(password, confirm)
        if problem:
            raise InvalidValueError(problem, loc=("body", "password"))
        account = self.get(link.account_id)
        if account is None:
            raise LinkNotValidError("this link is not valid; ask for a new one", loc=("query", "token"))
        account.set_password(link.digest, Acting(f"user:{account.id}", Channel.WEB))
        try:
            # The event first: it consumes the link under optimistic concurrency, so two uses cannot both win.
            self.store.save(account)
        except IntegrityError:
            raise LinkNotValidError("this link has already been used", loc=("query", "token")) from None
        self.credentials.put(str(account.id), self.hasher.hash(password))
        self.sessions.revoke_all(str(account.id))  # a new password signs out every other browser
        return account

    def sign_in(self, email: str, password: str) -> Account:
        """The account if the password is right; counts failures and locks after five in a row."""
        refused = "the email address or the password is wrong"
        account = self.find(email)
        if account is None or not account.active:
            self.hasher.verify(self._decoy, password)
            raise SignInRefusedError(refused)
        now = self.now()
        if until := account.locked(now):
            raise SignInRefusedError(_locked_message(until, now), until)
        stored = self.credentials.get(str(account.id))
        by = Acting(f"user:{account.id}", Channel.WEB)
        if stored is None or not self.hasher.verify(stored, password):
            until = account.sign_in_failed(now, by)
            self._save(account)
            if until:
                raise SignInRefusedError(_locked_message(until, now), until)
            return self._refuse(refused, account)
        account.signed_in(now, by)
        self._save(account)
        return account

    def _refuse(self, message: str, account: Account) -> Account:
        left = 5 - account.failures
        raise SignInRefusedError(f"{message}; {left} more wrong {'try' if left == 1 else 'tries'} will lock the account for 15 minutes")

    def _save(self, account: Account) -> None:
        try:
            self.store.save(account)
        except IntegrityError:  # a concurrent attempt on the same account: the other one's count stands
            pass

    def edit_profile(self, account_id: str, name: str, title: str, phone: str, by: Acting) -> Account:
        account = self.get(account_id)
        if account is None:
            raise AccountError("no such account")
        if account.edit_profile(name, title, phone, by):
            self.store.save(account)
        return account


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return f"too many wrong passwords: this account is locked for {minutes} more minute{'s' if minutes != 1 else ''} (until {until:%H:%M} UTC)"
