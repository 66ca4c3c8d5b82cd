"""Web accounts: invitations and resets with one-time links, passwords, sign-in with lock-out.

Links are `base64(purpose, account id, nonce, expiry)` + HMAC-SHA256 under PARS_SECRET_KEY;
the account records only the digest of the nonce and consumes it when the password is set,
so a link expires (24 h for an invitation, 1 h for a reset) and works once.
"""

from __future__ import annotations

import base64
import calendar
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
    SignUp,
)
from commands.learners import MatchQuery
from domain.account import (
    MAX_FAILURES,
    Account,
    AccountError,
    AccountExistsError,
    LinkNotValidError,
    PassportClaim,
    normalise_email,
)
from domain.base import Acting, Channel
from domain.errors import InvalidValueError
from domain.geography import US_STATES
from domain.learner import require_month_day
from services.learner_matching import LearnerMatcher
from services.personal_data import PersonalKeys
from services.store import ParsStore

INVITATION_VALID = timedelta(hours=24)
SIGN_UP_VALID = timedelta(hours=24)
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


class SignUpRefusedError(AccountError):
    """Raised when a physician's own sign-up finds no one learner in the directory (the words never say which
    detail disagreed), or when too many refused attempts from this address or for this email pause it."""

    def __init__(self, message: str, locked_until: datetime | None = None) -> None:
        super().__init__(message, loc=())
        self.locked_until = locked_until


