"""Commands about activities. Every channel reads its own format at the edge (ACCME JSON items, batch rows,
the web form: `adapters/formats/accme/activity_reading.py`) into `ActivityEntry`s in the domain's terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import Field

from commands.base import Command


@dataclass(frozen=True)
class ActivityEntry:
    """One activity as a submission gives it: what to do (Add / Update / Delete, and close) and its facts."""

    action: str
    close: bool
    provider_activity_id: str | None
    activity_number: str | None  # the 9-digit ACCME activity ID, when the entry names it
    data: dict[str, Any]
    reason: str = ""  # the correction's reason: needed when the entry changes a closed activity
    provider_id: str | None = None  # the provider the entry says it is for


@dataclass(frozen=True)
class UnreadEntry:
    """An entry the edge could not read: why, as [{loc, msg}] in the entry's own terms (answered as they are)."""

    errors: list[dict[str, Any]]


class SubmitActivities(Command):
    """One or many activity entries for one provider (a request, a batch file's chunk, a repeat's instances).

    With `only_new` (the web's "Add an activity"), an entry whose Provider Activity ID is in use is refused
    (its result names the activity that has it) instead of replacing that activity."""

    accme_id: str
    entries: list[Any]  # ActivityEntry | UnreadEntry, in the submission's order
    only_new: bool = False


class CloseActivity(Command):
    accme_id: str
    activity_id: str


class CloseActivities(Command):
    """Closes several activities of one provider in one save (bulk close)."""

    accme_id: str
    activity_ids: list[str]


class ReportEnduringLearners(Command):
    """An enduring material's cumulative learner counts as of 31 December of `year`."""

    accme_id: str
    activity_id: str
    year: int = Field(ge=1990, le=2100)
    counts: dict[str, int]


class CorrectActivity(Command):
    """New facts for one activity; a closed activity's correction carries its reason (else the entry's own)."""

    accme_id: str
    activity_id: str
    entry: Any  # ActivityEntry
    reason: str = Field(default="", max_length=1000)


ActivityCommand = SubmitActivities | CloseActivity | CloseActivities | CorrectActivity | ReportEnduringLearners
