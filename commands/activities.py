"""Commands about activities (the ACCME JSON item is the common shape of every entry channel)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

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


class RegisterRepeatActivity(Command):
    """One activity given several times: one activity per date + location instance."""

    accme_id: str
    provider_activity_id: str = Field(min_length=1, max_length=90)
    item: dict[str, Any]
    instances: list[Instance] = Field(min_length=1, max_length=500)


class CorrectActivity(Command):
    """New facts for one activity as an ACCME item; a closed activity's correction carries its reason."""

    accme_id: str
    activity_id: str
    item: dict[str, Any]
    reason: str = Field(default="", max_length=1000)
