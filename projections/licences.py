"""Licence compliance: for each tracked licence, each cycle's credit and whether it meets the state's rules.

The read model a state board's compliance view reads (never a replay). It keeps what the computation needs:
each state's rules in force (`LicenceRules.Adopted/Changed`), the licences physicians track (state, licence
type, issue date, birth month and year: no licence number; `Learner.LicenceTracked/Untracked`, and all of a
learner's rows go with `Learner.Erased`), each activity's state content tags (`Activity.Registered/Revised/
Corrected`), and each completion's row (as the transcript holds it: learner_id, activity, date, CME and MOC
credit; `Completion.Recorded/Deleted/Resubmitted`). An event only marks the learners (or, for a rule change,
the states) it touches; at the end of the page's transaction each marked learner's licences are computed
again from their rows (`refresh`): the licence's status rows cover every day, each a run of whole cycles that
answer alike (a cycle holding credit; a cycle without credit of its own whose one-time, multi-cycle or
multi-year topic counts earlier credit; before the first credit and after the last, where nothing changes any
more, one row each reaching to the first and last day a date can name). So the board reads one row per licensee
for any day, and counts come from kept per-day steps (how many rows, and meeting rows, begin and end each day).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.activity import Activity
from domain.completion import Completion
from domain.errors import InvalidValueError
from domain.learner import Learner
from domain.licence_cycles import (
    CATEGORY_1,
    Cycle,
    CycleShape,
    Line,
    Tally,
    cycle_after,
    cycle_before,
    cycle_containing,
    progress,
    shape_for,
    tags_of,
    topic_window,
)
from domain.licence_rules import LicenceRules, rule_for
from projections.base import ParsProjection, ProjectionView
from projections.transcripts import entry, transcript_lines

#: The first and last days a status row can reach: a licence's rows cover every day.
FIRST_DAY = date.min
LAST_DAY = date.max


class Touched:
    """What a page's events changed: learners to compute again, states whose rules changed."""

    def __init__(self) -> None:
        self.learners: set[str] = set()
        self.states: set[str] = set()


