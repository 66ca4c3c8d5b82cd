"""A small in-memory activity registry with the two methods a batch uses (a real class, not a mock)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from adapters.batch.spec import provider_activity_id
from domain.base import Acting


@dataclass(frozen=True)
class ActivityResult:
    index: int
    ok: bool
    activity_id: str | None = None
    action: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


class FakeActivityRegistry:
    """Keyed by (provider, Provider Activity ID); checks a title and an end date not before the start."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.ids: dict[tuple[str, str], str] = {}
        self.calls: list[int] = []
        self.channels: set[str] = set()

    def submit_accme_activities(self, accme_id: str, items: list[dict[str, Any]], by: Acting) -> list[ActivityResult]:
        self.calls.append(len(items))
        self.channels.add(str(by.channel))
        return [self._one(accme_id, i, item) for i, item in enumerate(items)]

    def _one(self, accme_id: str, index: int, item: dict[str, Any]) -> ActivityResult:
        errors = []
        key = provider_activity_id(item)
        if not key:
            errors.append({"loc": ["Lom", "general", "identifier"], "msg": "a Provider Activity ID is required"})
        if not item.get("Lom", {}).get("general", {}).get("title"):
            errors.append({"loc": ["Lom", "general", "title"], "msg": "a title is required"})
        he = item.get("healthcareMetadata", {}).get("healthcareEducation", {})
        if he.get("startDateTime") and he.get("endDateTime") and he["endDateTime"] < he["startDateTime"]:
            errors.append(
                {
                    "loc": ["healthcareMetadata", "healthcareEducation", "endDateTime"],
                    "msg": "the end date is before the start date",
                }
            )
        if errors:
            return ActivityResult(index, False, errors=errors)
        stream = (accme_id, str(key))
        info = item.get("XtensibleInfo", {})
        stored = copy.deepcopy(item)
        stored.get("XtensibleInfo", {}).pop("activityRecordAction", None)
        if info.get("activityRecordAction") == "Delete":
            if stream not in self.items:
                return ActivityResult(index, True, self.ids.get(stream), "unchanged")
            del self.items[stream]
            return ActivityResult(index, True, self.ids[stream], "deleted")
        activity_id = self.ids.setdefault(stream, f"{100000000 + len(self.ids):09d}")
        before = self.items.get(stream)
        if before == stored:
            return ActivityResult(index, True, activity_id, "unchanged")
        self.items[stream] = stored
        if before is None:
            return ActivityResult(index, True, activity_id, "created")
        return ActivityResult(index, True, activity_id, "closed" if info.get("closeActivityRecord") else "updated")

    def export_accme_activities(self, accme_id: str) -> list[dict[str, Any]]:
        return [copy.deepcopy(item) for (provider, _), item in self.items.items() if provider == accme_id]


class FakeSystem:
    def __init__(self) -> None:
        self.activities = FakeActivityRegistry()
        self.accme_activities = self.activities  # the fake speaks ACCME JSON items already
