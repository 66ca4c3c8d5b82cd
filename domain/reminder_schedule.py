"""An accreditor's scheduled year-end reminders: switched on or off by its staff, with how many days before its
deadline every provider still incomplete is reminded; and the years for which the scheduled reminders went out, so
each year's go out once however many processes look. Not a provider's event (no `accme_id`), like the deadline."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from eventsourcing.domain import Aggregate, event

from domain.base import Acting
from domain.errors import InvalidValueError

SCHEDULE_NAMESPACE = uuid.UUID("5f0e2c7a-93c1-4d7e-b1a2-6e8f4d2c9a11")
MAX_DAYS_BEFORE = 90


class ReminderSchedule(Aggregate):
    """The scheduled year-end reminders of one accreditor (ACCME, JA or a state)."""

    class Set(Aggregate.Created):
        accreditor: str
        enabled: bool
        days_before: int
        actor: str
        channel: str

    class Changed(Aggregate.Event):
        enabled: bool
        days_before: int
        actor: str
        channel: str

    class Sent(Aggregate.Event):
        """The scheduled reminders of a reporting year went out (each provider's reminder is its own event)."""

        year: int
        on: date
        actor: str
        channel: str

    class CopiesAsked(Aggregate.Event):
        """A member of the accreditor's staff (their web account's id, never the address) asked for a copy of
        every reminder to the accreditor's providers."""

        account_id: str
        actor: str
        channel: str

    class CopiesStopped(Aggregate.Event):
        account_id: str
        actor: str
        channel: str

    @staticmethod
    def create_id(accreditor: str) -> uuid.UUID:
        return uuid.uuid5(SCHEDULE_NAMESPACE, f"reminder-schedule:{accreditor}")

    @staticmethod
    def validate(days_before: int) -> None:
        if isinstance(days_before, bool) or not isinstance(days_before, int) or not 1 <= days_before <= MAX_DAYS_BEFORE:
            raise InvalidValueError(
                f"the reminder goes out 1 to {MAX_DAYS_BEFORE} days before the deadline (got {days_before!r})",
                loc=("days_before",),
            )

    @classmethod
    def start(cls, accreditor: str, enabled: bool, days_before: int, by: Acting) -> ReminderSchedule:
        cls.validate(days_before)
        return cls(
            accreditor=accreditor, enabled=enabled, days_before=days_before, actor=by.actor, channel=str(by.channel)
        )

    @event(Set)
    def __init__(self, accreditor: str, enabled: bool, days_before: int, actor: str, channel: str) -> None:
        self.accreditor = accreditor
        self.enabled = enabled
        self.days_before = days_before
        self.sent_years: tuple[int, ...] = ()
        self.copies: tuple[str, ...] = ()  # web account ids of the staff who asked for copies

    def change(self, enabled: bool, days_before: int, by: Acting) -> bool:
        self.validate(days_before)
        if (enabled, days_before) == (self.enabled, self.days_before):
            return False
        self._change(enabled=enabled, days_before=days_before, actor=by.actor, channel=str(by.channel))
        return True

    @event(Changed)
    def _change(self, enabled: bool, days_before: int, actor: str, channel: str) -> None:
        self.enabled = enabled
        self.days_before = days_before

    def due(self, year: int, deadline: date, today: date) -> bool:
        """The year's scheduled reminders are due: switched on, not yet sent, and today within `days_before` days
        of the deadline (not after it)."""
        return (
            self.enabled
            and year not in self.sent_years
            and deadline - timedelta(days=self.days_before) <= today <= deadline
        )

    def mark_sent(self, year: int, today: date, by: Acting) -> None:
        self._sent(year=year, on=today, actor=by.actor, channel=str(by.channel))

    @event(Sent)
    def _sent(self, year: int, on: date, actor: str, channel: str) -> None:
        self.sent_years = (*self.sent_years, year)

    def ask_copies(self, account_id: str, wanted: bool, by: Acting) -> bool:
        """A staff member asks for (or stops) copies of the reminders; False when it stood so."""
        if wanted == (account_id in self.copies):
            return False
        if wanted:
            self._ask(account_id=account_id, actor=by.actor, channel=str(by.channel))
        else:
            self._stop(account_id=account_id, actor=by.actor, channel=str(by.channel))
        return True

    @event(CopiesAsked)
    def _ask(self, account_id: str, actor: str, channel: str) -> None:
        self.copies = (*self.copies, account_id)

    @event(CopiesStopped)
    def _stop(self, account_id: str, actor: str, channel: str) -> None:
        self.copies = tuple(a for a in self.copies if a != account_id)
