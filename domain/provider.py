"""The accredited provider: identity, accreditor, accreditation decisions and contacts."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from eventsourcing.domain import event

from domain.base import Acting, ParsAggregate, require_accme_id
from domain.errors import (
    ContactNotFoundError,
    DuplicateStaffContactError,
    InvalidValueError,
    PrimaryContactRequiredError,
    RoleAlreadyFilledError,
)
from domain.geography import US_STATES

PROVIDER_NAMESPACE = uuid.UUID("6f1f2e0a-5d0c-4b5e-9a57-7c1d2f0a9b11")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
PHONE_PATTERN = re.compile(r"^[0-9+().\- ]{7,25}( ?(x|ext\.?) ?[0-9]{1,6})?$")


class ContactRole(StrEnum):
    """Contact roles; every role but STAFF has at most one holder, and PRIMARY exactly one."""

    PRIMARY = "primary"
    BILLING = "billing"
    CEO = "ceo"
    WEBSITE = "website"
    TECHNICAL = "technical"
    MEDICAL_DIRECTOR = "medical_director"
    STAFF = "staff"


SINGLE_ROLES = tuple(r for r in ContactRole if r is not ContactRole.STAFF)


class Decision(StrEnum):
    """Accreditation decisions, with the usual term in years (None: no term)."""

    PROVISIONAL_ACCREDITATION = "Provisional Accreditation"
    ACCREDITATION = "Accreditation"
    ACCREDITATION_WITH_COMMENDATION = "Accreditation with Commendation"
    PROBATION = "Probation"
    NONACCREDITATION = "Nonaccreditation"

    @property
    def default_term_years(self) -> int | None:
        return {
            "Provisional Accreditation": 2,
            "Accreditation": 4,
            "Accreditation with Commendation": 6,
        }.get(self.value)


ACCREDITOR_ALIASES = {"ACCME": "ACCME", "JA": "JA", "JOINT ACCREDITATION": "JA"}


def normalise_accreditor(value: str) -> str:
    """ACCME, JA (Joint Accreditation) or a state code (that state's Recognized Accreditor)."""
    key = (value or "").strip().upper()
    if key in ACCREDITOR_ALIASES:
        return ACCREDITOR_ALIASES[key]
    if key in US_STATES:
        return key
    raise InvalidValueError(
        "accreditor must be ACCME, JA (Joint Accreditation) or the two-letter code of a "
        f"state whose Recognized Accreditor oversees the provider (got {value!r})",
        loc=("accreditor",),
    )


def accreditor_name(code: str) -> str:
    if code == "ACCME":
        return "ACCME"
    if code == "JA":
        return "Joint Accreditation"
    return f"{US_STATES[code]} Recognized Accreditor"


@dataclass(frozen=True)
class Contact:
    """A person the provider names for a role."""

    name: str
    email: str
    title: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        name = (self.name or "").strip()
        email = (self.email or "").strip()
        if not name:
            raise InvalidValueError("contact name is required", loc=("name",))
        if len(name) > 200:
            raise InvalidValueError("contact name is longer than 200 characters", loc=("name",))
        if not EMAIL_PATTERN.match(email):
            raise InvalidValueError(f"{email!r} is not a valid email address", loc=("email",))
        phone = (self.phone or "").strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise InvalidValueError(f"{phone!r} is not a valid phone number", loc=("phone",))
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "email", email.lower())
        object.__setattr__(self, "title", (self.title or "").strip())
        object.__setattr__(self, "phone", phone)

    def as_dict(self) -> dict[str, str]:
        # Spelled out: dataclasses.asdict deep-copies field by field, a fifth of a batched provider append (issue 16).
        return {"name": self.name, "email": self.email, "title": self.title, "phone": self.phone}


