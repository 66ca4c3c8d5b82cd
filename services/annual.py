"""AnnualReporting: the year-end report of each provider and the accreditors' deadlines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.annual import (
    AcceptAgreement,
    AnnualCommand,
    AskReminderCopies,
    Attest,
    RemindProviders,
    ReopenYear,
    ReviewContacts,
    ScheduleReminders,
    SendScheduledReminders,
    SetReportingDeadline,
    SubmitProgramSummary,
    YearStep,
)
from domain.annual_report import (
    STEP_NAMES,
    SUMMARY_FIELD_NAMES,
    AnnualReport,
    RemindedRecentlyError,
    YearFacts,
    require_year,
)
from domain.base import Acting
from domain.deadlines import ReportingDeadline, default_deadline
from domain.errors import InvalidValueError
from domain.provider import normalise_accreditor
from domain.reminder_schedule import ReminderSchedule
from projections.checklist import ActivityFactsForYear, ChecklistView
from projections.provider_profile import ProviderProfileView
from services.accounts import Mailer
from services.providers import ConcurrentChangeError, Outcome, ProviderRegistry
from services.queries.annual import AnnualQueries
from services.retries import attempts
from services.store import ParsStore


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


#: The handler of each step of a provider's annual report: `handle` loads (or starts) the report, applies this and saves.
ANNUAL_HANDLERS: dict[type[YearStep], Callable[[AnnualReport, Any, Circumstances, Acting], Any]] = {
    AcceptAgreement: _accept,
    SubmitProgramSummary: _summary,
    ReviewContacts: _review,
    Attest: _attest,
    ReopenYear: _reopen,
}


class AnnualReporting(AnnualQueries):
    """Decides each year-end step with the clock and read models it also answers the checklist from
    (its queries are AnnualQueries', services/queries/annual.py)."""

    def __init__(
        self,
        store: ParsStore,
        providers: ProviderRegistry,
        profiles: ProviderProfileView,
        view: ChecklistView,
        facts: ActivityFactsForYear,
        clock: Callable[[], datetime] | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        super().__init__(profiles, view, facts, clock)
        self.store = store
        self.providers = providers
        self.mailer = mailer
        #: A staff member's address by web account id (None: no such account any more); the composition root
        #: reads it from the accounts read model, so the reminder schedule holds account ids, never addresses.
        self.staff_email: Callable[[str], str | None] = lambda _account_id: None

    # --- commands --------------------------------------------------------------------------

    def handle(self, cmd: AnnualCommand, by: Acting) -> Outcome:
        """Sets a deadline; or loads (or starts) the provider's report for the year, applies the step, saves,
        and retries on races."""
        if isinstance(cmd, SetReportingDeadline):
            return self.set_deadline(cmd, by)
        if isinstance(cmd, RemindProviders):
            return self.remind(cmd, by)
        if isinstance(cmd, ScheduleReminders):
            return self.schedule_reminders(cmd, by)
        if isinstance(cmd, SendScheduledReminders):
            return self.send_scheduled(cmd, by)
        if isinstance(cmd, AskReminderCopies):
            return self.ask_copies(cmd, by)
        handler = ANNUAL_HANDLERS[type(cmd)]
        year = self._reportable_year(cmd.year)
        provider = self.providers.get(cmd.accme_id)
        for _ in attempts():
            today = self.today()
            facts = self.facts.year_facts(cmd.accme_id, year) if isinstance(cmd, Attest) else YearFacts()
            circumstances = Circumstances(today, self.deadline(provider.accreditor, year), facts)
            report = self.load(cmd.accme_id, year) or AnnualReport.start(cmd.accme_id, year, by)
            value = handler(report, cmd, circumstances, by)
            if not report.pending_events:
                return Outcome(value, None)
            try:
                recordings = self.store.save(report)
            except IntegrityError:
                continue  # another writer appended this version first: reload and decide again
            return Outcome(value, recordings[-1].notification.id)
        raise ConcurrentChangeError(
            f"the {year} report of provider {cmd.accme_id} is being changed by others; try again", loc=("year",)
        )

    def set_deadline(self, cmd: SetReportingDeadline, by: Acting) -> Outcome:
        accreditor = normalise_accreditor(cmd.accreditor)
        year = require_year(cmd.year)
        for _ in attempts():
            try:
                record: ReportingDeadline = self.store.repository.get(ReportingDeadline.create_id(accreditor, year))
                changed = record.change(cmd.deadline, by)
            except AggregateNotFoundError:
                record = ReportingDeadline.set(accreditor, year, cmd.deadline, by)
                changed = True
            if not changed:
                return Outcome(record.deadline, None)
            try:
                recordings = self.store.save(record)
            except IntegrityError:
                continue
            return Outcome(record.deadline, recordings[-1].notification.id)
        raise ConcurrentChangeError(f"the {year} deadline of {accreditor} is being changed by others; try again")

    def reminder_schedule(self, accreditor: str) -> ReminderSchedule | None:
        """The accreditor's scheduled reminders as last set (None: never set, so off)."""
        try:
            return self.store.repository.get(ReminderSchedule.create_id(normalise_accreditor(accreditor)))
        except AggregateNotFoundError:
            return None

    def schedule_reminders(self, cmd: ScheduleReminders, by: Acting) -> Outcome:
        """Switches the accreditor's scheduled reminders on or off, `days_before` its deadline."""
        accreditor = normalise_accreditor(cmd.accreditor)
        for _ in attempts():
            schedule = self.reminder_schedule(accreditor)
            if schedule is None:
                schedule = ReminderSchedule.start(accreditor, cmd.enabled, cmd.days_before, by)
            elif not schedule.change(cmd.enabled, cmd.days_before, by):
                return Outcome({"enabled": schedule.enabled, "days_before": schedule.days_before}, None)
            try:
                recordings = self.store.save(schedule)
            except IntegrityError:
                continue
            return Outcome(
                {"enabled": schedule.enabled, "days_before": schedule.days_before}, recordings[-1].notification.id
            )
        raise ConcurrentChangeError(f"the reminder schedule of {accreditor} is being changed by others; try again")

    def ask_copies(self, cmd: AskReminderCopies, by: Acting) -> Outcome:
        """Records that a staff member asked for (or stopped) copies of the accreditor's reminders."""
        accreditor = normalise_accreditor(cmd.accreditor)
        for _ in attempts():
            schedule = self.reminder_schedule(accreditor) or ReminderSchedule.start(accreditor, False, 14, by)
            if not schedule.ask_copies(cmd.account_id, cmd.wanted, by):
                return Outcome(cmd.wanted, None)
            try:
                return Outcome(cmd.wanted, self.store.save(schedule)[-1].notification.id)
            except IntegrityError:
                continue
        raise ConcurrentChangeError(f"the reminder schedule of {accreditor} is being changed by others; try again")

    def _copies_to(self, accreditor: str, cache: dict[str, list[str]]) -> list[str]:
        """The addresses of the accreditor's staff who asked for copies (read from their accounts when sent)."""
        if accreditor not in cache:
            schedule = self.reminder_schedule(accreditor)
            found = [self.staff_email(a) for a in (schedule.copies if schedule else ())]
            cache[accreditor] = [e for e in found if e]
        return cache[accreditor]

    def send_scheduled(self, cmd: SendScheduledReminders, by: Acting) -> Outcome:
        """For each accreditor whose scheduled reminders are switched on and due today (the reporting year whose
        deadline is within its days), reminds every provider of that accreditor still incomplete (the 7-day rule
        holds), then records that the year's scheduled reminders went out: a second run, or another process, sends
        nothing more. One entry per accreditor reminded, with the reminders' results."""
        today = self.today()
        accreditors = {"ACCME", "JA", *(p["accreditor"] for p in self.profiles.list_profiles())}
        done: list[dict[str, Any]] = []
        position: int | None = None
        for accreditor in sorted(accreditors):
            for year in (today.year - 1, today.year):
                schedule = self.reminder_schedule(accreditor)
                if schedule is None or not schedule.due(year, self.deadline(accreditor, year), today):
                    continue
                schedule.mark_sent(year, today, by)
                try:
                    position = self.store.save(schedule)[-1].notification.id
                except IntegrityError:
                    continue  # another process is sending them
                outcome = self.remind(
                    RemindProviders(
                        year=year, providers=None, force=False, accreditors=(accreditor,), base_url=cmd.base_url
                    ),
                    by,
                )
                position = outcome.position or position
                done.append({"accreditor": accreditor, "year": year, "results": outcome.value["results"]})
        return Outcome(done, position)

    def remind(self, cmd: RemindProviders, by: Acting) -> Outcome:
        """Mails each named provider (or every incomplete one overseen) what its year-end report still misses, to
        its primary contact, and records each reminder on the provider's history; answers one result per
        provider: sent, reminded_recently (within 7 days, without `force`), complete, not_found (not a provider
        the staff oversee: the same words as no provider), or mail_failed (recorded, but the mail was refused)."""
        year = self._reportable_year(cmd.year)
        rows = {r["accme_id"]: r for r in self.year_end(year, cmd.accreditors)}
        if cmd.providers is None:
            targets = [a for a, r in rows.items() if r["status"] != "complete"]
        else:
            targets = list(dict.fromkeys(cmd.providers))
        now = self.clock()
        results: list[dict[str, Any]] = []
        position: int | None = None
        copies: dict[str, list[str]] = {}
        for accme_id in targets:
            row = rows.get(accme_id)
            profile = self.profiles.get_profile(accme_id) if row is not None else None
            if row is None or profile is None:
                results.append(
                    {"accme_id": accme_id, "status": "not_found", "msg": "no provider you oversee has this ACCME ID"}
                )
                continue
            if row["status"] == "complete":
                results.append({"accme_id": accme_id, "status": "complete", "msg": f"the {year} report is complete"})
                continue
            doc = self.checklist(accme_id, year, row["accreditor"])
            missing = [s for s in doc["steps"] if not s["done"]]
            primary = profile["contacts"]["primary"]
            try:
                position = self._record_reminder(accme_id, year, now, primary["email"], missing, cmd.force, by)
            except RemindedRecentlyError as recent:
                results.append(
                    {
                        "accme_id": accme_id,
                        "status": "reminded_recently",
                        "msg": recent.message,
                        "last_reminded": recent.last.isoformat(),
                    }
                )
                continue
            result = {
                "accme_id": accme_id,
                "status": "sent",
                "to": primary["email"],
                "missing_steps": [s["key"] for s in missing],
            }
            subject, body = reminder_mail(profile, year, doc, self.today(), cmd.base_url, row["accreditor"])
            try:
                if self.mailer is None:
                    raise OSError("no mailer is configured")
                self.mailer.send(primary["email"], subject, body)
                cc = [e for e in self._copies_to(row["accreditor"], copies) if e != primary["email"]]
                for address in cc:
                    self.mailer.send(
                        address, f"Copy: {subject}", f"A copy of the reminder sent to {primary['email']}.\n\n{body}"
                    )
                if cc:
                    result["copies"] = cc
            except OSError as refused:
                result.update(
                    status="mail_failed",
                    msg=f"the reminder is recorded but the mail was not sent ({type(refused).__name__}); "
                    "send it again with force",
                )
            results.append(result)
        return Outcome({"year": year, "results": results}, position)

    def _record_reminder(
        self,
        accme_id: str,
        year: int,
        now: datetime,
        to: str,
        missing: list[dict[str, Any]],
        force: bool,
        by: Acting,
    ) -> int:
        for _ in attempts():
            report = self.load(accme_id, year) or AnnualReport.start(accme_id, year, by)
            report.remind(now, to, [s["key"] for s in missing], force, by)
            try:
                recordings = self.store.save(report)
            except IntegrityError:
                continue
            return recordings[-1].notification.id
        raise ConcurrentChangeError(f"the {year} report of provider {accme_id} is being changed by others; try again")

    def load(self, accme_id: str, year: int) -> AnnualReport | None:
        try:
            return self.store.repository.get(AnnualReport.create_id(accme_id, year))
        except AggregateNotFoundError:
            return None

    def deadline(self, accreditor: str, year: int) -> date:
        """The deadline as the event store has it (for deciding lateness when a step is done)."""
        try:
            record: ReportingDeadline = self.store.repository.get(ReportingDeadline.create_id(accreditor, year))
        except AggregateNotFoundError:
            return default_deadline(year)
        return record.deadline

    def _reportable_year(self, year: int) -> int:
        require_year(year)
        if year > self.today().year:
            raise InvalidValueError(f"the {year} reporting year has not begun", loc=("year",))
        return year


#: Activities listed one by one in a reminder; beyond this the mail says how many more there are.
LISTED = 100


def reminder_mail(
    profile: dict[str, Any], year: int, doc: dict[str, Any], today: date, base_url: str, accreditor: str
) -> tuple[str, str]:
    """The reminder's subject and text: each step still missing, with the activities and fields it lacks."""
    deadline = date.fromisoformat(doc["deadline"])
    days = (deadline - today).days
    when = (
        f"{days} days from today"
        if days > 1
        else "tomorrow"
        if days == 1
        else "today"
        if days == 0
        else f"{-days} days ago"
    )
    due = f"{deadline:%B} {deadline.day}, {deadline.year}"
    primary = profile["contacts"]["primary"]
    lines = [
        f"Dear {primary.get('name') or 'colleague'},",
        "",
        (
            f"{profile['name']} (ACCME ID {profile['accme_id']}) has not yet completed its {year} year-end "
            f"reporting in PARS. The deadline is {due}, 11:59 pm Central time ({when})."
        ),
        "",
        "What is still missing:",
    ]
    for step in doc["steps"]:
        if step["done"]:
            continue
        key, missing = step["key"], step["missing"]
        if key == "activities_closed":
            lines.append(f"- {STEP_NAMES[key]}: {_count(len(missing), 'activity', 'activities')} not closed:")
            lines += [f"    {a['activity_id']}  {a['title']} (ended {a['end_date']})" for a in missing[:LISTED]]
        elif key == "enduring_counts":
            lines.append(
                f"- {STEP_NAMES[key]}: {_count(len(missing), 'enduring material', 'enduring materials')} "
                f"without a learner count as of 31 December {year}:"
            )
            lines += [f"    {a['activity_id']}  {a['title']}" for a in missing[:LISTED]]
        elif key == "program_summary":
            fields = ", ".join(SUMMARY_FIELD_NAMES.get(f, f) for f in missing)
            lines.append(f"- {STEP_NAMES[key]}: {fields} not entered")
        else:
            lines.append(f"- {STEP_NAMES[key]}")
        if len(missing) > LISTED and key in ("activities_closed", "enduring_counts"):
            lines.append(f"    ... and {len(missing) - LISTED} more (see the link below)")
    lines += [
        "",
        f"Complete them at {base_url}/provider/{profile['accme_id']}/year/{year}",
        "",
        f"This reminder was sent by {accreditor} accreditor staff through PARS.",
    ]
    return f"PARS: your {year} year-end reporting is due {due}", "\n".join(lines) + "\n"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
