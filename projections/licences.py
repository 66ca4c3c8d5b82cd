"""Licence compliance: for each tracked licence, each cycle's credit and whether it meets the state's rules.

The read model a state board's compliance view reads (never a replay). It keeps what the computation needs:
each state's rules in force (`LicenceRules.Adopted/Changed`), the licences physicians track (state, licence
type, issue date, birth month and year: no licence number; `Learner.LicenceTracked/Untracked`, and all of a
learner's rows go with `Learner.Erased`), each activity's state content tags (`Activity.Registered/Revised/
Corrected`), and each completion's row (as the transcript holds it: learner_id, activity, date, CME and MOC
credit; `Completion.Recorded/Deleted/Resubmitted`). An event only marks the learners (or, for a rule change,
the states) it touches; at the end of the page's transaction each marked learner's licences are computed
again from their rows (`refresh`), one status row per licence and cycle that holds credit. A licence with no
status row for a cycle counted nothing in it.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from datetime import date
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.activity import Activity
from domain.completion import Completion
from domain.learner import Learner
from domain.licence_cycles import CATEGORY_1, Line, Tally, cycle_containing, progress, shape_for, tags_of
from domain.licence_rules import LicenceRules, rule_for
from projections.base import ParsProjection, ProjectionView
from projections.transcripts import entry, transcript_lines

#: A cycle's status rows are computed as of its last day (days left: 0); readers compute days left themselves.


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
        """Replaces the learner's status rows in the state: {cycle_start, cycle_end, met, doc}."""

    @abstractmethod
    def compliance(self, state: str, on: date, after: str | None, limit: int) -> list[dict[str, Any]]:
        """Licensees of the state in learner_id order after `after`: {learner_id, licence, status or None}
        where status is the row of the cycle holding `on`."""

    @abstractmethod
    def compliance_counts(self, state: str, on: date) -> tuple[int, int, int]:
        """(licensees, licensees with a status row for the cycle holding `on`, of them those that meet it)."""


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
                self.view.put_status(learner_id, state, statuses(rules.get(state, []), licence, lines))


def statuses(rules: list[dict[str, Any]], licence: dict[str, Any], lines: list[Line]) -> list[dict[str, Any]]:
    """One status per cycle holding a line of the transcript (the computation as of the cycle's last day)."""
    rule = rule_for(rules, licence["licence_type"])
    if rule is None:
        return []
    try:
        shape = shape_for(rule["cycle"], licence)
    except ValueError:  # the licence lacks what the rule anchors on (e.g. no issue date): nothing to place
        return []
    cycles = {cycle_containing(shape, line.completion_date) for line in lines}
    out = []
    for cycle in sorted(cycles, key=lambda c: c.start):
        answer = licence_progress(rules, licence, lines, cycle.end, cycle.end)
        assert answer is not None
        out.append({"cycle_start": cycle.start, "cycle_end": cycle.end, "met": answer["met"], "doc": answer})
    return out
