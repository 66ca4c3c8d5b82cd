"""Licence requirements: a physician's progress toward each tracked licence's rules (computed from scratch over
their transcript), a state board's compliance view (the `licences` read model), and the rules in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.errors import InvalidValueError
from domain.licence_cycles import Line
from domain.licence_rules import rule_for
from projections.learner_directory import LearnerDirectoryView
from projections.licences import LicencesView, licence_progress, lines_with_tags
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
            rule = rule_for(rules.get(state, []), licence["licence_type"])
            if rule is None:
                item["problem"] = f"PARS holds no CME rules for {licence['licence_type']} licences in {state} yet"
            else:
                item["rule"] = rule_summary(rule)
                try:
                    item["progress"] = licence_progress(rules[state], licence, lines, on, today)
                except InvalidValueError as error:
                    item["problem"] = error.message
            licences.append(item)
        return {"learner_id": learner_id, "on": on.isoformat(), "licences": licences}

    def compliance(self, state: str, on: date | None, after: str | None, limit: int) -> dict[str, Any]:
        """The state's licensees and whether each meets its requirements in the cycle holding `on`."""
        today = self.today()
        on = on or today
        rules = self.view.rules([state]).get(state, [])
        licensees, with_credit, meeting = self.view.compliance_counts(state, on)
        rows = self.view.compliance(state, on, after, min(max(limit, 1), MAX_PAGE))
        # A licensee with no status row counted nothing in the cycle: their progress is that of no credit.
        people = {e["learner_id"]: e["doc"] for e in self.directory.get_learners(r["learner_id"] for r in rows)}
        items = []
        for row in rows:
            licence = row["licence"]
            status = row["status"]
            answer: dict[str, Any] | None
            try:
                answer = licence_progress(rules, licence, [], on, today) if status is None else status
            except InvalidValueError as error:
                answer = {"problem": error.message}
            if answer is None:
                answer = {"problem": f"PARS holds no CME rules for {licence['licence_type']} licences in {state}"}
            if status is not None and answer.get("cycle"):
                end = date.fromisoformat(answer["cycle"]["end"])
                answer = {**answer, "days_left": max((end - today).days, 0)}
            entry = people.get(row["learner_id"]) or {}
            numbers = [lic["number"] for lic in entry.get("licences", []) if lic.get("state") == state]
            items.append(
                {
                    "learner_id": row["learner_id"],
                    "first_name": entry.get("first_name"),
                    "last_name": entry.get("last_name"),
                    "licence_number": numbers[0] if numbers else None,
                    "licence_type": licence["licence_type"],
                    "counted_in_cycle": status is not None,
                    "progress": answer,
                }
            )
        # Licensees without credit in the cycle meet it only where the rule asks for nothing.
        nothing_asked = all(_asks_nothing(r) for r in rules) if rules else False
        meets = meeting + ((licensees - with_credit) if nothing_asked else 0)
        return {
            "state": state,
            "on": on.isoformat(),
            "licensees": licensees,
            "meeting": meets,
            "not_meeting": licensees - meets,
            "items": items,
            "next": items[-1]["learner_id"] if len(items) == min(max(limit, 1), MAX_PAGE) else None,
        }


def _asks_nothing(rule: dict[str, Any]) -> bool:
    def hours(x: Any) -> float:
        value = x.get("value") if isinstance(x, dict) else x
        return float(value or 0)

    return (
        hours(rule.get("total_hours")) == 0
        and hours(rule.get("category1_min")) == 0
        and all(hours(t.get("hours")) == 0 for t in rule["topics"])
    )
