"""Request and response bodies of /api/v1 (XCreate / XUpdate / XPublic families)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field

SingleRole = Literal["primary", "billing", "ceo", "website", "technical", "medical_director"]
AnyRole = Literal["primary", "billing", "ceo", "website", "technical", "medical_director", "staff"]
AccmeIdPath = Annotated[str, Path(pattern=r"^[0-9]{7}$", description="7 digits, leading zeros kept")]
SingleRolePath = Annotated[SingleRole, Path(description="a single-holder contact role")]
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
ISO_INSTANT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}.*)?$")


def _date_text(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic alone reads "0" or 0 as 1970-01-01 (seconds since 1970)."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DATE.match(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


def _instant_text(value: Any) -> Any:
    """Only ISO-8601: pydantic alone reads "20250101" as 1970-08-23 (seconds since 1970)."""
    if isinstance(value, datetime) or (isinstance(value, str) and ISO_INSTANT.match(value)):
        return value
    raise ValueError("expected an ISO-8601 instant, e.g. 2025-03-01T12:00:00Z, or a date YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_date_text)]
IsoInstant = Annotated[datetime, BeforeValidator(_instant_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ContactUpdate(Strict):
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=200)
    email: EmailStr
    phone: str = Field(default="", max_length=40)


class ContactCreate(ContactUpdate):
    role: AnyRole


class ContactPublic(BaseModel):
    name: str
    title: str
    email: str
    phone: str


class StaffContactPublic(ContactPublic):
    contact_id: str


class ProviderCreate(Strict):
    accme_id: str = Field(pattern=r"^[0-9]{7}$", description="7 digits, leading zeros kept")
    name: str = Field(min_length=1, max_length=300)
    accreditor: str = Field(description="ACCME, JA (Joint Accreditation) or a state code for its Recognized Accreditor")
    primary_contact: ContactUpdate


class DecisionCreate(Strict):
    decision: Literal[
        "Provisional Accreditation", "Accreditation", "Accreditation with Commendation", "Probation", "Nonaccreditation"
    ]
    decided_on: IsoDate
    term_ends: IsoDate | None = None


class DecisionPublic(BaseModel):
    decision: str
    decided_on: date
    term_ends: date | None


class ProviderPublic(BaseModel):
    accme_id: str
    name: str
    accreditor: str
    accreditor_name: str
    accreditation_status: str
    current_term_ends: date | None
    decisions: list[DecisionPublic]
    contacts: dict[str, ContactPublic]
    staff: list[StaffContactPublic]
    invoice_recipient: ContactPublic
    directory_contact: ContactPublic


class ProvidersPublic(BaseModel):
    data: list[ProviderPublic]
    count: int


class HistoryEvent(BaseModel):
    position: int
    type: str
    time: str
    actor: str
    channel: str
    stream_id: str
    version: int
    data: dict[str, Any]


class HistoryPublic(BaseModel):
    accme_id: str
    as_of: str | None
    items: list[HistoryEvent]
    next: int | None = Field(description="pass as ?after= for the next page; null at the end")


class DirectoryEntry(BaseModel):
    accme_id: str
    name: str
    accreditor: str
    accreditor_name: str
    accreditation_status: str
    contact: dict[str, str]


class DirectoryPublic(BaseModel):
    data: list[DirectoryEntry]
    count: int
    page: int
    page_size: int