class SignUpInvalidError(InvalidValueError):
    """Raised when the sign-up form itself is incomplete or malformed (before any matching): each field and why."""

    def __init__(self, errors: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__(errors[0][1], loc=errors[0][0])
        self.errors = errors

    def problems(self) -> list[tuple[tuple[str, ...], str]]:
        return list(self.errors)


#: The one answer to every sign-up that matches no learner: the same whichever detail differed, and whether
#: or not the NPI or licence is on record at all.
NO_MATCH = (
    "we could not match these details to a physician in the directory. Check them against your license or NPI "
    "record and try again; if they are right, ask a provider that reported your credit which details it holds"
)


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
        matcher: LearnerMatcher | None = None,
        learner_accounts: Callable[[str], list[str]] | None = None,
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
        # Sign-up: the learner directory's matcher, and the ids of a learner's accounts (the accounts read model).
        self.matcher = matcher
        self.learner_accounts = learner_accounts
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
            case SignUp():
                return self.sign_up(cmd)
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

    def sign_up(self, cmd: SignUp) -> str:
        """A physician's own account. Returns the address the confirmation mail went to. The details are
        matched against the learner directory (the providers' matcher); a miss raises `SignUpRefusedError`
        with one set of words whichever detail differed, after the same work (one directory lookup, two
        throttle counts). A match always answers the same on the page; the mail says what happened: the
        confirmation link (`Account.SignedUp`, 24 h; following it sets the password, `PasswordSet`), a fresh
        link for a sign-up not yet confirmed, or that the address or the physician already has an account."""
        if self.matcher is None or self.learner_accounts is None:
            raise RuntimeError("signing up needs the learner directory's matcher and the accounts read model")
        email, queries = self._sign_up_query(cmd)
        now = self.now()
        # Refused attempts pause sign-up from this client address (whatever the emails) and for this email
        # (whatever the addresses): guessing a birth date for a known NPI is the attack.
        keys = (self._sign_up_key(f"client\n{cmd.client}"), self._sign_up_key(f"email\n{email}"))
        if until := max((u for k in keys if (u := self.throttle.locked(k, now))), default=None):
            raise SignUpRefusedError(_sign_up_locked_message(until, now), until)
        results = self.matcher.match_many(queries)
        learners = {r.learner_id if r.matched else None for r in results}
        if len(learners) != 1 or None in learners:  # no match, several candidates, or two physicians alike
            until = max((u for k in keys if (u := self.throttle.failed(k, now))), default=None)
            if until:
                raise SignUpRefusedError(_sign_up_locked_message(until, now), until)
            raise SignUpRefusedError(NO_MATCH)
        learner_id, name = str(learners.pop()), f"{' '.join(cmd.first_name.split())} {' '.join(cmd.last_name.split())}"
        base_url = cmd.base_url
        existing = self.find(email)
        if existing is not None and existing.tenant == f"learner:{learner_id}" and not existing.active:
            # Signed up before and never confirmed (the link expired or was lost): a new link replaces it.
            token, link = self.make_link("sign-up", existing.id, SIGN_UP_VALID)
            existing.request_reset(link.digest, Acting(f"user:{existing.id}", Channel.WEB))
            self.store.save(existing)
            self._mail_confirmation(existing.email, existing.name, base_url, token)
            return email
        if existing is not None:
            self.mailer.send(
                email,
                "PARS: this address already has an account",
                f"Dear {name},\n\nSomeone (we hope you) asked to open a CME Passport account with this address, "
                "but it already has a PARS account, so no second one was opened.\n\n"
                f"Sign in at {base_url}/sign-in; if you forgot the password, choose a new one at "
                f"{base_url}/forgot-password.\n",
            )
            return email
        if any(a != str(Account.create_id(email)) for a in self.learner_accounts(learner_id)):
            self._mail_already_linked(email, name, base_url)  # e.g. an account staff invited
            return email
        account_id = Account.create_id(email)
        token, link = self.make_link("sign-up", account_id, SIGN_UP_VALID)
        by = Acting(f"user:{account_id}", Channel.WEB)
        account = Account.sign_up(email, name, learner_id, link.digest, by)
        if PassportClaim.create_id(learner_id) in self.store.repository:
            self._mail_already_linked(email, name, base_url)
            return email
        try:
            # One transaction: the account and the physician's claim (the read model above may lag).
            self.store.save(account, PassportClaim.claim(learner_id, account_id, by))
        except IntegrityError:
            if self.find(email) is None:  # another address won the physician a moment ago
                self._mail_already_linked(email, name, base_url)
            return email  # else the same address signed up a moment ago: its own mail went out
        self._mail_confirmation(account.email, account.name, base_url, token)
        return email

    def _mail_already_linked(self, email: str, name: str, base_url: str) -> None:
        self.mailer.send(
            email,
            "PARS: you already have a CME Passport account",
            f"Dear {name},\n\nSomeone (we hope you) asked to open a CME Passport account with this address. "
            "The physician with the details given already has a CME Passport account under another email "
            "address, so no second one was opened.\n\n"
            f"Sign in at {base_url}/sign-in with that address; if you forgot the password, choose a new one at "
            f"{base_url}/forgot-password. If you no longer use that address, ask the ACCME's CME Passport "
            "support to move the account.\n",
        )

    def _sign_up_query(self, cmd: SignUp) -> tuple[str, list[MatchQuery]]:
        """The normalised email and the directory queries (a licence's, an NPI's), or every field's problem at once."""
        problems: list[tuple[tuple[str, ...], str]] = []
        first, last = " ".join(cmd.first_name.split()), " ".join(cmd.last_name.split())
        if not first:
            problems.append((("first_name",), "enter your first name"))
        if not last:
            problems.append((("last_name",), "enter your last name"))
        month, day = cmd.birth_month.strip(), cmd.birth_day.strip()
        birth = ""
        if not (month.isdigit() and 1 <= int(month) <= 12):
            problems.append((("birth_month",), "choose the month you were born in"))
        elif not (day.isdigit() and 1 <= int(day) <= 31):
            problems.append((("birth_day",), "enter the day of the month you were born on (1 to 31)"))
        else:
            birth = f"{int(month):02d}-{int(day):02d}"
            try:
                require_month_day(birth, ("birth_day",))
            except InvalidValueError:
                problems.append((("birth_day",), f"{_MONTHS[int(month) - 1]} has no day {int(day)}"))
        npi, state, number = cmd.npi.strip(), cmd.state.strip().upper(), " ".join(cmd.licence_number.split())
        if npi and not (len(npi) == 10 and npi.isdigit()):
            problems.append((("npi",), "an NPI has 10 digits"))
        if state and state not in US_STATES:
            problems.append((("state",), "choose the state of your license"))
        if number and not state:
            problems.append((("state",), "choose the state that issued the license"))
        if state and not number and not npi:
            problems.append((("licence_number",), "enter the license number, or your NPI instead"))
        if not npi and not number and not state:
            problems.append((("npi",), "enter your NPI, or a state license's state and number"))
        try:
            email = normalise_email(cmd.email)
        except InvalidValueError:
            problems.append((("email",), "enter an email address, like name@example.org"))
            email = ""
        if problems:
            raise SignUpInvalidError(problems)
        # A licence and an NPI both given: both must name the same physician (the matcher, given an NPI,
        # checks the state but not the licence number), so each is matched on its own with the name and birthday.
        queries = []
        if number:
            queries.append(
                MatchQuery(first_name=first, last_name=last, birth_date=birth, state=state, licence_number=number)
            )
        if npi:
            queries.append(MatchQuery(first_name=first, last_name=last, birth_date=birth, npi=npi))
        return email, queries

    def _sign_up_key(self, what: str) -> str:
        """An HMAC of a client address or an email (the throttle table holds neither in clear), apart from sign-in's."""
        return hmac.new(self.secret.encode(), f"sign-up:{what}".encode(), hashlib.sha256).hexdigest()

    def _mail_confirmation(self, email: str, name: str, base_url: str, token: str) -> None:
        self.mailer.send(
            email,
            "PARS: confirm your CME Passport account",
            f"Dear {name},\n\nYou asked to open a CME Passport account with this address.\n\n"
            f"Confirm it and choose your password here (the link works once, for 24 hours):\n"
            f"{base_url}/set-password?token={token}\n\n"
            f"Then sign in at {base_url}/sign-in with {email}. If it was not you, ignore this message: "
            "no account is opened until the link is followed.\n",
        )

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


_MONTHS = list(calendar.month_name)[1:]


def _sign_up_locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return (
        f"too many attempts that matched no physician: signing up from here or with this email address is paused "
        f"for {minutes} more minute{'s' if minutes != 1 else ''} (until {until:%H:%M} UTC)"
    )


def _account_id_or_nobody(email: str) -> uuid.UUID:
    """The account id an email would have; a fixed id nobody has for text that is no email address."""
    try:
        return Account.create_id(email)
    except InvalidValueError:
        return uuid.UUID(int=0)
