"""A repeat activity: one template item given on several dates and at several places, submitted as one
activity per instance (`PID-1`, `PID-2`, …)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from adapters.formats.accme.activities import submit_items
from domain.base import Acting
from services.activities import ActivityRegistry, ActivityResult


class Instance(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

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


class RepeatRequest(BaseModel):
    """One activity given several times: one activity per date + location instance (`PID-1`, `PID-2`, …)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    accme_id: str
    provider_activity_id: str = Field(min_length=1, max_length=90)
    item: RepeatItem
    instances: list[Instance] = Field(min_length=1, max_length=500)
    only_new: bool = False  # as for SubmitActivities


def repeat_items(repeat: RepeatRequest) -> list[dict[str, Any]]:
    """The repeat's items: the template with each instance's own IDs, dates and place written in."""
    template = repeat.item.model_dump()
    items = []
    for n, instance in enumerate(repeat.instances, start=1):
        item = copy.deepcopy(template)
        general = item["Lom"]["general"]
        # Each instance is its own activity (its own IDs); the activity's URL is the template's.
        urls = [i for i in general.get("identifier") or [] if isinstance(i, dict) and i.get("catalog") == "URL"]
        general["identifier"] = [
            {"catalog": "Provider Activity ID", "entry": f"{repeat.provider_activity_id}-{n}"},
            *urls,
        ]
        he = item["healthcareMetadata"]["healthcareEducation"]
        he.update({"startDateTime": instance.start_date.isoformat(), "endDateTime": instance.end_date.isoformat()})
        if instance.city or instance.state or instance.country:
            he["activityLocation"] = {
                k: v
                for k, v in (
                    ("city", instance.city),
                    ("stateOrProvince", instance.state),
                    ("country", instance.country),
                )
                if v
            }
        items.append(item)
    return items


def submit_repeat(activities: ActivityRegistry, repeat: RepeatRequest, by: Acting) -> list[ActivityResult]:
    """A repeat activity is one submission of one item per date + location instance."""
    return submit_items(activities, repeat.accme_id, repeat_items(repeat), by, only_new=repeat.only_new)
