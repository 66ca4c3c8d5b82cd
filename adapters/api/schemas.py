"""Request and response bodies of /api/v1 (XCreate / XUpdate / XPublic families)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Path

from pydantic import BaseModel, ConfigDict, EmailStr, Field

SingleRole = Literal["primary", "billing", "ceo", "website", "technical", "medical_director"]
AnyRole = Literal["primary", "billing", "ceo", "website", "technical", "medical_director", "staff"]
AccmeIdPath = Annotated[str, Path(pattern=r"^[0-9]{7}$", description="7 digits, leading zeros kept")]
SingleRolePath = Annotated[SingleRole, Path(description="a single-holder contact role")]


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
    decided_on: date
    term_ends: date | None = None


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
