"""ActivityRegistry: registers, revises, closes and deletes activities, many per transaction, idempotently."""

from __future__ import annotations

import builtins
import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.activities import (
    ActivityCommand,
    ActivityEntry,
    CloseActivities,
    CloseActivity,
    CorrectActivity,
    ReportEnduringLearners,
    SubmitActivities,
    UnreadEntry,
)
from domain.activity import (
    Activity,
    ActivityCatalog,
    ActivityNotFoundError,
    ActivityNumber,
    activity_number_candidate,
)
from domain.base import Acting, Channel, ParsAggregate, require_accme_id
from domain.errors import ConflictError, DomainError, ProviderNotFoundError
from domain.provider import Provider
from services.retries import attempts
from services.store import ParsStore


@dataclass(frozen=True)
class ActivityResult:
    """One submitted item's outcome: the 9-digit ACCME activity ID and what happened, or why it was refused."""

    index: int
    ok: bool
    activity_id: str | None
    action: str  # created | updated | deleted | closed | unchanged | rejected
    errors: list[dict[str, Any]] = field(default_factory=list)
    position: int | None = None
    #: For an update or correction, the JSON paths of the facts it changed (a field a file leaves out is removed:
    #: the answer names it, so nothing changes unseen).
    changed: list[list[Any]] = field(default_factory=list)


class ActivityIdInUseError(ConflictError):
    """Raised when a new activity is given a Provider Activity ID another (not deleted) activity already has."""

    def __init__(self, message: str, loc: tuple[str, ...], activity_id: str) -> None:
        super().__init__(message, loc=loc)
        self.activity_id = activity_id


class ActivityConcurrencyError(ConflictError):
    """Raised when a batch kept conflicting with concurrent writers."""


class _Batch:
    """The aggregates one submission touches, loaded once, saved together."""

    def __init__(self, store: ParsStore, accme_id: str, by: Acting) -> None:
        self.store = store
        self.accme_id = accme_id
        self.by = by
        self.loaded: dict[uuid.UUID, Activity | None] = {}
        self.new: list[ParsAggregate] = []
        self.claimed: set[str] = set()
        self.catalog: ActivityCatalog | None = None
        self.added: list[str] = []
        self.numbered: dict[str, Activity] = {}
        self.absent: set[uuid.UUID] = set()

    def prefetch(self, provider_activity_ids: list[str]) -> None:
        """Finds out in one query which of the submission's activities and first-choice numbers are not stored
        yet, so that a new activity costs no per-activity reads (its load and its number check)."""
        candidates = {Activity.create_id(self.accme_id, pid) for pid in provider_activity_ids}
        candidates |= {
            ActivityNumber.create_id(activity_number_candidate(self.accme_id, pid, 0)) for pid in provider_activity_ids
        }
        self.absent = candidates - self.store.existing(candidates)

    def _catalog(self) -> ActivityCatalog:
        if self.catalog is None:
            try:
                self.catalog = self.store.repository.get(ActivityCatalog.create_id(self.accme_id))
            except AggregateNotFoundError:
                self.catalog = ActivityCatalog.start(self.accme_id, self.by)
        return self.catalog

    def activity(self, activity_id: uuid.UUID) -> Activity | None:
        if activity_id not in self.loaded and activity_id in self.absent:
            self.loaded[activity_id] = None
        if activity_id not in self.loaded:
            try:
                self.loaded[activity_id] = self.store.repository.get(activity_id)
            except AggregateNotFoundError:
                self.loaded[activity_id] = None
            if (found := self.loaded[activity_id]) is not None:
                self.numbered[found.number] = found
        return self.loaded[activity_id]

    def by_number(self, number: str) -> Activity | None:
        if number in self.numbered:
            return self.numbered[number]
        try:
            claim: ActivityNumber = self.store.repository.get(ActivityNumber.create_id(number))
        except AggregateNotFoundError:
            return None
        if claim.accme_id != self.accme_id:
            return None  # another provider's activity: to this caller it does not exist
        return self.activity(uuid.UUID(claim.activity_id))

    def allocate(self, provider_activity_id: str, activity_id: uuid.UUID) -> str:
        for attempt in range(1000):
            number = activity_number_candidate(self.accme_id, provider_activity_id, attempt)
            claim_id = ActivityNumber.create_id(number)
            if number in self.claimed or (claim_id not in self.absent and claim_id in self.store.repository):
                continue
            self.claimed.add(number)
            self.new.append(
                ActivityNumber(
                    accme_id=self.accme_id,
                    number=number,
                    activity_id=str(activity_id),
                    actor=self.by.actor,
                    channel=str(self.by.channel),
                )
            )
            return number
        raise ConflictError("no free ACCME activity ID", loc=("activity_id",))  # pragma: no cover

    def release(self, number: str) -> None:
        """Gives back the number just allocated to an item that turned out invalid."""
        self.claimed.discard(number)
        self.new = [a for a in self.new if not (isinstance(a, ActivityNumber) and a.number == number)]

    def register(self, activity: Activity) -> None:
        self.loaded[activity.id] = activity
        self.numbered[activity.number] = activity
        self.added.append(str(activity.id))

    def save(self) -> int | None:
        if self.added:  # one catalog event for the whole submission, not one per activity
            self._catalog().add(self.added, self.by)
        aggs: list[ParsAggregate] = [a for a in self.loaded.values() if a is not None and a.pending_events]
        aggs += self.new
        if self.catalog is not None and self.catalog.pending_events:
            aggs.append(self.catalog)
        if not aggs:
            return None
        recordings = self.store.save(*aggs)
        return recordings[-1].notification.id if recordings else None


