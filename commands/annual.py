"""Commands about a provider's annual report and the accreditors' deadlines, with their handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ConfigDict, StrictInt

from commands.base import Command
from domain.annual_report import AnnualReport, YearFacts
from domain.base import Acting


class YearCommand(Command):
    accme_id: str
    year: int


class AcceptAgreement(YearCommand):
    pass


class SubmitProgramSummary(YearCommand):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    advertising_exhibit_income: StrictInt | None = None
    registration_fees: StrictInt | None = None
    government_grants: StrictInt | None = None
    private_donations: StrictInt | None = None


class ReviewContacts(YearCommand):
    pass


class Attest(YearCommand):
    pass


class ReopenYear(YearCommand):
    reason: str


class SetReportingDeadline(Command):
    accreditor: str
    year: int
    deadline: date


@dataclass(frozen=True)
class Circumstances:
    """What the service knows when a command arrives: today (Central time), the deadline, the activities' facts."""

    on: date
    deadline: date
    facts: YearFacts


def _accept(r: AnnualReport, cmd: AcceptAgreement, c: Circumstances, by: Acting) -> Any:
    return r.accept_agreement(c.on, c.deadline, by)


def _summary(r: AnnualReport, cmd: SubmitProgramSummary, c: Circumstances, by: Acting) -> Any:
    values = cmd.model_dump(exclude={"accme_id", "year"})
    return r.submit_program_summary(values, c.on, c.deadline, by)


def _review(r: AnnualReport, cmd: ReviewContacts, c: Circumstances, by: Acting) -> Any:
    return r.review_contacts(c.on, c.deadline, by)


def _attest(r: AnnualReport, cmd: Attest, c: Circumstances, by: Acting) -> Any:
    return r.attest(c.facts, c.on, c.deadline, by)


def _reopen(r: AnnualReport, cmd: ReopenYear, c: Circumstances, by: Acting) -> Any:
    return r.reopen(cmd.reason, by)


#: How each command changes a provider's annual report; the service loads (or starts), applies and saves.
ANNUAL_HANDLERS: dict[type[Command], Callable[[AnnualReport, Any, Circumstances, Acting], Any]] = {
    AcceptAgreement: _accept,
    SubmitProgramSummary: _summary,
    ReviewContacts: _review,
    Attest: _attest,
    ReopenYear: _reopen,
}
