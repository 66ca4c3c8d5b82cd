"""The year-end checklist: each provider's annual report per year, kept current event by event.

The checklist is answered from stored rows (the report's state, the accreditor's deadline and the
activities' facts); nothing replays history to answer it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.activity import ENDURING, Activity, active_gaps
from domain.annual_report import (
    SUMMARY_FIELDS,
    AnnualReport,
    ReportState,
    StepState,
    YearFacts,
    missing_counts,
    step_marks,
    steps,
)
from domain.deadlines import ReportingDeadline, default_deadline
from projections.base import ParsProjection, ProjectionView


@dataclass(frozen=True)
class YearCounts:
    """How many activities the checklist's two activity steps still miss for a provider and year: those that
    ended in the year and are not closed, and enduring materials active in it without a learner count."""

    open_activities: int = 0
    uncounted_enduring: int = 0


class ActivityFactsForYear(ABC):
    """What the checklist needs to know about a provider's activities in a reporting year."""

    @abstractmethod
    def unclosed_ended_in(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        """Activities of the provider that ended in the year and are not closed: {activity_id, title, end_date}."""

    @abstractmethod
    def enduring_without_count(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        """Enduring materials of the provider active in the year with no learner count as of 31 December:
        {activity_id, title}."""

    def commercial_support(self, accme_id: str, year: int) -> dict[str, Any]:
        """Commercial support of the provider's activities that ended in the year: monetary totals per source
        and in all, and how many in-kind supports."""
        return commercial_support_totals([])

    def activity_totals(self, year: int, accme_ids: Sequence[str] | None) -> dict[str, Any]:
        """Across the providers named (None: all), the activities that ended in the year: count and credits by
        format, physician and other learners, commercial support."""
        return {
            "activities": 0,
            "by_format": {},
            "physician_learners": 0,
            "other_learners": 0,
            "commercial_support": commercial_support_totals([]),
        }

    def activity_statuses_for(self, accme_ids: Sequence[str], year: int, today: date) -> dict[str, dict[str, int]]:
        """Per provider, how many of its activities that ended in the year are open (draft or active), ready to
        close, and closed, as of `today`; from counts kept as activities change (override; none by default)."""
        return {a: empty_statuses() for a in accme_ids}

    def year_facts(self, accme_id: str, year: int) -> YearFacts:
        return YearFacts(
            tuple(self.unclosed_ended_in(accme_id, year)), tuple(self.enduring_without_count(accme_id, year))
        )

    def year_facts_for(self, accme_ids: Sequence[str], year: int) -> dict[str, YearFacts]:
        """The facts of many providers at once; override to batch."""
        return {a: self.year_facts(a, year) for a in accme_ids}

    def year_counts(self, accme_id: str, year: int) -> YearCounts:
        """How many of each the year's facts hold; a view that keeps the counts answers without listing them."""
        return self.year_counts_for([accme_id], year)[accme_id]

    def year_counts_for(self, accme_ids: Sequence[str], year: int) -> dict[str, YearCounts]:
        """The counts of many providers at once (the dashboard, the accreditor's year-end table)."""
        facts = self.year_facts_for(accme_ids, year)
        return {a: YearCounts(len(f.open_activities), len(f.uncounted_enduring)) for a, f in facts.items()}


@dataclass(frozen=True)
class YearEndFigures:
    """What one row of the accreditor's year-end table is made of: the provider, its stored report (None: never
    started), the checklist's kept counts and its activities by status as of the day asked."""

    accme_id: str
    name: str
    accreditor: str
    doc: dict[str, Any] | None
    counts: YearCounts
    statuses: dict[str, int]


def empty_statuses() -> dict[str, int]:
    return {"open": 0, "ready_to_close": 0, "closed": 0}


def activity_state(fact: Mapping[str, Any] | None) -> tuple[str, int, str, str] | None:
    """(provider, year ended, state, end date) an activity's fact counts under in the year-end table: state is
    closed, open (it has what an active activity needs; the end date says whether it is still active or ready
    to close) or draft; None for a deleted activity or one without an end date."""
    if fact is None or fact.get("deleted") or not fact.get("end_date"):
        return None
    end = fact["end_date"]
    end = end if isinstance(end, str) else end.isoformat()
    state = "closed" if fact["closed"] else "open" if fact.get("complete") else "draft"
    return fact["accme_id"], int(end[:4]), state, end if state == "open" else ""


def statuses(rows: Sequence[tuple[str, str, int]], today: date) -> dict[str, int]:
    """A provider's year counts as PARS shows them on `today`, from its (state, end date, count) rows: open (draft,
    or active: the end date not yet past), ready to close (active fields and the end date past), closed."""
    out = empty_statuses()
    iso = today.isoformat()
    for state, end, n in rows:
        if state == "closed":
            out["closed"] += n
        elif state == "open" and end < iso:
            out["ready_to_close"] += n
        else:
            out["open"] += n
    return out


def commercial_support_totals(supports_per_activity: Sequence[Sequence[dict[str, Any]]]) -> dict[str, Any]:
    """The one summary of commercial support every view shows (dashboard, program summary, data report), from
    each activity's supports `{source, monetary, amount}`: monetary totals (in all and by source), how many
    activities list any support, how many in-kind supports are listed (one per activity and source) and the
    distinct in-kind sources."""
    by_source: dict[str, int] = {}
    in_kind = 0
    in_kind_sources: set[str] = set()
    supported = 0
    for supports in supports_per_activity:
        supported += bool(supports)
        for s in supports or []:
            if s.get("monetary"):
                by_source[s["source"]] = by_source.get(s["source"], 0) + int(s.get("amount") or 0)
            else:
                in_kind += 1
                in_kind_sources.add(s["source"])
    return {
        "activities_supported": supported,
        "monetary_total": sum(by_source.values()),
        "monetary_by_source": dict(sorted(by_source.items())),
        "in_kind_count": in_kind,
        "in_kind_sources": sorted(in_kind_sources),
    }


def activity_supports(data: dict[str, Any]) -> list[dict[str, Any]]:
    """An activity's commercial supports as `commercial_support_totals` reads them."""
    return [
        {"source": m.get("source", ""), "monetary": True, "amount": m.get("amount")}
        for m in data.get("monetary_support") or []
    ] + [{"source": k.get("source", ""), "monetary": False, "amount": None} for k in data.get("in_kind_support") or []]


class NoActivities(ActivityFactsForYear):
    """Facts for a system without activity events: nothing is open, nothing lacks a count."""

    def unclosed_ended_in(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        return []

    def enduring_without_count(self, accme_id: str, year: int) -> list[dict[str, Any]]:
        return []


class ChecklistView(ProjectionView, ActivityFactsForYear):
    """The annual reports, the deadlines, and the activity facts the checklist needs, under one position."""

    @abstractmethod
    def get_report(self, accme_id: str, year: int) -> dict[str, Any] | None:
        """The stored state of one provider's annual report for one year, or None if never started."""

    @abstractmethod
    def put_report(self, accme_id: str, year: int, doc: dict[str, Any], tracking: Tracking) -> None:
        """Stores a report's state and the position it reflects."""

    @abstractmethod
    def reports_for_year(self, year: int, accme_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored reports of the named providers for the year, by ACCME ID."""

    @abstractmethod
    def providers(self, accreditors: Sequence[str] | None) -> list[dict[str, str]]:
        """accme_id, name and accreditor of the providers the accreditors oversee (None: all), by ACCME ID;
        read from the provider profiles, the year-end table's rows."""

    def year_end_figures(self, year: int, accreditors: Sequence[str] | None, today: date) -> list[YearEndFigures]:
        """Every overseen provider's figures for the year-end table, by ACCME ID, from the reads above (a SQL view
        answers them in one query: the reference it must equal)."""
        profiles = self.providers(accreditors)
        ids = [p["accme_id"] for p in profiles]
        reports = self.reports_for_year(year, ids)
        counts = self.year_counts_for(ids, year)
        statuses_of = self.activity_statuses_for(ids, year, today)
        return [
            YearEndFigures(
                p["accme_id"],
                p["name"],
                p["accreditor"],
                reports.get(p["accme_id"]),
                counts.get(p["accme_id"], YearCounts()),
                statuses_of.get(p["accme_id"]) or empty_statuses(),
            )
            for p in profiles
        ]

    @abstractmethod
    def put_deadline(self, accreditor: str, year: int, deadline: date, tracking: Tracking) -> None:
        """Stores the deadline an accreditor set for a year."""

    @abstractmethod
    def deadlines_for_year(self, year: int) -> dict[str, date]:
        """The deadlines accreditors set for the year, by accreditor."""

    @abstractmethod
    def get_activity_fact(self, stream_id: str) -> dict[str, Any] | None:
        """What the checklist knows of one activity (by its stream id): activity_id (the ACCME activity ID),
        accme_id, title, enduring, start_date, end_date, closed, deleted, counted_years, commercial_support; or None."""

    @abstractmethod
    def put_activity_fact(self, fact: dict[str, Any], tracking: Tracking) -> None:
        """Stores what the checklist knows of one activity and the position it reflects."""


def state_to_doc(state: ReportState) -> dict[str, Any]:
    def step(s: StepState | None) -> dict[str, Any] | None:
        return None if s is None else {"on": s.on.isoformat(), "late": s.late}

    return {
        "agreement": step(state.agreement),
        "summary": dict(state.summary),
        "summary_step": step(state.summary_step),
        "contacts": step(state.contacts),
        "attestation": step(state.attestation),
    }


def state_from_doc(doc: dict[str, Any]) -> ReportState:
    def step(s: dict[str, Any] | None) -> StepState | None:
        return None if s is None else StepState(date.fromisoformat(s["on"]), bool(s["late"]))

    return ReportState(
        agreement=step(doc["agreement"]),
        summary=dict(doc["summary"]),
        summary_step=step(doc["summary_step"]),
        contacts=step(doc["contacts"]),
        attestation=step(doc["attestation"]),
    )


def checklist(state: ReportState, facts: YearFacts, deadline: date) -> dict[str, Any]:
    """The checklist document, as GET .../years/{year}/checklist answers."""
    items = steps(state, facts)
    return {
        "complete": all(s["done"] for s in items),
        "deadline": deadline.isoformat(),
        "steps": items,
    }


def checklist_marks(state: ReportState, counts: YearCounts, deadline: date) -> dict[str, Any]:
    """The checklist without the missing items' lists (complete, deadline, each step's key, done and late),
    from the kept counts: what the dashboard and the year-end table show, at a cost that does not grow
    with the provider's activities."""
    marks = step_marks(state, missing_counts(state, counts.open_activities, counts.uncounted_enduring))
    return {"complete": all(m["done"] for m in marks), "deadline": deadline.isoformat(), "steps": marks}


def doc_marks(doc: Mapping[str, Any] | None, counts: YearCounts) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
    """Each step's (in `STEP_KEYS` order) done and late marks read straight off a stored report's document: what
    `checklist_marks` says of `state_from_doc(doc)`, without building the state and the marks' dicts (the
    year-end table reads 1,600 of them per request; tests/annual/test_year_end_figures.py holds them equal)."""
    if doc is None:
        return (False, counts.open_activities == 0, counts.uncounted_enduring == 0, False, False, False), (False,) * 6
    summary = doc["summary"]
    agreement, summary_step, contacts, attestation = (
        doc["agreement"],
        doc["summary_step"],
        doc["contacts"],
        doc["attestation"],
    )
    done = (
        agreement is not None,
        counts.open_activities == 0,
        counts.uncounted_enduring == 0,
        all(summary.get(f) is not None for f in SUMMARY_FIELDS),
        contacts is not None,
        attestation is not None,
    )
    late = (  # a step is late when done after the deadline; the activity steps have no date of their own
        agreement is not None and bool(agreement["late"]),
        False,
        False,
        done[3] and summary_step is not None and bool(summary_step["late"]),
        contacts is not None and bool(contacts["late"]),
        attestation is not None and bool(attestation["late"]),
    )
    return done, late


#: A fact's part in the kept counts, per (provider, year): [open_activities, enduring_spans, enduring_counted].
FactCounts = dict[tuple[str, int], list[int]]


def fact_counts(fact: Mapping[str, Any] | None) -> FactCounts:
    """What one activity fact adds to the checklist's kept counts (`checklist_counts`), per provider and year:

    * `open_activities`: 1 in the year it ended, if it is not closed;
    * `enduring_spans`: an enduring material needs a learner count every year from its start to its end
      (or on, while it has no end date), but not the year a closed one ended in, where its final count
      stands: +1 in its first such year and -1 in the year after its last, so the sum over the years up
      to Y says how many span Y;
    * `enduring_counted`: 1 in each year of that span with a count as of 31 December.

    So a year's uncounted enduring materials are the `enduring_spans` summed up to it less its
    `enduring_counted`, exactly as `year_facts` lists them (start and end dates compared as the SQL does:
    no start date, or closed without an end date, never needs a count)."""
    parts: FactCounts = {}
    if fact is None or fact["deleted"]:
        return parts
    accme_id = fact["accme_id"]
    start, end, closed = fact["start_date"], fact["end_date"], fact["closed"]

    def add(year: int, index: int, n: int) -> None:
        parts.setdefault((accme_id, year), [0, 0, 0])[index] += n

    if end is not None:
        add(end.year, 0, 0 if closed else 1)
    if fact["enduring"] and start is not None and not (closed and end is None):
        first = start.year
        last = None if end is None else end.year - 1 if closed else end.year
        if last is None or first <= last:
            add(first, 1, 1)
            if last is not None:
                add(last + 1, 1, -1)
            for year in set(fact["counted_years"]):
                if first <= year and (last is None or year <= last):
                    add(year, 2, 1)
    return parts


def activity_fact(
    stream_id: str, number: str, accme_id: str, data: dict[str, Any], *, closed: bool = False
) -> dict[str, Any]:
    """What the checklist keeps of an activity's reported data."""

    def day(value: Any) -> date | None:
        return date.fromisoformat(value) if value else None

    learners = data.get("learners") or {}
    support = activity_supports(data)
    return {
        "stream_id": stream_id,
        "activity_id": number,
        "accme_id": accme_id,
        "title": data.get("title") or "",
        "enduring": data.get("format") == ENDURING,
        "format": data.get("format"),
        "credits": data.get("credits"),
        "physician_learners": learners.get("physician"),
        "other_learners": sum(v for k, v in learners.items() if k != "physician" and isinstance(v, int))
        if learners
        else None,
        "start_date": day(data.get("start_date")),
        "end_date": day(data.get("end_date")),
        "closed": closed,
        "complete": not active_gaps(data),
        "deleted": False,
        "counted_years": sorted(int(y) for y in (data.get("learners_by_year") or {})),
        "commercial_support": support,
    }


def deadline_for(accreditor: str, year: int, deadlines: dict[str, date]) -> date:
    """The accreditor's own deadline if it set one, else 31 March of the following year."""
    return deadlines.get(accreditor) or default_deadline(year)


class ChecklistProjection(ParsProjection[ChecklistView]):
    name = "checklist"
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: AnnualReport.Started, tracking: Tracking) -> None:
        self.view.put_report(e.accme_id, e.year, state_to_doc(ReportState()), tracking)

    @process_event.register
    def _(self, e: AnnualReport.AgreementAccepted, tracking: Tracking) -> None:
        state = self._load(e)
        state.agreement = StepState(e.on, e.late)
        self._store(e, state, tracking)

    @process_event.register
    def _(self, e: AnnualReport.ProgramSummarySubmitted, tracking: Tracking) -> None:
        state = self._load(e)
        state.summary = {
            "advertising_exhibit_income": e.advertising_exhibit_income,
            "registration_fees": e.registration_fees,
            "government_grants": e.government_grants,
            "private_donations": e.private_donations,
        }
        state.summary_step = StepState(e.on, e.late)
        self._store(e, state, tracking)

    @process_event.register
    def _(self, e: AnnualReport.ContactsReviewed, tracking: Tracking) -> None:
        state = self._load(e)
        state.contacts = StepState(e.on, e.late)
        self._store(e, state, tracking)

    @process_event.register
    def _(self, e: AnnualReport.Attested, tracking: Tracking) -> None:
        state = self._load(e)
        state.attestation = StepState(e.on, e.late)
        self._store(e, state, tracking)

    @process_event.register
    def _(self, e: AnnualReport.Reopened, tracking: Tracking) -> None:
        state = self._load(e)
        state.attestation = None
        self._store(e, state, tracking)

    @process_event.register
    def _(self, e: ReportingDeadline.Set, tracking: Tracking) -> None:
        self.view.put_deadline(e.accreditor, e.year, e.deadline, tracking)

    @process_event.register
    def _(self, e: ReportingDeadline.Changed, tracking: Tracking) -> None:
        self.view.put_deadline(e.accreditor, e.year, e.deadline, tracking)

    # --- activities: what the checklist needs of each, kept as each event lands ----------------

    @process_event.register
    def _(self, e: Activity.Registered, tracking: Tracking) -> None:
        self.view.put_activity_fact(activity_fact(str(e.originator_id), e.number, e.accme_id, e.data), tracking)

    @process_event.register
    def _(self, e: Activity.Revised, tracking: Tracking) -> None:
        before = self._activity(e)
        fact = activity_fact(before["stream_id"], before["activity_id"], e.accme_id, e.data, closed=before["closed"])
        self.view.put_activity_fact(fact, tracking)  # a revision also undoes a deletion

    @process_event.register
    def _(self, e: Activity.Corrected, tracking: Tracking) -> None:
        before = self._activity(e)
        fact = activity_fact(before["stream_id"], before["activity_id"], e.accme_id, e.data, closed=before["closed"])
        self.view.put_activity_fact({**fact, "deleted": before["deleted"]}, tracking)

    @process_event.register
    def _(self, e: Activity.Closed, tracking: Tracking) -> None:
        self.view.put_activity_fact({**self._activity(e), "closed": True}, tracking)

    @process_event.register
    def _(self, e: Activity.Deleted, tracking: Tracking) -> None:
        self.view.put_activity_fact({**self._activity(e), "deleted": True}, tracking)

    def _activity(self, e: Any) -> dict[str, Any]:
        fact = self.view.get_activity_fact(str(e.originator_id))
        if fact is None:
            raise LookupError(f"activity {e.originator_id} missing while projecting")
        return fact

    def _load(self, e: AnnualReport.Event) -> ReportState:
        doc = self.view.get_report(e.accme_id, e.year)
        if doc is None:  # a step without its Started event means a corrupt log
            raise LookupError(f"annual report {e.accme_id}/{e.year} missing while projecting")
        return state_from_doc(doc)

    def _store(self, e: AnnualReport.Event, state: ReportState, tracking: Tracking) -> None:
        self.view.put_report(e.accme_id, e.year, state_to_doc(state), tracking)
