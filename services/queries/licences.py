"""Licence requirements: a physician's progress toward each tracked licence's rules (computed from scratch over
their transcript), a state board's compliance view (the `licences` read model), and the rules in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.errors import InvalidValueError
from domain.licence_cycles import Line, cycle_containing, shape_for
from domain.licence_rules import rule_for
from projections.learner_directory import LearnerDirectoryView
from projections.licences import LicencesView, licence_progress, lines_with_tags, no_rules
from projections.transcripts import TranscriptView

#: Licensees a compliance page lists at most.
MAX_PAGE = 500


def rule_summary(rule: dict[str, Any]) -> dict[str, Any]:
    """What a page shows of a rule beside the progress: who sets it, its cycle, sources and doubts."""
    return {
        "board": rule["board"],
        "licence_types": rule["licence_types"],
        "cycle": rule["cycle"],
        "sources": rule["sources"],
        "seen_on": rule["seen_on"],
        "note": rule.get("note"),
        "uncertain": rule["uncertain"],
    }


class LicenceQueries:
    def __init__(
        self,
        view: LicencesView,
        transcripts: TranscriptView,
        directory: LearnerDirectoryView,
        today: Callable[[], date],
    ) -> None:
        self.view = view
        self.transcripts = transcripts
        self.directory = directory
        self.today = today

    def rules(self, state: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """The rules in force, by state (one state's when named)."""
        return self.view.rules([state]) if state else self.view.all_rules()

    def lines(self, learner_id: str) -> list[Line]:
        rows = self.transcripts.for_learner(learner_id, None, None)
        return lines_with_tags(rows, self.view.tags({r["activity_id"] for r in rows}))

    def requirements(
        self, learner_id: str, tracked: dict[str, dict[str, Any]], on: date | None = None
    ) -> dict[str, Any]:
        """Each tracked licence: its rule, the cycle holding `on` (today), credit counted, each requirement met
        or the hours missing, days left — computed afresh from the learner's transcript."""
        today = self.today()
        on = on or today
        lines = self.lines(learner_id)
        rules = self.view.rules(tracked)
        licences = []
        for state, licence in sorted(tracked.items()):
            item: dict[str, Any] = {
                "state": state,
                "licence_type": licence["licence_type"],
                "number": licence["number"],
                "issued_on": licence.get("issued_on"),
                "rule": None,
                "progress": None,
                "problem": None,
            }
            item.update(licence_answer(state, rules.get(state, []), licence, lines, on, today))
            licences.append(item)
        return {"learner_id": learner_id, "on": on.isoformat(), "licences": licences}

    def compliance(
        self, state: str, on: date | None, after: str | None, limit: int, met: bool | None = None
    ) -> dict[str, Any]:
        """The state's licensees (all, or those who meet their rules, or do not, when `met` is given) and whether
        each meets them in the cycle holding `on`, with the counts of all of them (kept, never counted here)."""
        today = self.today()
        on = on or today
        size = min(max(limit, 1), MAX_PAGE)
        rules = self.view.rules([state]).get(state, [])
        licensees, meeting = self.view.compliance_counts(state, on)
        rows = self.view.compliance(state, on, after, size, met)
        people = self.directory.docs(r["learner_id"] for r in rows)
        cycles: dict[tuple[Any, ...], Any] = {}  # licensees share cycles: placed once a page
        items = []
        for row in rows:
            licence = row["licence"]
            entry = people.get(row["learner_id"]) or {}
            numbers = [lic["number"] for lic in entry.get("licences", []) if lic.get("state") == state]
            items.append(
                {
                    "learner_id": row["learner_id"],
                    "first_name": entry.get("first_name"),
                    "last_name": entry.get("last_name"),
                    "licence_number": numbers[0] if numbers else None,
                    "licence_type": licence["licence_type"],
                    **board_answer(state, rules, licence, row["status"], on, today, cycles),
                }
            )
        return {
            "state": state,
            "on": on.isoformat(),
            "licensees": licensees,
            "meeting": meeting,
            "not_meeting": licensees - meeting,
            "items": items,
            "next": items[-1]["learner_id"] if len(items) == size else None,
        }


def licence_answer(
    state: str, rules: list[dict[str, Any]], licence: dict[str, Any], lines: list[Line], on: date, today: date
) -> dict[str, Any]:
    """A licence's rule, progress in the cycle holding `on` and problem, computed afresh from the transcript's lines
    (the physician's own view)."""
    rule = rule_for(rules, licence["licence_type"])
    if rule is None:
        return {"rule": None, "progress": None, "problem": no_rules(state, licence["licence_type"])}
    try:
        return {
            "rule": rule_summary(rule),
            "progress": licence_progress(rules, licence, lines, on, today),
            "problem": None,
        }
    except InvalidValueError as error:
        return {"rule": rule_summary(rule), "progress": None, "problem": error.message}


def board_answer(
    state: str,
    rules: list[dict[str, Any]],
    licence: dict[str, Any],
    status: dict[str, Any] | None,
    on: date,
    today: date,
    cycles: dict[tuple[Any, ...], Any] | None = None,
) -> dict[str, Any]:
    """A licensee's progress and problem on the board's view, from the read model's row covering `on`: the row
    holds the answer of every cycle it runs through; the cycle holding `on` and the days left are placed here."""
    doc = (status or {}).get("doc")
    if doc is None:  # not yet computed (the read model is behind the licence): no credit counted
        found = licence_answer(state, rules, licence, [], on, today)
        return {"counted_in_cycle": False, "progress": found["progress"], "problem": found["problem"]}
    if "problem" in doc:
        return {"counted_in_cycle": False, "progress": None, "problem": doc["problem"]}
    rule = rule_for(rules, licence["licence_type"])
    if rule is None:  # the rules changed between the two reads: the row is about to go
        return {"counted_in_cycle": False, "progress": None, "problem": no_rules(state, licence["licence_type"])}
    key = (licence["licence_type"], licence.get("issued_on"), licence.get("birth_month"), licence.get("birth_year"))
    cycle = (cycles or {}).get(key)
    if cycle is None:
        try:
            cycle = cycle_containing(shape_for(rule["cycle"], licence), on)
        except InvalidValueError as error:  # likewise
            return {"counted_in_cycle": False, "progress": None, "problem": error.message}
        if cycles is not None:
            cycles[key] = cycle
    progress = {
        "cycle": {"start": cycle.start.isoformat(), "end": cycle.end.isoformat()},
        "days_left": cycle.days_left(today),
        "met": doc["met"],
        "requirements": doc["requirements"],
    }
    return {"counted_in_cycle": doc["counted_in_cycle"], "progress": progress, "problem": None}
