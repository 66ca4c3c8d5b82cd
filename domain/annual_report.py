"""A provider's annual report for one reporting year: agreement, program summary, contact review, attestation."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from eventsourcing.domain import event

from domain.base import Acting, ParsAggregate, require_accme_id
from domain.errors import ConflictError, InvalidValueError

ANNUAL_REPORT_NAMESPACE = uuid.UUID("3c2a8d4e-71f0-4c55-b1e9-0a6f5d7e2c31")
FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_DOLLARS = 10**12  # a trillion dollars: anything larger is a typo

#: The checklist's steps, in the order the year-end instructions give them.
STEP_KEYS = ("agreement", "activities_closed", "enduring_counts", "program_summary", "contacts_reviewed", "attestation")
SUMMARY_FIELDS = ("advertising_exhibit_income", "registration_fees", "government_grants", "private_donations")
#: Each step in the words of the year-end instructions (pages, reminders).
STEP_NAMES = {
    "agreement": "Accept the annual agreement",
    "activities_closed": "Enter and close every activity that ended in the year",
    "enduring_counts": "Update enduring-material learner counts as of 31 December",
    "program_summary": "Submit the program summary",
    "contacts_reviewed": "Review contact information",
    "attestation": "Attest",
}
#: The program summary's fields in PARS's words.
SUMMARY_FIELD_NAMES = {
    "advertising_exhibit_income": "advertising and exhibit income",
    "registration_fees": "registration fees",
    "government_grants": "government monetary grants",
    "private_donations": "private monetary donations",
}


class AttestationIncompleteError(ConflictError):
    """Raised when attesting while other steps of the year-end checklist are not done."""

    def __init__(self, message: str, missing: dict[str, list[Any]]) -> None:
        super().__init__(message, loc=("checklist",))
        self.missing = missing


class ProgramSummaryLockedError(ConflictError):
    """Raised when changing an attested program summary that the accreditor has not reopened."""


class NotAttestedError(ConflictError):
    """Raised when reopening a year that is not attested."""


class RemindedRecentlyError(ConflictError):
    """Raised when reminding a provider reminded less than `REMINDER_INTERVAL` ago, without insisting."""

    def __init__(self, message: str, last: datetime) -> None:
        super().__init__(message, loc=("force",))
        self.last = last


#: A provider is not reminded of the same year again within this time unless staff insist (`force`).
REMINDER_INTERVAL = timedelta(days=7)


@dataclass(frozen=True)
class YearFacts:
    """What the provider's activities say about a year: those ended in it and not closed, and
    enduring materials active in it without a learner count as of 31 December."""

    open_activities: tuple[Mapping[str, Any], ...] = ()
    uncounted_enduring: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class StepState:
    """When a step was done and whether that was after the deadline."""

    on: date
    late: bool


@dataclass
class ReportState:
    """The annual report's facts, as the aggregate holds them and as the checklist view stores them."""

    agreement: StepState | None = None
    summary: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(SUMMARY_FIELDS))
    summary_step: StepState | None = None
    contacts: StepState | None = None
    attestation: StepState | None = None


def require_year(year: Any, loc: tuple[str, ...] = ("year",)) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidValueError(
            f"year must be a four-digit year from {FIRST_YEAR} to {LAST_YEAR} (got {year!r})", loc=loc
        )
    return year


def require_dollars(value: Any, name: str) -> int | None:
    """Whole, non-negative dollars, or None for a field left empty."""
    if value is None:
        return None
    loc = (name,)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(f"{name} must be a whole number of dollars (got {value!r})", loc=loc)
    if value < 0:
        raise InvalidValueError(f"{name} must not be negative (got {value})", loc=loc)
    if value > MAX_DOLLARS:
        raise InvalidValueError(f"{name} is implausibly large (got {value})", loc=loc)
    return value


def missing_items(state: ReportState, facts: YearFacts) -> dict[str, list[Any]]:
    """For each checklist step, what is still missing (an empty list: the step is done)."""
    return {
        "agreement": [] if state.agreement else ["agreement"],
        "activities_closed": [dict(a) for a in facts.open_activities],
        "enduring_counts": [dict(a) for a in facts.uncounted_enduring],
        "program_summary": [f for f in SUMMARY_FIELDS if state.summary.get(f) is None],
        "contacts_reviewed": [] if state.contacts else ["contacts_reviewed"],
        "attestation": [] if state.attestation else ["attestation"],
    }


