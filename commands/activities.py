"""Commands about activities (the ACCME JSON item is the common shape of every entry channel)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from commands.base import Command


class SubmitActivities(Command):
    """One or many ACCME JSON items (Add / Update / Delete, closeActivityRecord) for one provider."""

    accme_id: str
    items: list[dict[str, Any]]


class CloseActivity(Command):
    accme_id: str
    activity_id: str


class ReportEnduringLearners(Command):
    """An enduring material's cumulative learner counts as of 31 December of `year`."""

    accme_id: str
    activity_id: str
    year: int = Field(ge=1990, le=2100)
    counts: dict[str, int]


class Instance(Command):
    start_date: date
    end_date: date
    city: str | None = None
    state: str | None = None
    country: str | None = None


class _Open(BaseModel):
    """A part of an ACCME item whose other keys pass through untouched (the registry validates them)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class RepeatGeneral(_Open):
    pass


class RepeatLom(_Open):
    general: RepeatGeneral = Field(default_factory=RepeatGeneral)


class RepeatHealthcareMetadata(_Open):
    healthcareEducation: dict[str, Any]


class RepeatXtensible(_Open):
    #: A repeat registers (or re-sends) its instances; deleting one is done by its own ID.
    activityRecordAction: Literal["Add", "Update"] = "Add"


class RepeatItem(_Open):
    """The shape a repeat activity's template item must have before its instances are filled in: `Lom`
    and `healthcareMetadata.healthcareEducation` objects (why: the instances' IDs, dates and places are
    written into them, so a string or a missing part must be refused naming its path, not crash)."""

    Lom: RepeatLom
    healthcareMetadata: RepeatHealthcareMetadata
    XtensibleInfo: RepeatXtensible = Field(default_factory=RepeatXtensible)


class RegisterRepeatActivity(Command):
    """One activity given several times: one activity per date + location instance."""

    accme_id: str
    provider_activity_id: str = Field(min_length=1, max_length=90)
    item: RepeatItem
    instances: list[Instance] = Field(min_length=1, max_length=500)


class CorrectActivity(Command):
    """New facts for one activity as an ACCME item; a closed activity's correction carries its reason."""

    accme_id: str
    activity_id: str
    item: dict[str, Any]
    reason: str = Field(default="", max_length=1000)
