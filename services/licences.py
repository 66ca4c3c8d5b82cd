"""Licence requirement tracking: a state's CME rules (accreditor staff, the state's board) and the licences
a physician tracks (on their `Learner` stream, sealed like the rest of their personal data)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, Protocol, cast

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.licences import (
    ChooseGapAlerts,
    LicenceCommand,
    SendGapAlerts,
    SetLicenceRules,
    TrackLicence,
    UntrackLicence,
)
from domain.base import Acting
from domain.licence_rules import LicenceRules, validate_rules
from projections.accounts import AccountView
from services.learners import LearnerDirectory
from services.providers import ConcurrentChangeError, Outcome
from services.queries.licences import LicenceQueries
from services.retries import attempts
from services.store import ParsStore

#: Days before a cycle ends when an opted-in physician whose requirements are unmet is mailed.
ALERT_DAYS = (90, 30)


class Mailer(Protocol):
    def send(self, to: str, subject: str, body: str) -> None: ...


class LicenceTracking:
    def __init__(
        self,
        store: ParsStore,
        learners: LearnerDirectory,
        queries: LicenceQueries,
        accounts: AccountView,
        mailer: Mailer,
        today: Callable[[], date],
    ) -> None:
        self.store = store
        self.learners = learners
        self.queries = queries
        self.accounts = accounts
        self.mailer = mailer
        self.today = today

    def handle(self, cmd: LicenceCommand, by: Acting) -> Outcome:
        """Hands the command to its handler below; each answers an Outcome (value, position to wait for)."""
        match cmd:
            case SetLicenceRules():
                return self.set_rules(cmd, by)
            case TrackLicence():
                return self.track(cmd, by)
            case UntrackLicence():
                return self.untrack(cmd, by)
            case ChooseGapAlerts():
                return self.choose_alerts(cmd, by)
            case SendGapAlerts():
                return self.send_alerts(cmd, by)
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
        return self._change(
            cmd.learner_id,
            lambda learner: learner.track_licence(cmd.state, cmd.licence_type, cmd.number, cmd.issued_on, by),
            lambda learner: learner.tracked,
        )

    def untrack(self, cmd: UntrackLicence, by: Acting) -> Outcome:
        return self._change(
            cmd.learner_id, lambda learner: learner.untrack_licence(cmd.state, by), lambda learner: learner.tracked
        )

    def choose_alerts(self, cmd: ChooseGapAlerts, by: Acting) -> Outcome:
        return self._change(
            cmd.learner_id, lambda learner: learner.choose_gap_alerts(cmd.on, by), lambda learner: learner.gap_alerts
        )

    def _change(self, learner_id: str, decide: Callable[[Any], bool], answer: Callable[[Any], Any]) -> Outcome:
        """Load the learner, decide, save; a change nobody made records nothing; a lost race loads again."""
        for _ in attempts():
            learner = self.learners.get(learner_id)
            if not decide(learner):
                return Outcome(answer(learner), None)
            try:
                recordings = self.store.save(learner)
            except IntegrityError:
                continue
            return Outcome(answer(learner), recordings[-1].notification.id)
        raise ConcurrentChangeError("your record is being changed elsewhere; try again", loc=("learner_id",))

    def gap_alerts(self, learner_id: str) -> bool:
        return self.learners.get(learner_id).gap_alerts

    def send_alerts(self, cmd: SendGapAlerts, by: Acting) -> Outcome:
        """Mails each opted-in physician once per licence, cycle and threshold (90, then 30 days before the cycle
        ends) while a requirement is unmet, to their active web accounts; records `GapAlertSent`. Answers the
        number of mails sent."""
        today = self.today()
        sent = 0
        position = None
        for learner_id in self.queries.view.alerting():
            learner = self.learners.get(learner_id)
            if learner.erased or not learner.gap_alerts:
                continue
            emails = [
                a["email"]
                for a in self.accounts.list_accounts(tenants=[f"learner:{learner_id}"])
                if a.get("status") == "active" and a.get("email")
            ]
            if not emails:
                continue
            answer = self.queries.requirements(learner_id, learner.tracked, today)
            for item in answer["licences"]:
                progress = item["progress"]
                if progress is None or progress["met"]:
                    continue
                due = [d for d in ALERT_DAYS if progress["days_left"] <= d]
                if not due:
                    continue
                days = min(due)
                end = progress["cycle"]["end"]
                if any(learner.alert_sent(item["state"], end, d) for d in ALERT_DAYS if d <= days):
                    continue
                for email in emails:
                    self.mailer.send(email, *_alert_mail(item, progress))
                learner.record_alert(item["state"], end, days, by)
                sent += 1
            if learner.pending_events:
                position = self.store.save(learner)[-1].notification.id
        return Outcome(sent, position)

    def tracked(self, learner_id: str) -> dict[str, dict[str, Any]]:
        """The learner's tracked licences with their numbers (read from their stream, never a read model)."""
        return self.learners.get(learner_id).tracked


def _alert_mail(item: dict[str, Any], progress: dict[str, Any]) -> tuple[str, str]:
    missing = [
        f"- {r['name']}: {r['missing']:g} hours missing (counted {r['counted']:g} of {r['hours']:g})"
        for r in progress["requirements"]
        if r["met"] is False
    ]
    subject = f"CME Passport: your {item['state']} license cycle ends in {progress['days_left']} days"
    body = "\n".join(
        [
            (
                f"Your {item['state']} {item['licence_type']} license cycle runs from {progress['cycle']['start']} to "
                f"{progress['cycle']['end']} ({progress['days_left']} days left). These requirements are not yet met:"
            ),
            "",
            *missing,
            "",
            (
                "Only credit your providers reported to PARS is counted. Rules marked as not confirmed may differ from "
                "your board's; check with your board. You chose these alerts on your CME Passport page, where you can "
                "stop them."
            ),
        ]
    )
    return subject, body