def blocking_attestation(state: ReportState, facts: YearFacts) -> dict[str, list[Any]]:
    """The steps that must be done before attesting, with what each still misses."""
    return {k: v for k, v in missing_items(state, facts).items() if v and k != "attestation"}


class AnnualReport(ParsAggregate):
    """One provider's year-end report for one reporting year."""

    class Event(ParsAggregate.Event):
        year: int

    class Started(Event, ParsAggregate.Created):
        pass

    class AgreementAccepted(Event):
        on: date
        deadline: date
        late: bool

    class ProgramSummarySubmitted(Event):
        advertising_exhibit_income: int | None
        registration_fees: int | None
        government_grants: int | None
        private_donations: int | None
        on: date
        deadline: date
        late: bool

    class ContactsReviewed(Event):
        on: date
        deadline: date
        late: bool

    class Attested(Event):
        on: date
        deadline: date
        late: bool

    class Reopened(Event):
        reason: str

    class ReminderSent(Event):
        """Accreditor staff reminded the provider of what its year-end report still misses."""

        at: datetime
        to: str
        missing_steps: list[str]
        forced: bool

    @staticmethod
    def create_id(accme_id: str, year: int) -> uuid.UUID:
        return uuid.uuid5(ANNUAL_REPORT_NAMESPACE, f"annual-report:{accme_id}:{year}")

    @classmethod
    def start(cls, accme_id: str, year: int, by: Acting) -> AnnualReport:
        require_accme_id(accme_id)
        return cls(accme_id=accme_id, year=require_year(year), actor=by.actor, channel=str(by.channel))

    @event(Started)
    def __init__(self, accme_id: str, year: int, actor: str, channel: str) -> None:
        self.accme_id = accme_id
        self.year = year
        self.state = ReportState()
        self.reopenings: list[str] = []
        self.last_reminded: datetime | None = None

    # --- steps -------------------------------------------------------------------------------

    def accept_agreement(self, on: date, deadline: date, by: Acting) -> bool:
        """Accepts the annual agreement; accepting again changes nothing."""
        if self.state.agreement:
            return False
        self._accept_agreement(on=on, deadline=deadline, late=on > deadline, **self._meta(by))
        return True

    @event(AgreementAccepted)
    def _accept_agreement(
        self, on: date, deadline: date, late: bool, accme_id: str, year: int, actor: str, channel: str
    ) -> None:
        self.state.agreement = StepState(on, late)

    def submit_program_summary(self, values: Mapping[str, Any], on: date, deadline: date, by: Acting) -> bool:
        """Replaces the program summary (fields left out stay empty); refused once attested until reopened."""
        unknown = sorted(set(values) - set(SUMMARY_FIELDS))
        if unknown:
            raise InvalidValueError(f"unknown program summary field {unknown[0]!r}", loc=(unknown[0],))
        summary = {name: require_dollars(values.get(name), name) for name in SUMMARY_FIELDS}
        if summary == self.state.summary and self.state.summary_step is not None:
            return False
        if self.state.attestation:
            raise ProgramSummaryLockedError(
                f"the {self.year} report is attested; its program summary changes only after the accreditor reopens it",
                loc=("year",),
            )
        self._submit_program_summary(
            advertising_exhibit_income=summary["advertising_exhibit_income"],
            registration_fees=summary["registration_fees"],
            government_grants=summary["government_grants"],
            private_donations=summary["private_donations"],
            on=on,
            deadline=deadline,
            late=on > deadline,
            **self._meta(by),
        )
        return True

    @event(ProgramSummarySubmitted)
    def _submit_program_summary(
        self,
        advertising_exhibit_income: int | None,
        registration_fees: int | None,
        government_grants: int | None,
        private_donations: int | None,
        on: date,
        deadline: date,
        late: bool,
        accme_id: str,
        year: int,
        actor: str,
        channel: str,
    ) -> None:
        self.state.summary = {
            "advertising_exhibit_income": advertising_exhibit_income,
            "registration_fees": registration_fees,
            "government_grants": government_grants,
            "private_donations": private_donations,
        }
        self.state.summary_step = StepState(on, late)

    def review_contacts(self, on: date, deadline: date, by: Acting) -> bool:
        """Records that the provider reviewed its contacts for the year; reviewing again changes nothing."""
        if self.state.contacts:
            return False
        self._review_contacts(on=on, deadline=deadline, late=on > deadline, **self._meta(by))
        return True

    @event(ContactsReviewed)
    def _review_contacts(
        self, on: date, deadline: date, late: bool, accme_id: str, year: int, actor: str, channel: str
    ) -> None:
        self.state.contacts = StepState(on, late)

    def attest(self, facts: YearFacts, on: date, deadline: date, by: Acting) -> bool:
        """Attests the year's report; refused, naming everything missing, while another step is not done."""
        if self.state.attestation:
            return False
        missing = blocking_attestation(self.state, facts)
        if missing:
            raise AttestationIncompleteError(
                f"the {self.year} report cannot be attested yet: {', '.join(missing)} not done", missing
            )
        self._attest(on=on, deadline=deadline, late=on > deadline, **self._meta(by))
        return True

    @event(Attested)
    def _attest(self, on: date, deadline: date, late: bool, accme_id: str, year: int, actor: str, channel: str) -> None:
        self.state.attestation = StepState(on, late)

    def reopen(self, reason: str, by: Acting) -> None:
        """The accreditor reopens an attested year so that the provider may change it and attest again."""
        reason = (reason or "").strip()
        if not reason:
            raise InvalidValueError("a reason for reopening is required", loc=("reason",))
        if len(reason) > 2000:
            raise InvalidValueError("the reason is longer than 2,000 characters", loc=("reason",))
        if not self.state.attestation:
            raise NotAttestedError(f"the {self.year} report is not attested; there is nothing to reopen", loc=("year",))
        self._reopen(reason=reason, **self._meta(by))

    @event(Reopened)
    def _reopen(self, reason: str, accme_id: str, year: int, actor: str, channel: str) -> None:
        self.state.attestation = None
        self.reopenings.append(reason)

    def remind(self, at: datetime, to: str, missing_steps: Sequence[str], force: bool, by: Acting) -> None:
        """Records a reminder of what is missing, mailed to `to`; refused within `REMINDER_INTERVAL` of the last
        one unless `force`, and when nothing is missing."""
        if not missing_steps:
            raise ConflictError(f"the {self.year} report is complete; there is nothing to remind of", loc=("year",))
        last = self.last_reminded
        if last is not None and not force and at - last < REMINDER_INTERVAL:
            raise RemindedRecentlyError(
                f"reminded on {last.date().isoformat()}; a provider is not reminded again within "
                f"{REMINDER_INTERVAL.days} days unless you insist (force)",
                last,
            )
        self._remind(at=at, to=to, missing_steps=list(missing_steps), forced=force, **self._meta(by))

    @event(ReminderSent)
    def _remind(
        self,
        at: datetime,
        to: str,
        missing_steps: list[str],
        forced: bool,
        accme_id: str,
        year: int,
        actor: str,
        channel: str,
    ) -> None:
        self.last_reminded = at

    def _meta(self, by: Acting) -> dict[str, Any]:
        return {**super()._meta(by), "year": self.year}

    def missing(self, facts: YearFacts) -> dict[str, list[Any]]:
        return missing_items(self.state, facts)


