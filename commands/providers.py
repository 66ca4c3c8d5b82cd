"""Commands about providers, their accreditation, their contacts and their API tokens."""

from __future__ import annotations

from datetime import date, datetime

from commands.base import Command
from domain.provider import Contact


class ContactDetails(Command):
    name: str
    email: str
    title: str = ""
    phone: str = ""

    def to_domain(self) -> Contact:
        return Contact(name=self.name, email=self.email, title=self.title, phone=self.phone)


class RegisterProvider(Command):
    accme_id: str
    name: str
    accreditor: str
    primary: ContactDetails


class AssignContact(Command):
    """Sets (or replaces) the single holder of a role."""

    accme_id: str
    role: str
    contact: ContactDetails


class AddContact(Command):
    """Adds a contact to a vacant single-holder role, or to staff."""

    accme_id: str
    role: str
    contact: ContactDetails


class RemoveContact(Command):
    accme_id: str
    role: str


class AddStaffContact(Command):
    accme_id: str
    contact: ContactDetails


class RemoveStaffContact(Command):
    accme_id: str
    contact_id: str


class RecordAccreditationDecision(Command):
    accme_id: str
    decision: str
    decided_on: date
    term_ends: date | None = None


class IssueApiToken(Command):
    accme_id: str
    token_id: str
    label: str = ""
    expires_at: datetime | None = None


class RevokeApiToken(Command):
    accme_id: str
    token_id: str


#: Every command of a provider (its registration aside): `ProviderRegistry.handle` applies them to the loaded provider.
ProviderChange = (
    AssignContact
    | AddContact
    | RemoveContact
    | AddStaffContact
    | RemoveStaffContact
    | RecordAccreditationDecision
    | IssueApiToken
    | RevokeApiToken
)
ProviderCommand = RegisterProvider | ProviderChange
