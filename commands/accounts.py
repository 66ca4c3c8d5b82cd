"""Commands about web accounts: invitations, passwords, signing in, profiles, and erasure with their learner."""

from __future__ import annotations

from pydantic import Field

from commands.base import Command


class InviteAccount(Command):
    """Opens an account for an address and mails its one-time set-password link (links start at `base_url`)."""

    email: str
    name: str
    role: str
    tenant: str  # e.g. provider:0001234 (Account.tenant_of)
    base_url: str
    inviter: str = "PARS"


class RequestPasswordReset(Command):
    """Mails a reset link if the address has an account (the answer never says whether it has)."""

    email: str
    base_url: str


class SignUp(Command):
    """A physician opens their own CME Passport account: matched against the learner directory by name, birth
    month and day, and a state licence (state + number) or an NPI; the confirmation link goes to `email`."""

    first_name: str = Field(repr=False)
    last_name: str = Field(repr=False)
    birth_month: str = Field(repr=False)
    birth_day: str = Field(repr=False)
    state: str = ""
    licence_number: str = Field("", repr=False)
    npi: str = Field("", repr=False)
    email: str = Field(repr=False)
    base_url: str
    client: str = "unknown"


class SetPassword(Command):
    """Chooses a password with a one-time link's token (from an invitation or a reset)."""

    token: str = Field(repr=False)
    password: str = Field(repr=False)
    confirm: str = Field(repr=False)


class SignIn(Command):
    """Signs in with an email and a password, from a client address (wrong passwords are counted per address)."""

    email: str
    password: str = Field(repr=False)
    client: str = "unknown"


class EditProfile(Command):
    account_id: str
    name: str
    title: str
    phone: str


class EraseAccounts(Command):
    """Erases these accounts (their learner was erased): their email and name, password hash and sessions."""

    account_ids: list[str]


#: The commands of someone not signed in yet: the account itself is the one acting.
AnonymousCommand = RequestPasswordReset | SetPassword | SignIn | SignUp
AccountCommand = InviteAccount | EditProfile | EraseAccounts | AnonymousCommand
