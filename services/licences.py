"""Licence requirement tracking: a state's CME rules (accreditor staff, the state's board) and the licences
a physician tracks (on their `Learner` stream, sealed like the rest of their personal data)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.licences import LicenceCommand, SetLicenceRules, TrackLicence, UntrackLicence
from domain.base import Acting
from domain.licence_rules import LicenceRules, validate_rules
from services.learners import LearnerDirectory
from services.providers import ConcurrentChangeError, Outcome
from services.retries import attempts
from services.store import ParsStore


class LicenceTracking:
    def __init__(self, store: ParsStore, learners: LearnerDirectory) -> None:
        self.store = store
        self.learners = learners

    def handle(self, cmd: LicenceCommand, by: Acting) -> Outcome:
        """Hands the command to its handler below; each answers an Outcome (value, position to wait for)."""
        match cmd:
            case SetLicenceRules():
                return self.set_rules(cmd, by)
            case TrackLicence():
                return self.track(cmd, by)
            case UntrackLicence():
                return self.untrack(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not a licence command")

    def set_rules(self, cmd: SetLicenceRules, by: Acting) -> Outcome:
        """Adopts the state's rules, or changes them (an unchanged set records nothing)."""
        clean = validate_rules(cmd.state, [dict(r) for r in cmd.rules])
        state = clean[0]["state"]
        for _ in attempts():
            try:
                record: LicenceRules = self.store.repository.get(LicenceRules.create_id(state))
                changed = record.change(clean, by)
            except AggregateNotFoundError:
                record = LicenceRules.adopt(state, clean, by)
                changed = True
            if not changed:
                return Outcome(record.rules, None)
            try:
                recordings = self.store.save(record)
            except IntegrityError:
                continue
            return Outcome(record.rules, recordings[-1].notification.id)
        raise ConcurrentChangeError(f"the {state} licence rules are being changed by others; try again", loc=("state",))

    def rules(self, state: str) -> list[dict[str, Any]] | None:
        """The state's rules as now recorded, from its stream."""
        try:
            record: LicenceRules = self.store.repository.get(LicenceRules.create_id(state))
        except AggregateNotFoundError:
            return None
        return record.rules

    def rules_at(self, state: str, instant: datetime) -> dict[str, Any] | None:
        """The state's rules as they stood at `instant`, replayed from its stream: the rules, and who set them,
        through which channel and when; None before any were adopted."""
        stream = self.store.events.get(LicenceRules.create_id(state))
        events = cast(Iterable[LicenceRules.Adopted | LicenceRules.Changed], stream)
        standing = None
        for e in events:
            if e.timestamp > instant:
                break
            standing = {
                "state": state,
                "rules": e.rules,
                "set_by": e.actor,
                "channel": e.channel,
                "set_at": e.timestamp.isoformat(),
                "version": e.originator_version,
            }
        return standing

    def track(self, cmd: TrackLicence, by: Acting) -> Outcome:
        for _ in attempts():
            learner = self.learners.get(cmd.learner_id)
            changed = learner.track_licence(cmd.state, cmd.licence_type, cmd.number, cmd.issued_on, by)
            if not changed:
                return Outcome(learner.tracked, None)
            try:
                recordings = self.store.save(learner)
            except IntegrityError:
                continue
            return Outcome(learner.tracked, recordings[-1].notification.id)
        raise ConcurrentChangeError("your record is being changed elsewhere; try again", loc=("learner_id",))

    def untrack(self, cmd: UntrackLicence, by: Acting) -> Outcome:
        for _ in attempts():
            learner = self.learners.get(cmd.learner_id)
            if not learner.untrack_licence(cmd.state, by):
                return Outcome(learner.tracked, None)
            try:
                recordings = self.store.save(learner)
            except IntegrityError:
                continue
            return Outcome(learner.tracked, recordings[-1].notification.id)
        raise ConcurrentChangeError("your record is being changed elsewhere; try again", loc=("learner_id",))

    def tracked(self, learner_id: str) -> dict[str, dict[str, Any]]:
        """The learner's tracked licences with their numbers (read from their stream, never a read model)."""
        return self.learners.get(learner_id).tracked
