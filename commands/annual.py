"""Commands about a provider's annual report and the accreditors' deadlines."""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, StrictInt

from commands.base import Command


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


class ScheduleReminders(Command):
    """Switch an accreditor's scheduled year-end reminders on or off, `days_before` its deadline."""

    accreditor: str
    enabled: bool
    days_before: int = 14


class AskReminderCopies(Command):
    """A member of an accreditor's staff asks for (or stops) a copy of every reminder to its providers."""

    accreditor: str
    account_id: str
    wanted: bool = True


class SendScheduledReminders(Command):
    """Send every accreditor's scheduled reminders that are due today (what `pars reminders run` and the serving
    process's scheduler hand over)."""

    base_url: str


class RemindProviders(Command):
    """Mail providers' primary contacts what their year-end report still misses, and record each reminder on the
    provider's history. `providers` None: every provider overseen whose report is incomplete."""

    year: int
    providers: tuple[str, ...] | None = None
    force: bool = False  # remind even a provider reminded within the last 7 days
    accreditors: tuple[str, ...] | None = None  # whose providers the staff oversee (None: every one)
    base_url: str  # where the mailed link points (PARS_PUBLIC_URL)


YearStep = AcceptAgreement | SubmitProgramSummary | ReviewContacts | Attest | ReopenYear
AnnualCommand = (
    YearStep | SetReportingDeadline | RemindProviders | ScheduleReminders | SendScheduledReminders | AskReminderCopies
)
