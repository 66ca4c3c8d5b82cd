"""The commands every activity channel builds from ACCME activity JSON items (submissions, corrections), and
their answers given back in the items' terms. The items themselves: activity_schema.py (the schema's rules),
activity_reading.py (item → data), activity_writing.py (data → item), activity_paths.py (field → JSON path);
repeat activities: activity_repeats.py."""

from __future__ import annotations

import dataclasses
from typing import Any

from adapters.formats.accme.activity_paths import item_loc
from adapters.formats.accme.activity_reading import ItemError, parse_item
from adapters.formats.accme.activity_writing import to_item
from commands.activities import ActivityEntry, CorrectActivity, SubmitActivities, UnreadEntry
from domain.activity import Activity, ActivityNotReadyToCloseError
from domain.base import Acting
from domain.errors import DomainError, InvalidValueError
from services.activities import ActivityRegistry, ActivityResult


class ActivityItemError(InvalidValueError):
    """Raised when an ACCME item given to a single-activity command breaks the schema rules."""


def entry_of(item: Any) -> ActivityEntry | UnreadEntry:
    """One item read into an entry, or why it cannot be (JSON paths in the item)."""
    try:
        return parse_item(item)
    except ItemError as exc:
        return UnreadEntry(exc.errors)


def submission(accme_id: str, items: list[Any], *, only_new: bool = False) -> SubmitActivities:
    return SubmitActivities(accme_id=accme_id, entries=[entry_of(item) for item in items], only_new=only_new)


def in_item_terms(cmd: SubmitActivities, results: list[ActivityResult]) -> list[ActivityResult]:
    """The results with each error's and change's field given as its JSON path in the item."""
    return [
        r
        if isinstance(cmd.entries[r.index], UnreadEntry)
        else dataclasses.replace(
            r,
            errors=[{**e, "loc": item_loc(tuple(e["loc"]))} for e in r.errors],
            changed=[item_loc(tuple(c)) for c in r.changed],
        )
        for r in results
    ]


def submit_items(
    activities: ActivityRegistry, accme_id: str, items: list[Any], by: Acting, *, only_new: bool = False
) -> list[ActivityResult]:
    """Reads the items, hands the submission to the registry, and answers in the items' terms."""
    cmd = submission(accme_id, items, only_new=only_new)
    return in_item_terms(cmd, activities.handle(cmd, by))


def activity_item(activity: Activity) -> dict[str, Any]:
    return to_item(activity.number, activity.provider_activity_id, activity.data, activity.accme_id, activity.closed)


class AccmeActivities:
    """The activity registry as ACCME JSON items: what a batch file's records go in and come out as."""

    def __init__(self, registry: ActivityRegistry) -> None:
        self.registry = registry

    def submit_accme_activities(
        self, accme_id: str, items: list[Any], by: Acting, *, only_new: bool = False
    ) -> list[ActivityResult]:
        return submit_items(self.registry, accme_id, items, by, only_new=only_new)

    def export_accme_activities(self, accme_id: str) -> list[dict[str, Any]]:
        """Every (not deleted) activity of the provider as an ACCME JSON item, in registration order."""
        return [activity_item(a) for a in self.registry.list(accme_id)]

    def accme_activities_numbered(self, accme_id: str, numbers: list[str]) -> list[dict[str, Any]]:
        """The provider's activities with these ACCME activity IDs, as ACCME JSON items in that order (the
        ones since deleted or not the provider's left out)."""
        found = []
        for number in numbers:
            try:
                found.append(activity_item(self.registry.get_by_number(number, accme_id)))
            except DomainError:
                continue
        return found


def correction(accme_id: str, activity_id: str, item: Any, reason: str = "") -> CorrectActivity:
    """The correction an item in a request body asks for; ActivityItemError naming the item's part if unreadable."""
    try:
        entry = parse_item(item)
    except ItemError as exc:
        first = exc.errors[0]
        raise ActivityItemError(first["msg"], loc=("body", "item", *map(str, first["loc"]))) from None
    return CorrectActivity(accme_id=accme_id, activity_id=activity_id, entry=entry, reason=reason)


#: The fields naming what a correction is of: the request's path carries them, not its item.
TARGET_FIELDS = {("accme_id",), ("activityId",)}


def correct_item(activities: ActivityRegistry, cmd: CorrectActivity, by: Acting) -> int | None:
    """Hands the correction over; a refusal names the body's reason or the item's part (one naming the
    provider or the activity corrected, which the request's path carries, is left for the route to place)."""
    try:
        position: int | None = activities.handle(cmd, by)
    except DomainError as exc:
        if exc.loc[:1] in TARGET_FIELDS:
            raise

        def where(loc: tuple[str, ...]) -> tuple[str, ...]:
            return ("body", "reason") if loc == ("reason",) else ("body", "item", *map(str, item_loc(loc)))

        if isinstance(exc, ActivityNotReadyToCloseError):
            raise ActivityNotReadyToCloseError(
                exc.message, loc=where(exc.loc), gaps=[(where(loc), msg) for loc, msg in exc.gaps]
            ) from None
        raise type(exc)(exc.message, loc=where(exc.loc)) from None
    return position
