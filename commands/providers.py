"""Commands about providers, their accreditation and their contacts, with their handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from commands.base import Command
from domain.base import Acting
from domain.provider import Contact, Provider


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


def register_provider(cmd: RegisterProvider, by: Acting) -> Provider:
    return Provider.register(cmd.accme_id, cmd.name, cmd.accreditor, cmd.primary.to_domain(), by)


def _assign(p: Provider, cmd: AssignContact, by: Acting) -> Any:
    return p.assign_contact(cmd.role, cmd.contact.to_domain(), by)


def _add(p: Provider, cmd: AddContact, by: Acting) -> Any:
    return p.add_contact(cmd.role, cmd.contact.to_domain(), by)


def _remove(p: Provider, cmd: RemoveContact, by: Acting) -> Any:
    return p.remove_contact(cmd.role, by)


def _add_staff(p: Provider, cmd: AddStaffContact, by: Acting) -> Any:
    return p.add_staff_contact(cmd.contact.to_domain(), by)


def _remove_staff(p: Provider, cmd: RemoveStaffContact, by: Acting) -> Any:
    return p.remove_staff_contact(cmd.contact_id, by)


def _decide(p: Provider, cmd: RecordAccreditationDecision, by: Acting) -> Any:
    return p.record_decision(cmd.decision, cmd.decided_on, by, term_ends=cmd.term_ends)


def _issue_token(p: Provider, cmd: IssueApiToken, by: Acting) -> Any:
    return p.issue_api_token(cmd.token_id, cmd.label, by, expires_at=cmd.expires_at)


def _revoke_token(p: Provider, cmd: RevokeApiToken, by: Acting) -> Any:
    return p.revoke_api_token(cmd.token_id, by)


#: How each command changes an existing provider; the service loads, applies and saves.
PROVIDER_HANDLERS: dict[type[Command], Callable[[Provider, Any, Acting], Any]] = {
    AssignContact: _assign,
    AddContact: _add,
    RemoveContact: _remove,
    AddStaffContact: _add_staff,
    RemoveStaffContact: _remove_staff,
    RecordAccreditationDecision: _decide,
    IssueApiToken: _issue_token,
    RevokeApiToken: _revoke_token,
}