class LicencesView(ProjectionView):
    #: Set by the projection: computes the touched learners' status rows again at the end of the page.
    settle: Any = None

    @abstractmethod
    def touched(self) -> Touched:
        """What the open page has touched so far (kept with the page's transaction)."""

    @abstractmethod
    def put_rules(self, state: str, rules: list[dict[str, Any]], tracking: Tracking) -> None: ...

    @abstractmethod
    def rules(self, states: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """The rules in force of these states (those that have any)."""

    @abstractmethod
    def all_rules(self) -> dict[str, list[dict[str, Any]]]: ...

    @abstractmethod
    def put_licence(self, learner_id: str, state: str, licence: dict[str, Any] | None, tracking: Tracking) -> None:
        """Stores (None: removes) a tracked licence, without its number."""

    @abstractmethod
    def drop_learner(self, learner_id: str, tracking: Tracking) -> None:
        """Removes every row of an erased learner (licences, completions, status)."""

    @abstractmethod
    def put_alerts(self, learner_id: str, on: bool, tracking: Tracking) -> None:
        """Notes whether the learner chose gap alerts."""

    @abstractmethod
    def alerting(self) -> list[str]:
        """The learners who chose gap alerts."""

    @abstractmethod
    def licences(self, learner_id: str) -> dict[str, dict[str, Any]]:
        """The learner's tracked licences by state."""

    @abstractmethod
    def licences_of(self, learner_ids: Iterable[str]) -> dict[str, dict[str, dict[str, Any]]]:
        """{learner_id: {state: licence}} of those of these learners who track a licence, in one read."""

    @abstractmethod
    def holders(self, state: str) -> list[str]:
        """The learner_ids tracking a licence in the state."""

    @abstractmethod
    def put_activity(self, stream_id: str, number: str | None, tags: list[str], tracking: Tracking) -> None: ...

    @abstractmethod
    def tags(self, activity_ids: Iterable[str]) -> dict[str, list[str]]:
        """Each ACCME activity ID's folded state content tags."""

    @abstractmethod
    def learners_of(self, stream_id: str) -> list[str]:
        """The learners with a completion of the activity (by its stream id)."""

    @abstractmethod
    def put_completion(self, key: str, row: dict[str, Any], tracking: Tracking) -> None: ...

    @abstractmethod
    def get_completion(self, key: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def completions(self, learner_id: str) -> list[dict[str, Any]]:
        """The learner's standing completion rows (transcript shape)."""

    @abstractmethod
    def put_status(self, learner_id: str, state: str, statuses: list[dict[str, Any]]) -> None:
        """Replaces the learner's status rows in the state ({cycle_start, cycle_end, met, doc}) and moves the
        state's kept counts by the difference."""

    @abstractmethod
    def compliance(
        self, state: str, on: date, after: str | None, limit: int, met: bool | None = None
    ) -> list[dict[str, Any]]:
        """Licensees of the state in learner_id order after `after` (only those whose row on `on` meets the
        rules, or does not, when `met` is given): {learner_id, licence, status: {met, doc} or None}."""

    @abstractmethod
    def compliance_counts(self, state: str, on: date) -> tuple[int, int]:
        """(licensees, of them those that meet their rules on `on`), from the kept counts."""


def no_rules(state: str, licence_type: str) -> str:
    return f"PARS holds no CME rules for {licence_type} licences in {state} yet"


def lines_with_tags(rows: list[dict[str, Any]], tags: dict[str, list[str]]) -> list[Line]:
    """Transcript lines as requirements count them: the CME credit each counts for state boards (MOC as CME
    when no CME was reported), its AMA PRA Category 1 part, and its activity's state content tags."""
    return [
        Line(
            date.fromisoformat(line["completion_date"]),
            float(line["cme_credits"]),
            sum(float(c["credits"]) for c in line["cme"] if c["type"] == CATEGORY_1),
            frozenset(tags.get(line["activity_id"], ())),
        )
        for line in transcript_lines(rows)
    ]


def licence_progress(
    rules: list[dict[str, Any]], licence: dict[str, Any], lines: list[Line], on: date, today: date
) -> dict[str, Any] | None:
    """Progress of one licence in the cycle holding `on`, from the transcript's lines; None without a rule."""
    rule = rule_for(rules, licence["licence_type"])
    if rule is None:
        return None
    shape = shape_for(rule["cycle"], licence)
    cycle = cycle_containing(shape, on)
    first = date.fromisoformat(licence["issued_on"]) if licence.get("issued_on") else None
    tally = Tally(rule, shape, cycle, first)
    for line in lines:
        tally.add(line)
    return progress(tally, today)


class LicencesProjection(ParsProjection[LicencesView]):
    name = "licences"
    rebuild_weight = 5
    skips_unhandled = True

    def __init__(self, view: LicencesView, *args: Any, **kwargs: Any) -> None:
        super().__init__(view, *args, **kwargs)
        view.settle = self.refresh

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: LicenceRules.Adopted, tracking: Tracking) -> None:
        self._rules(e.state, e.rules, tracking)

    @process_event.register
    def _(self, e: LicenceRules.Changed, tracking: Tracking) -> None:
        self._rules(e.state, e.rules, tracking)

    def _rules(self, state: str, rules: list[dict[str, Any]], tracking: Tracking) -> None:
        self.view.put_rules(state, rules, tracking)
        self.view.touched().states.add(state)

    @process_event.register
    def _(self, e: Learner.LicenceTracked, tracking: Tracking) -> None:
        licence = {
            "licence_type": e.licence_type,
            "issued_on": e.issued_on,
            "birth_month": e.birth_month,
            "birth_year": e.birth_year,
        }
        self.view.put_licence(str(e.originator_id), e.state, licence, tracking)
        self.view.touched().learners.add(str(e.originator_id))

    @process_event.register
    def _(self, e: Learner.LicenceUntracked, tracking: Tracking) -> None:
        self.view.put_licence(str(e.originator_id), e.state, None, tracking)
        self.view.put_status(str(e.originator_id), e.state, [])

    @process_event.register
    def _(self, e: Learner.GapAlertsChosen, tracking: Tracking) -> None:
        self.view.put_alerts(str(e.originator_id), e.on, tracking)

    @process_event.register
    def _(self, e: Learner.Erased, tracking: Tracking) -> None:
        self.view.drop_learner(str(e.originator_id), tracking)
        self.view.touched().learners.discard(str(e.originator_id))

    @process_event.register
    def _(self, e: Activity.Registered, tracking: Tracking) -> None:
        self.view.put_activity(
            str(e.originator_id), e.number, tags_of(e.data.get("state_content_tags") or []), tracking
        )

    @process_event.register
    def _(self, e: Activity.Revised, tracking: Tracking) -> None:
        self._retag(str(e.originator_id), e.data, tracking)

    @process_event.register
    def _(self, e: Activity.Corrected, tracking: Tracking) -> None:
        self._retag(str(e.originator_id), e.data, tracking)

    def _retag(self, stream_id: str, data: dict[str, Any], tracking: Tracking) -> None:
        self.view.put_activity(stream_id, None, tags_of(data.get("state_content_tags") or []), tracking)
        self.view.touched().learners.update(self.view.learners_of(stream_id))

    @process_event.register
    def _(self, e: Completion.Recorded, tracking: Tracking) -> None:
        row = entry(e, e.accme_id, e.learner_id, e.activity_id, e.credit_id)
        self.view.put_completion(str(e.originator_id), row, tracking)
        self.view.touched().learners.add(e.learner_id)

    @process_event.register
    def _(self, e: Completion.Deleted, tracking: Tracking) -> None:
        self._standing(str(e.originator_id), None, tracking)

    @process_event.register
    def _(self, e: Completion.Resubmitted, tracking: Tracking) -> None:
        self._standing(str(e.originator_id), e, tracking)

    def _standing(self, key: str, resubmitted: Any, tracking: Tracking) -> None:
        row = self.view.get_completion(key)
        if row is None:
            self.view.insert_tracking(tracking)
            return
        if resubmitted is None:
            row = {**row, "deleted": True}
        else:
            row = entry(resubmitted, row["accme_id"], row["learner_id"], row["activity_id"], row["credit_id"])
        self.view.put_completion(key, row, tracking)
        self.view.touched().learners.add(row["learner_id"])

    def refresh(self, touched: Touched) -> None:
        """Computes again the status rows of every touched learner, and of every holder of a touched state."""
        learners = set(touched.learners)
        for state in touched.states:
            learners.update(self.view.holders(state))
        holding = self.view.licences_of(learners)  # most learners track no licence: one read, not one each
        for learner_id in sorted(holding):
            licences = holding[learner_id]
            rows = self.view.completions(learner_id)
            lines = lines_with_tags(rows, self.view.tags({r["activity_id"] for r in rows}))
            rules = self.view.rules(licences)
            for state, licence in licences.items():
                self.view.put_status(learner_id, state, statuses(state, rules.get(state, []), licence, lines))


def statuses(
    state: str, rules: list[dict[str, Any]], licence: dict[str, Any], lines: list[Line]
) -> list[dict[str, Any]]:
    """The licence's answer on every day, as rows {cycle_start, cycle_end, met, doc} that cover all days without
    overlap: runs of consecutive cycles answering alike (doc: met, each requirement, whether the cycle holds
    credit of its own; a cycle's dates and days left are the reader's). A licence without a rule, or lacking what
    its rule anchors on, is one row of its problem, never met."""
    rule = rule_for(rules, licence["licence_type"])
    if rule is None:
        return [_row(FIRST_DAY, LAST_DAY, {"problem": no_rules(state, licence["licence_type"])})]
    try:
        shape = shape_for(rule["cycle"], licence)
    except InvalidValueError as error:
        return [_row(FIRST_DAY, LAST_DAY, {"problem": error.message})]
    first = date.fromisoformat(licence["issued_on"]) if licence.get("issued_on") else None
    days = sorted(line.completion_date for line in lines)

    def answer(cycle: Cycle) -> dict[str, Any]:
        tally = Tally(rule, shape, cycle, first)
        for line in lines:
            tally.add(line)
        done = progress(tally, cycle.end)
        credit = any(cycle.holds(day) for day in days)
        return {"met": done["met"], "requirements": done["requirements"], "counted_in_cycle": credit}

    if not days:
        return [_row(FIRST_DAY, LAST_DAY, answer(cycle_containing(shape, date(2000, 1, 1))))]
    cycle = cycle_containing(shape, days[0])
    runs = [(FIRST_DAY, cycle.start - timedelta(days=1), answer(cycle_before(shape, cycle)))]
    while not _settled(rule, shape, cycle, first, days[-1]):
        runs.append((cycle.start, cycle.end, answer(cycle)))
        cycle = cycle_after(shape, cycle)
    runs.append((cycle.start, LAST_DAY, answer(cycle)))
    out: list[dict[str, Any]] = []
    for start, end, doc in runs:
        if out and out[-1]["doc"] == doc:
            out[-1]["cycle_end"] = end
        else:
            out.append(_row(start, end, doc))
    return out


def _settled(rule: dict[str, Any], shape: CycleShape, cycle: Cycle, first: date | None, last: date) -> bool:
    """True when this cycle and every later one answer alike: it starts after the last credit and no window but
    a one-time topic's (which keeps all it counted) reaches back to it."""
    if cycle.start <= last:
        return False
    sliding = [t for t in rule.get("topics", []) if t.get("every_years") or t.get("every_cycles") != 0]
    return all(topic_window(t, shape, cycle, first)[0] > last for t in sliding)


def _row(start: date, end: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {"cycle_start": start, "cycle_end": end, "met": bool(doc.get("met")), "doc": doc}