def steps(state: ReportState, facts: YearFacts) -> list[dict[str, Any]]:
    """The checklist's steps: key, done, missing, and whether the step was done after the deadline."""
    missing = missing_items(state, facts)
    marks = step_marks(state, {key: len(items) for key, items in missing.items()})
    return [{"key": m["key"], "done": m["done"], "missing": missing[m["key"]], "late": m["late"]} for m in marks]


def missing_counts(state: ReportState, open_activities: int, uncounted_enduring: int) -> dict[str, int]:
    """How many items each step still misses, with the activity steps' numbers given (kept counts)
    instead of their lists: the same rules as `missing_items`."""
    counts = {key: len(items) for key, items in missing_items(state, YearFacts()).items()}
    counts["activities_closed"] = open_activities
    counts["enduring_counts"] = uncounted_enduring
    return counts


def step_marks(state: ReportState, missing: Mapping[str, int]) -> list[dict[str, Any]]:
    """Each step's key, whether it is done (nothing missing) and whether it was done after the deadline."""
    done_on = {
        "agreement": state.agreement,
        "program_summary": state.summary_step,
        "contacts_reviewed": state.contacts,
        "attestation": state.attestation,
    }
    result = []
    for key in STEP_KEYS:
        done_state = done_on.get(key)
        done = not missing[key]
        result.append({"key": key, "done": done, "late": bool(done_state and done_state.late and done)})
    return result


def summary_totals(summaries: Sequence[Mapping[str, int | None]]) -> dict[str, int]:
    return {f: sum(s.get(f) or 0 for s in summaries) for f in SUMMARY_FIELDS}