class Provider(ParsAggregate):
    """An accredited CME provider, identified by its 7-digit ACCME ID."""

    class Registered(ParsAggregate.Created):
        name: str
        accreditor: str
        primary_contact: dict[str, str]

    class ContactAssigned(ParsAggregate.Event):
        role: str
        contact: dict[str, str]

    class ContactRemoved(ParsAggregate.Event):
        role: str

    class StaffContactAdded(ParsAggregate.Event):
        contact_id: str
        contact: dict[str, str]

    class StaffContactRemoved(ParsAggregate.Event):
        contact_id: str

    class AccreditationDecisionRecorded(ParsAggregate.Event):
        decision: str
        decided_on: date
        term_ends: date | None

    class ApiTokenIssued(ParsAggregate.Event):
        token_id: str
        label: str
        expires_at: datetime | None

        # Version 1 (before tokens expired) had no expiry: such a token lasts the configured
        # default from its issue time, computed where it is read (services/tokens.py).
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["expires_at"] = None

    class ApiTokenRevoked(ParsAggregate.Event):
        token_id: str

    @staticmethod
    def create_id(accme_id: str) -> uuid.UUID:
        return uuid.uuid5(PROVIDER_NAMESPACE, f"provider:{accme_id}")

    @classmethod
    def register(cls, accme_id: str, name: str, accreditor: str, primary: Contact, by: Acting) -> Provider:
        require_accme_id(accme_id)
        name = (name or "").strip()
        if not name:
            raise InvalidValueError("provider name is required", loc=("name",))
        if len(name) > 300:
            raise InvalidValueError("provider name is longer than 300 characters", loc=("name",))
        # `_create` as `cls(...)` would call it, without re-reading the arguments against `__init__`'s signature.
        return cls._create(
            cls.Registered,
            id=cls.create_id(accme_id),
            accme_id=accme_id,
            name=name,
            accreditor=normalise_accreditor(accreditor),
            primary_contact=primary.as_dict(),
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Registered)
    def __init__(
        self,
        accme_id: str,
        name: str,
        accreditor: str,
        primary_contact: dict[str, str],
        actor: str,
        channel: str,
    ) -> None:
        self.accme_id = accme_id
        self.name = name
        self.accreditor = accreditor
        self.contacts: dict[str, dict[str, str]] = {ContactRole.PRIMARY.value: primary_contact}
        self.staff: dict[str, dict[str, str]] = {}
        self.decisions: list[dict[str, Any]] = []
        self.api_tokens: dict[str, dict[str, Any]] = {}

    # --- contacts -------------------------------------------------------------------------

    def assign_contact(self, role: ContactRole | str, contact: Contact, by: Acting) -> bool:
        """Sets the single holder of a role, replacing any holder in one event. False if unchanged."""
        role = _single_role(role)
        if self.contacts.get(role.value) == contact.as_dict():
            return False
        self._assign_contact(role=role.value, contact=contact.as_dict(), **self._meta(by))
        return True

    def add_contact(self, role: ContactRole | str, contact: Contact, by: Acting) -> str | None:
        """Adds a contact to a role that must be vacant (or to staff); returns a staff contact's id."""
        if (
            role == ContactRole.STAFF
        ):  # an unknown role falls through to _single_role: InvalidValueError, not ValueError
            return self.add_staff_contact(contact, by)
        role = _single_role(role)
        if role.value in self.contacts:
            raise RoleAlreadyFilledError(
                f"provider {self.accme_id} already has a {role.value} contact; "
                f"replace it with PUT .../contacts/{role.value}",
                loc=("role",),
            )
        self._assign_contact(role=role.value, contact=contact.as_dict(), **self._meta(by))
        return None

    @event(ContactAssigned)
    def _assign_contact(self, role: str, contact: dict[str, str], accme_id: str, actor: str, channel: str) -> None:
        self.contacts[role] = contact

    def remove_contact(self, role: ContactRole | str, by: Acting) -> None:
        role = _single_role(role)
        if role is ContactRole.PRIMARY:
            raise PrimaryContactRequiredError(
                f"provider {self.accme_id} must always have a primary contact; replace it instead of removing it",
                loc=("role",),
            )
        if role.value not in self.contacts:
            raise ContactNotFoundError(f"provider {self.accme_id} has no {role.value} contact", loc=("role",))
        self._remove_contact(role=role.value, **self._meta(by))

    @event(ContactRemoved)
    def _remove_contact(self, role: str, accme_id: str, actor: str, channel: str) -> None:
        del self.contacts[role]

    def add_staff_contact(self, contact: Contact, by: Acting) -> str:
        if any(s["email"] == contact.email for s in self.staff.values()):
            raise DuplicateStaffContactError(
                f"{contact.email} is already a staff contact of provider {self.accme_id}",
                loc=("email",),
            )
        contact_id = uuid.uuid4().hex[:12]
        self._add_staff_contact(contact_id=contact_id, contact=contact.as_dict(), **self._meta(by))
        return contact_id

    @event(StaffContactAdded)
    def _add_staff_contact(
        self, contact_id: str, contact: dict[str, str], accme_id: str, actor: str, channel: str
    ) -> None:
        self.staff[contact_id] = contact

    def remove_staff_contact(self, contact_id: str, by: Acting) -> None:
        if contact_id not in self.staff:
            raise ContactNotFoundError(
                f"provider {self.accme_id} has no staff contact {contact_id!r}",
                loc=("contact_id",),
            )
        self._remove_staff_contact(contact_id=contact_id, **self._meta(by))

    @event(StaffContactRemoved)
    def _remove_staff_contact(self, contact_id: str, accme_id: str, actor: str, channel: str) -> None:
        del self.staff[contact_id]

    @property
    def primary_contact(self) -> dict[str, str]:
        return self.contacts[ContactRole.PRIMARY.value]

    @property
    def invoice_recipient(self) -> dict[str, str]:
        """Invoices go to the billing contact, else the primary."""
        return self.contacts.get(ContactRole.BILLING.value) or self.primary_contact

    @property
    def directory_contact(self) -> dict[str, str]:
        """The public directory shows the website contact, else the primary."""
        return self.contacts.get(ContactRole.WEBSITE.value) or self.primary_contact

    # --- web-service tokens ---------------------------------------------------------------

    def issue_api_token(self, token_id: str, label: str, by: Acting, expires_at: datetime | None = None) -> None:
        """Records a token for the provider's systems, so that it can be listed and revoked."""
        if token_id in self.api_tokens:
            raise InvalidValueError(f"token {token_id} is already recorded", loc=("token_id",))
        self._issue_api_token(
            token_id=token_id, label=(label or "").strip()[:200], expires_at=expires_at, **self._meta(by)
        )

    @event(ApiTokenIssued)
    def _issue_api_token(
        self, token_id: str, label: str, expires_at: datetime | None, accme_id: str, actor: str, channel: str
    ) -> None:
        self.api_tokens[token_id] = {"label": label, "revoked": False}

    def revoke_api_token(self, token_id: str, by: Acting) -> None:
        token = self.api_tokens.get(token_id)
        if token is None:
            raise ContactNotFoundError(f"provider {self.accme_id} has no token {token_id!r}", loc=("token_id",))
        if token["revoked"]:
            return  # revoking twice is the same as once
        self._revoke_api_token(token_id=token_id, **self._meta(by))

    @event(ApiTokenRevoked)
    def _revoke_api_token(self, token_id: str, accme_id: str, actor: str, channel: str) -> None:
        self.api_tokens[token_id]["revoked"] = True

    # --- accreditation --------------------------------------------------------------------

    def record_decision(
        self, decision: Decision | str, decided_on: date, by: Acting, term_ends: date | None = None
    ) -> None:
        try:
            decision = Decision(decision)
        except ValueError:
            raise InvalidValueError(
                f"decision must be one of {', '.join(d.value for d in Decision)} (got {decision!r})",
                loc=("decision",),
            ) from None
        if term_ends is None and decision.default_term_years:
            term_ends = _add_years(decided_on, decision.default_term_years)
        if term_ends is not None and term_ends <= decided_on:
            raise InvalidValueError("term_ends must be after decided_on", loc=("term_ends",))
        if self.decisions and decided_on < self.decisions[-1]["decided_on"]:
            raise InvalidValueError(
                f"decided_on is before the latest recorded decision ({self.decisions[-1]['decided_on']})",
                loc=("decided_on",),
            )
        self._record_decision(decision=decision.value, decided_on=decided_on, term_ends=term_ends, **self._meta(by))

    @event(AccreditationDecisionRecorded)
    def _record_decision(
        self, decision: str, decided_on: date, term_ends: date | None, accme_id: str, actor: str, channel: str
    ) -> None:
        self.decisions.append({"decision": decision, "decided_on": decided_on, "term_ends": term_ends})

    @property
    def accreditation_status(self) -> str:
        return accreditation_status(self.decisions)


def accreditation_status(decisions: list[dict[str, Any]]) -> str:
    """The latest decision names the status; a provider without one awaits its initial decision."""
    return decisions[-1]["decision"] if decisions else "Pending initial accreditation"


def _single_role(role: ContactRole | str) -> ContactRole:
    try:
        parsed = ContactRole(role)
    except ValueError:
        raise InvalidValueError(
            f"unknown contact role {role!r}; roles are {', '.join(r.value for r in ContactRole)}",
            loc=("role",),
        ) from None
    if parsed is ContactRole.STAFF:
        raise InvalidValueError("staff contacts are many; use .../contacts/staff to add or remove them", loc=("role",))
    return parsed


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
