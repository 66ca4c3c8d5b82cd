"""Year-end reporting deadlines: 31 March of the following year unless a state accreditor sets an earlier one."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from eventsourcing.domain import Aggregate, event

from domain.base import Acting
from domain.errors import InvalidValueError

DEADLINE_NAMESPACE = uuid.UUID("0b6c7f55-2a43-4f0e-8a4f-3f6d1c2b9e70")
NATIONAL_ACCREDITORS = ("ACCME", "JA")


def default_deadline(year: int) -> date:
    """31 March of the following year; when that falls on a weekend, the Monday after (1 Apr 2024)."""
    day = date(year + 1, 3, 31)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class ReportingDeadline(Aggregate):
    """The year-end deadline one accreditor set for one reporting year."""

    class Set(Aggregate.Created):
        accreditor: str
        year: int
        deadline: date
        actor: str
        channel: str

    class Changed(Aggregate.Event):
        accreditor: str
        year: int
        deadline: date
        actor: str
        channel: str

    @staticmethod
    def create_id(accreditor: str, year: int) -> uuid.UUID:
        return uuid.uuid5(DEADLINE_NAMESPACE, f"deadline:{accreditor}:{year}")

    @staticmethod
    def validate(accreditor: str, year: int, deadline: date) -> None:
        if deadline <= date(year, 12, 31):
            raise InvalidValueError(
                f"the {year} deadline must fall after the reporting year ends (got {deadline})",
                loc=("deadline",),
            )
        latest = default_deadline(year)
        if accreditor not in NATIONAL_ACCREDITORS and deadline > latest:
            raise InvalidValueError(
                f"a state accreditor's deadline may be earlier than ACCME's ({latest}), not later (got {deadline})",
                loc=("deadline",),
            )
        if deadline > date(year + 2, 12, 31):
            raise InvalidValueError(f"{deadline} is too far after {year}", loc=("deadline",))

    @classmethod
    def set(cls, accreditor: str, year: int, deadline: date, by: Acting) -> ReportingDeadline:
        cls.validate(accreditor, year, deadline)
        return cls(
            accreditor=accreditor,
            year=year,
            deadline=deadline,
            actor=by.actor,
            channel=str(by.channel),
        )

    @event(Set)
    def __init__(self, accreditor: str, year: int, deadline: date, actor: str, channel: str) -> None:
        self.accreditor = accreditor
        self.year = year
        self.deadline = deadline

    def change(self, deadline: date, by: Acting) -> bool:
        self.validate(self.accreditor, self.year, deadline)
        if deadline == self.deadline:
            return False
        self._change(
            accreditor=self.accreditor, year=self.year, deadline=deadline, actor=by.actor, channel=str(by.channel)
        )
        return True

    @event(Changed)
    def _change(self, accreditor: str, year: int, deadline: date, actor: str, channel: str) -> None:
        self.deadline = deadline
