"""Web accounts: invitations and resets with one-time links, passwords, sign-in with lock-out.

Links are `base64(purpose, account id, nonce, expiry)` + HMAC-SHA256 under PARS_SECRET_KEY;
the account records only the digest of the nonce and consumes it when the password is set,
so a link expires (24 h for an invitation, 1 h for a reset) and works once.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.accounts import (
    AccountCommand,
    EditProfile,
    EraseAccounts,
    InviteAccount,
    RequestPasswordReset,
    SetPassword,
    SignIn,
)
from domain.account import (
    MAX_FAILURES,
    Account,
    AccountError,
    AccountExistsError,
    LinkNotValidError,
    normalise_email,
)
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from services.personal_data import PersonalKeys
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
    def delete(self, account_id: str) -> None: ...


class Sessions(Protocol):
    def revoke_all(self, account_id: str) -> int: ...
    def end_all(self, account_id: str) -> int: ...


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class SignInThrottle(Protocol):
    """Wrong passwords per key (an HMAC of email and client address); the rule is domain/account.py `Throttle`."""

    def locked(self, key: str, now: datetime) -> datetime | None: ...
    def failed(self, key: str, now: datetime) -> datetime | None: ...
    def clear(self, key: str) -> None: ...


class SignInRefusedError(AccountError):
    """Raised when an email and password do not sign in (wrong, unknown, not yet set, or locked)."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message, loc=("password",))
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
        throttle: SignInThrottle,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        keys: PersonalKeys | None = None,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.sessions = sessions
        self.hasher = hasher
        self.mailer = mailer
        self.secret = secret
        self.throttle = throttle
        self.now = now
        self.keys = keys
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
            raise LinkNotValidError(
                "this link is not valid; copy the whole link from the email, or ask for a new one",
                loc=("token",),
            ) from None
        if link.expires <= self.now():
            raise LinkNotValidError("this link has expired; ask for a new one", loc=("token",))
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

    def handle(self, cmd: AccountCommand, by: Acting | None = None) -> Any:
        """Hands the command to its handler below; what each returns is said there. The commands of someone
        not signed in (AnonymousCommand) take no `by`: the account they concern is the one acting."""
        match cmd:
            case InviteAccount() if by is not None:
                return self.invite(cmd, by)
            case RequestPasswordReset():
                return self.request_reset(cmd)
            case SetPassword():
                return self.set_password(cmd)
            case SignIn():
                return self.sign_in(cmd)
            case EditProfile() if by is not None:
                return self.edit_profile(cmd, by)
            case EraseAccounts() if by is not None:
                return self.erase(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not an account command, or needs who is acting")

    def invite(self, cmd: InviteAccount, by: Acting) -> Account:
        """Records the invitation and mails the one-time set-password link ("System Access Granted")."""
        email, name, role, tenant, base_url, inviter = (
            cmd.email,
            cmd.name,
            cmd.role,
            cmd.tenant,
            cmd.base_url,
            cmd.inviter,
        )
        account_id = Account.create_id(email)
        if self.get(account_id) is not None:
            raise AccountExistsError(f"{normalise_email(email)} already has an account", loc=("email",))
        token, link = self.make_link("invite", account_id, INVITATION_VALID)
        account = Account.invite(email, name, role, tenant, link.digest, by)
        try:
            self.store.save(account)
        except IntegrityError:
            raise AccountExistsError(f"{account.email} already has an account", loc=("email",)) from None
        self.mailer.send(
            account.email,
            "PARS: System Access Granted",
            f"Dear {account.name},\n\n{inviter} has given you access to PARS, the Program and Activity Reporting System.\n\n"
            f"Choose your password here (the link works once, for 24 hours):\n{base_url}/set-password?token={token}\n\n"
            f"Then sign in at {base_url}/sign-in with {account.email}.\n",
        )
        return account

    def request_reset(self, cmd: RequestPasswordReset) -> None:
        """Mails a reset link if the address has an account; says nothing either way (no account discovery)."""
        email, base_url = cmd.email, cmd.base_url
        account = self.find(email)
        if account is None or account.is_erased:
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

    def set_password(self, cmd: SetPassword) -> Account:
        token, password, confirm = cmd.token, cmd.password, cmd.confirm
        link = self.read_link(token)
        problem = password_problem(password, confirm)
        if problem:
            raise InvalidValueError(problem, loc=("password",))
        account = self.get(link.account_id)
        if account is None:
            raise LinkNotValidError("this link is not valid; ask for a new one", loc=("token",))
        account.set_password(link.digest, Acting(f"user:{account.id}", Channel.WEB))
        try:
            # The event first: it consumes the link under optimistic concurrency, so two uses cannot both win.
            self.store.save(account)
        except IntegrityError:
            raise LinkNotValidError("this link has already been used", loc=("token",)) from None
        self.credentials.put(str(account.id), self.hasher.hash(password))
        self.sessions.revoke_all(str(account.id))  # a new password signs out every other browser
        return account

    def sign_in(self, cmd: SignIn) -> Account:
        """The account if the password is right. A wrong password and an unknown email get the same
        words and the same work (one hash lookup, one password verification, one count), so the
        answer tells nobody which addresses have accounts. Five wrong in 15 minutes pause sign-in for
        this email from this client address only (a stranger cannot lock the owner out); when they
        lock a real account, its owner is told by mail."""
        email, password, client = cmd.email, cmd.password, cmd.client
        now = self.now()
        key = self._throttle_key(email, client)
        if until := self.throttle.locked(key, now):
            raise SignInRefusedError(_locked_message(until, now), until)
        account = self.find(email)
        account_id = str(account.id) if account is not None else str(_account_id_or_nobody(email))
        stored = self.credentials.get(account_id)  # None for an unknown email: the decoy is verified instead
        right = self.hasher.verify(stored or self._decoy, password) and stored is not None
        if right and account is not None and account.active:
            if until := account.locked(now):  # locked by an event from before locks were per address
                raise SignInRefusedError(_locked_message(until, now), until)
            account.signed_in(now, Acting(f"user:{account.id}", Channel.WEB))
            self._save(account)
            self.throttle.clear(key)
            return account
        until = self.throttle.failed(key, now)
        if account is not None and account.active:
            account.sign_in_failed(now, Acting(f"user:{account.id}", Channel.WEB))
            self._save(account)
            if until:
                self._tell_owner(account, client, until)
        if until:
            raise SignInRefusedError(_locked_message(until, now), until)
        raise SignInRefusedError("the email address or the password is wrong")

    def _throttle_key(self, email: str, client: str) -> str:
        """An HMAC of the folded email and the client address: the table holds neither in clear."""
        folded = " ".join((email or "").split()).lower()
        return hmac.new(self.secret.encode(), f"sign-in:{folded}\n{client}".encode(), hashlib.sha256).hexdigest()

    def _tell_owner(self, account: Account, client: str, until: datetime) -> None:
        self.mailer.send(
            account.email,
            "PARS: wrong passwords for your account",
            f"Dear {account.name},\n\nSomeone at the address {client} entered a wrong password for your PARS account "
            f"({account.email}) {MAX_FAILURES} times. Signing in from that address is paused until {until:%H:%M} UTC; "
            "you can still sign in from anywhere else.\n\n"
            "If it was you, wait and try again. If it was not, your account is safe as long as your password is; "
            'to change it, choose "Forgot your password?" on the sign-in page.\n',
        )

    def _save(self, account: Account) -> None:
        # A concurrent attempt on the same account: the other one's count stands.
        with contextlib.suppress(IntegrityError):
            self.store.save(account)

    def edit_profile(self, cmd: EditProfile, by: Acting) -> Account:
        account = self.get(cmd.account_id)
        if account is None or account.is_erased:
            raise AccountError("no such account")
        if account.edit_profile(cmd.name, cmd.title, cmd.phone, by):
            self.store.save(account)
        return account

    def erase(self, cmd: EraseAccounts, by: Acting) -> int | None:
        """Erases these accounts (their learner was erased): destroys each one's key, so its email and
        name are gone from every stored event, records `Account.Erased`, and deletes its password hash
        and sessions. The position of the last erasure recorded, or None if there was nothing to erase."""
        if self.keys is None:
            raise RuntimeError("erasing accounts needs the personal key table")
        position = None
        for account_id in cmd.account_ids:
            for _ in range(3):  # a sign-in saved meanwhile: load again and erase after it
                account = self.get(account_id)
                if account is None or account.is_erased:
                    break
                account.erase(by)
                self.keys.destroy(account.id)  # first: once asked, the data is gone even if recording fails
                self.sessions.end_all(str(account.id))
                self.credentials.delete(str(account.id))
                try:
                    position = self.store.save(account)[-1].notification.id
                    break
                except IntegrityError:
                    continue
        return position


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return (
        f"too many wrong passwords: signing in with this email address from here is locked for {minutes} more "
        f"minute{'s' if minutes != 1 else ''} (until {until:%H:%M} UTC)"
    )


def _account_id_or_nobody(email: str) -> uuid.UUID:
    """The account id an email would have; a fixed id nobody has for text that is no email address."""
    try:
        return Account.create_id(email)
    except InvalidValueError:
        return uuid.UUID(int=0)