#: Who records a catalog backfill (activities stored before catalogs existed, e.g. upcast version-1 events).
CATALOG_BACKFILL = Acting("system:activity-catalog", Channel.SYSTEM)


class ActivityRegistry:
    def __init__(
        self,
        store: ParsStore,
        today: Callable[[], date] = date.today,
        known: Callable[[str], list[str]] | None = None,
    ) -> None:
        """`known(accme_id)`: the provider activity IDs of the provider's activities in the read model
        (activity summary), so that activities no catalog lists (stored before catalogs, or version-1
        events) are found and catalogued on first touch."""
        self.store = store
        self.today = today
        self.known = known

    def handle(self, cmd: ActivityCommand, by: Acting) -> Any:
        """Hands the command to its handler below; what each returns is said there."""
        match cmd:
            case SubmitActivities():
                return self.submit(cmd, by)
            case CloseActivity():
                return self.close(cmd, by)
            case CloseActivities():
                return self.close_many(cmd, by)
            case CorrectActivity():
                return self.correct(cmd, by)
            case ReportEnduringLearners():
                return self.report_enduring_learners(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not an activity command")

    # --- submissions (the ACCME web service, every batch format, the web form, repeats) ----------

    def submit(self, cmd: SubmitActivities, by: Acting) -> list[ActivityResult]:
        """Applies each entry (Add / Update / Delete, and close) and saves all valid ones at once. Errors name
        the entry's fields in the domain's terms (the edge says where they are in its format); an UnreadEntry's
        errors are answered as they are."""
        accme_id, only_new = cmd.accme_id, cmd.only_new
        self._require_provider(accme_id)
        parsed: list[ActivityEntry | list[dict[str, Any]]] = [
            e.errors if isinstance(e, UnreadEntry) else e for e in cmd.entries
        ]
        first_of: dict[str, int] = {}
        for i, p in enumerate(parsed):
            if isinstance(p, ActivityEntry) and p.provider_activity_id:
                first = first_of.setdefault(p.provider_activity_id, i)
                if first != i:  # a second item for one activity would silently replace the first
                    parsed[i] = [
                        {
                            "loc": ["provider_activity_id"],
                            "msg": f"the Provider Activity ID {p.provider_activity_id} is already given by item {first} of this submission",
                        }
                    ]
        for _ in attempts():
            batch = _Batch(self.store, accme_id, by)
            batch.prefetch(
                [p.provider_activity_id for p in parsed if isinstance(p, ActivityEntry) and p.provider_activity_id]
            )
            results = [
                ActivityResult(i, False, None, "rejected", p)
                if isinstance(p, list)
                else self._apply(batch, i, p, only_new)
                for i, p in enumerate(parsed)
            ]
            try:
                position = batch.save()
            except IntegrityError:
                continue  # a concurrent writer got there first (often on the provider's catalog): reload, decide again
            return [
                r if not r.ok else ActivityResult(r.index, r.ok, r.activity_id, r.action, r.errors, position, r.changed)
                for r in results
            ]
        raise ActivityConcurrencyError(f"the activities of {accme_id} are being changed by others; try again")

    def _apply(self, batch: _Batch, index: int, p: ActivityEntry, only_new: bool = False) -> ActivityResult:
        # Each item works on a copy so that a refused item leaves no pending events behind.
        try:
            if p.provider_id not in (None, batch.accme_id):
                # A file or request naming another provider is refused, never filed under the sender.
                raise ConflictError("the ProviderID is not the provider this submission is for", loc=("provider_id",))
            activity = self._find(batch, p)
            if only_new and activity is not None and not activity.deleted:
                raise ActivityIdInUseError(
                    f"the Provider Activity ID {activity.provider_activity_id} is already used by activity {activity.number}"
                    f" ({activity.data.get('title')}); open that activity to change it, or choose another ID",
                    loc=("provider_activity_id",),
                    activity_id=activity.number,
                )
            if p.action == "Delete":
                if activity is None or activity.deleted:
                    if activity is None:
                        raise ActivityNotFoundError("no such activity to delete", loc=("activity_id",))
                    return ActivityResult(index, True, activity.number, "unchanged")
                return self._step(batch, activity, index, lambda a: a.delete(batch.by) and "deleted")
            if activity is None:
                if p.action == "Update":
                    raise ActivityNotFoundError("no such activity to update; use Add", loc=("activity_id",))
                if not p.provider_activity_id:
                    raise ActivityNotFoundError(
                        "a new activity needs its Provider Activity ID", loc=("provider_activity_id",)
                    )
                aid = Activity.create_id(batch.accme_id, p.provider_activity_id)
                number = batch.allocate(p.provider_activity_id, aid)
                try:
                    activity = Activity.register(batch.accme_id, p.provider_activity_id, number, p.data, batch.by)
                    if p.close:
                        activity.close(self.today(), batch.by)
                except DomainError:
                    batch.release(number)  # an invalid item claims no number
                    raise
                batch.register(activity)
                return ActivityResult(index, True, number, "closed" if p.close else "created")
            data = {**p.data, "learners_by_year": activity.data.get("learners_by_year") or {}}
            if data == activity.data and not activity.deleted and (activity.closed or not p.close):
                return ActivityResult(
                    index, True, activity.number, "unchanged"
                )  # the common re-upload: no copy, no events

            def change(a: Activity) -> str | bool:
                # A change to a closed activity is a correction: it carries the item's own reason or is refused.
                changed = a.revise(data, batch.by, reason=p.reason)
                closed = p.close and a.close(self.today(), batch.by)
                return "closed" if closed else ("updated" if changed else False)

            return self._step(batch, activity, index, change)
        except DomainError as exc:
            in_use = exc.activity_id if isinstance(exc, ActivityIdInUseError) else None
            return ActivityResult(
                index, False, in_use, "rejected", [{"loc": list(loc), "msg": msg} for loc, msg in exc.problems()]
            )

    def _step(self, batch: _Batch, activity: Activity, index: int, change: Callable[[Activity], Any]) -> ActivityResult:
        # A copy takes the change, so that an item refused half-way leaves no pending events behind.
        trial = copy.deepcopy(activity)
        action = change(trial)
        batch.loaded[activity.id] = batch.numbered[activity.number] = trial
        changed: list[list[Any]] = [[key] for key in trial.data if trial.data.get(key) != activity.data.get(key)]
        return ActivityResult(index, True, activity.number, action or "unchanged", changed=changed)

    def _find(self, batch: _Batch, p: ActivityEntry) -> Activity | None:
        found = None
        if p.provider_activity_id:
            found = batch.activity(Activity.create_id(batch.accme_id, p.provider_activity_id))
        if p.activity_number:
            by_number = batch.by_number(p.activity_number)
            if found is not None and by_number is not None and by_number.id != found.id:
                raise ConflictError(
                    "the ACCME Activity ID and the Provider Activity ID name different activities", loc=("activity_id",)
                )
            if found is None and by_number is None and not p.provider_activity_id:
                raise ActivityNotFoundError(f"no activity {p.activity_number} of this provider", loc=("activity_id",))
            if found is None and by_number is not None and p.provider_activity_id and not by_number.deleted:
                # The item's own ID would otherwise be dropped and its facts filed under another activity's ID.
                raise ConflictError(
                    f"ACCME activity {p.activity_number} has the Provider Activity ID {by_number.provider_activity_id},"
                    f" not {p.provider_activity_id}",
                    loc=("activity_id",),
                )
            found = found or by_number
        return found

    # --- queries ------------------------------------------------------------------------

    def list(self, accme_id: str) -> list[Activity]:
        require_accme_id(accme_id)
        catalog = self.catalog(accme_id)
        if catalog is None:
            return []
        activities: list[Activity] = [self.store.repository.get(uuid.UUID(a)) for a in catalog.activity_ids]
        return [a for a in activities if not a.deleted]

    def catalog(self, accme_id: str) -> ActivityCatalog | None:
        """The provider's catalog, first backfilled with activities the read model knows and it does not.

        The backfill is one `ActivitiesAdded` (channel system) for the uncatalogued activities that
        exist in the store; it is idempotent (a second call finds nothing to add) and a concurrent
        writer of the catalog simply wins (the next call backfills what is still missing).
        """
        try:
            catalog: ActivityCatalog | None = self.store.repository.get(ActivityCatalog.create_id(accme_id))
        except AggregateNotFoundError:
            catalog = None
        if self.known is None:
            return catalog
        listed = set(catalog.activity_ids) if catalog is not None else set()
        missing = [
            str(aid)
            for pid in self.known(accme_id)
            if str(aid := Activity.create_id(accme_id, pid)) not in listed and aid in self.store.repository
        ]
        if not missing:
            return catalog
        if catalog is None:
            catalog = ActivityCatalog.start(accme_id, CATALOG_BACKFILL)
        catalog.add(missing, CATALOG_BACKFILL)
        try:
            self.store.save(catalog)
        except IntegrityError:
            try:
                return self.store.repository.get(ActivityCatalog.create_id(accme_id))
            except AggregateNotFoundError:  # pragma: no cover
                return None
        return catalog

    def get_by_number(self, number: str, accme_id: str | None = None) -> Activity:
        """The activity with this 9-digit ID; if accme_id is given, only that provider's (else not found)."""
        missing = ActivityNotFoundError(f"no activity {number}", loc=("activityId",))
        if not (len(number) == 9 and number.isdigit()):
            raise missing
        try:
            claim: ActivityNumber = self.store.repository.get(ActivityNumber.create_id(number))
        except AggregateNotFoundError:
            raise missing from None
        if accme_id is not None and claim.accme_id != accme_id:
            raise missing
        activity: Activity = self.store.repository.get(uuid.UUID(claim.activity_id))
        if activity.deleted:
            raise missing
        return activity

    # --- other commands -----------------------------------------------------------------

    def close(self, cmd: CloseActivity, by: Acting) -> int | None:
        activity = self.get_by_number(cmd.activity_id, cmd.accme_id)
        if not activity.close(self.today(), by):
            return None
        return self.store.save(activity)[-1].notification.id

    def close_many(
        self, cmd: CloseActivities, by: Acting
    ) -> tuple[builtins.list[tuple[str, str | DomainError]], int | None]:
        """Closes several activities in one save: each number answers "closed", "unchanged" (already
        closed) or the DomainError that refused it (unknown, another provider's, something missing)."""
        accme_id, numbers = cmd.accme_id, cmd.activity_ids
        outcomes: list[tuple[str, str | DomainError]] = []
        closing: list[Activity] = []
        for number in dict.fromkeys(numbers):
            try:
                activity = self.get_by_number(number, accme_id)
                outcomes.append((number, "closed" if activity.close(self.today(), by) else "unchanged"))
            except DomainError as exc:
                outcomes.append((number, exc))
                continue
            if activity.pending_events:
                closing.append(activity)
        if not closing:
            return outcomes, None
        return outcomes, self.store.save(*closing)[-1].notification.id

    def correct(self, cmd: CorrectActivity, by: Acting) -> int | None:
        """Replaces an activity's facts with the entry's; once closed, a correction with its reason."""
        activity = self.get_by_number(cmd.activity_id, cmd.accme_id)
        entry: ActivityEntry = cmd.entry
        if entry.provider_activity_id not in (None, activity.provider_activity_id):
            raise ConflictError("the item names another activity", loc=("provider_activity_id",))
        data = {**entry.data, "learners_by_year": activity.data.get("learners_by_year") or {}}
        changed = activity.revise(data, by, reason=cmd.reason or entry.reason)  # the command's, else the entry's own
        return self.store.save(activity)[-1].notification.id if changed else None

    def report_enduring_learners(self, cmd: ReportEnduringLearners, by: Acting) -> int | None:
        activity = self.get_by_number(cmd.activity_id, cmd.accme_id)
        if not activity.report_enduring_learners(cmd.year, dict(cmd.counts), by):
            return None
        return self.store.save(activity)[-1].notification.id

    def _require_provider(self, accme_id: str) -> None:
        require_accme_id(accme_id)
        if Provider.create_id(accme_id) not in self.store.repository:
            raise ProviderNotFoundError(f"no provider with ACCME ID {accme_id}", loc=("accme_id",))
