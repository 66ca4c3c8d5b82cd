"""State licence CME rules as data: one `LicenceRules` stream per state, each change an event.

A state's rules are a list, one rule per board and licence types (MD, DO): the renewal cycle (years and
anchor: `birth_month`, `issue_date` or `fixed_date` with its `month_day` and, for fixed dates, the
`year_remainder` of the years it ends in), total hours, the AMA PRA Category 1 minimum, topic requirements
(hours, `every_cycles` — 1 each cycle, 3 every third, 0 one-time — or `every_years`, who they apply to, and
the state content tags whose credit counts toward them), each rule's sources and the day they were seen.
Any scalar may be `{value, uncertain: true}`; a rule, cycle or topic may carry `uncertain: true`: the pages
show them to staff and physicians. Accreditor staff and the state's board set them (`Adopted`, `Changed`),
so the rules in force at any instant are a replay of the stream to it.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.base import Acting
from domain.errors import InvalidValueError
from domain.geography import US_STATES
from domain.licence_cycles import ANCHORS

RULES_NAMESPACE = uuid.UUID("5d3e0c0e-7a43-4b8e-9f61-3c8f2a7d41b2")
LICENCE_TYPES = ("MD", "DO")
MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
MAX_TEXT = 500


def _hours(value: Any, loc: tuple[str, ...], *, required: bool = False) -> Any:
    """A number of hours (or None), plain or {value, uncertain, note}."""
    if isinstance(value, dict):
        unknown = set(value) - {"value", "uncertain", "note"}
        if unknown:
            raise InvalidValueError(f"unknown field {min(unknown)!r}", loc=loc)
        return {
            "value": _hours(value.get("value"), (*loc, "value")),
            "uncertain": bool(value.get("uncertain", False)),
            **({"note": _text(value["note"], (*loc, "note"))} if value.get("note") else {}),
        }
    if value is None:
        if required:
            raise InvalidValueError("hours are required", loc=loc)
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
        raise InvalidValueError(f"hours must be a number from 0 to 1000 (got {value!r})", loc=loc)
    return float(value)


def _text(value: Any, loc: tuple[str, ...], *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InvalidValueError("this field is required", loc=loc)
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise InvalidValueError(f"must be text of at most {MAX_TEXT} characters", loc=loc)
    return " ".join(value.split())


def _count(value: Any, loc: tuple[str, ...], low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValueError(f"must be a whole number from {low} to {high} (got {value!r})", loc=loc)
    return value


def validate_rule(state: str, rule: dict[str, Any], loc: tuple[str, ...]) -> dict[str, Any]:
    """One rule, cleaned; InvalidValueError naming the field at the first fault."""
    if not isinstance(rule, dict):
        raise InvalidValueError("a rule is an object", loc=loc)
    types = rule.get("licence_types") or []
    if not types or any(t not in LICENCE_TYPES for t in types):
        raise InvalidValueError(f"licence types must be among {', '.join(LICENCE_TYPES)}", loc=(*loc, "licence_types"))
    cycle = rule.get("cycle") or {}
    if not isinstance(cycle, dict):
        raise InvalidValueError("a cycle is an object", loc=(*loc, "cycle"))
    years = _count(cycle.get("years"), (*loc, "cycle", "years"), 1, 10)
    if years is None:
        raise InvalidValueError("the cycle's length in years is required", loc=(*loc, "cycle", "years"))
    anchor = cycle.get("anchor")
    if anchor not in ANCHORS:
        raise InvalidValueError(f"the anchor must be one of {', '.join(ANCHORS)}", loc=(*loc, "cycle", "anchor"))
    month_day = cycle.get("month_day")
    if anchor == "fixed_date":
        match = MONTH_DAY.match(str(month_day or ""))
        try:
            if not match:
                raise ValueError
            date(2000, int(match[1]), int(match[2]))
        except ValueError:
            raise InvalidValueError(
                f"a fixed-date cycle needs its day as MM-DD (got {month_day!r})", loc=(*loc, "cycle", "month_day")
            ) from None
    clean_cycle = {
        "years": years,
        "anchor": anchor,
        "month_day": month_day if anchor == "fixed_date" else None,
        "year_remainder": _count(cycle.get("year_remainder"), (*loc, "cycle", "year_remainder"), 0, years - 1)
        if anchor == "fixed_date"
        else None,
        "note": _text(cycle.get("note"), (*loc, "cycle", "note")),
        "uncertain": bool(cycle.get("uncertain", False)),
    }
    topics = []
    for i, topic in enumerate(rule.get("topics") or []):
        tloc = (*loc, "topics", str(i))
        if not isinstance(topic, dict):
            raise InvalidValueError("a topic is an object", loc=tloc)
        every_cycles = _count(topic.get("every_cycles"), (*tloc, "every_cycles"), 0, 10)
        every_years = _count(topic.get("every_years"), (*tloc, "every_years"), 1, 20)
        if every_cycles is not None and every_years is not None:
            raise InvalidValueError("give every_cycles or every_years, not both", loc=(*tloc, "every_years"))
        tags = topic.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            raise InvalidValueError("tags are a list of state content domains or topics", loc=(*tloc, "tags"))
        topics.append(
            {
                "name": _text(topic.get("name"), (*tloc, "name"), required=True),
                "hours": _hours(topic.get("hours"), (*tloc, "hours")),
                "every_cycles": every_cycles if every_cycles is not None or every_years else 1,
                "every_years": every_years,
                "applies_to": _text(topic.get("applies_to"), (*tloc, "applies_to")),
                "tags": sorted({" ".join(t.lower().split()) for t in tags}),
                "note": _text(topic.get("note"), (*tloc, "note")),
                "uncertain": bool(topic.get("uncertain", False)),
            }
        )
    sources = rule.get("sources") or []
    if not sources:
        raise InvalidValueError("a rule needs at least one source", loc=(*loc, "sources"))
    clean_sources = []
    for i, source in enumerate(sources):
        sloc = (*loc, "sources", str(i))
        if not isinstance(source, dict) or not str(source.get("url", "")).startswith(("http://", "https://")):
            raise InvalidValueError("a source is {url, key, page_date} with an http(s) URL", loc=(*sloc, "url"))
        clean_sources.append(
            {
                "url": _text(source["url"], (*sloc, "url"), required=True),
                "key": _text(source.get("key"), (*sloc, "key")),
                "page_date": _text(source.get("page_date"), (*sloc, "page_date")),
            }
        )
    seen_on = rule.get("seen_on")
    try:
        seen = date.fromisoformat(str(seen_on)).isoformat()
    except ValueError:
        raise InvalidValueError(
            f"the day the sources were seen must be YYYY-MM-DD (got {seen_on!r})", loc=(*loc, "seen_on")
        ) from None
    return {
        "state": state,
        "board": _text(rule.get("board"), (*loc, "board"), required=True),
        "licence_types": list(types),
        "cycle": clean_cycle,
        "total_hours": _hours(rule.get("total_hours"), (*loc, "total_hours")),
        "category1_min": _hours(rule.get("category1_min"), (*loc, "category1_min")),
        "topics": topics,
        "sources": clean_sources,
        "seen_on": seen,
        "note": _text(rule.get("note"), (*loc, "note")),
        "uncertain": bool(rule.get("uncertain", False)),
    }


def validate_rules(state: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    state = (state or "").strip().upper()
    if state not in US_STATES:
        raise InvalidValueError(f"{state!r} is not a US state or territory code", loc=("state",))
    if not isinstance(rules, list) or not rules:
        raise InvalidValueError("a state needs at least one rule", loc=("rules",))
    clean = [validate_rule(state, rule, ("rules", str(i))) for i, rule in enumerate(rules)]
    seen: set[str] = set()
    for i, rule in enumerate(clean):
        for t in rule["licence_types"]:
            if t in seen:
                raise InvalidValueError(
                    f"two rules for {t} licences in {state}", loc=("rules", str(i), "licence_types")
                )
            seen.add(t)
    return clean


def rule_for(rules: list[dict[str, Any]], licence_type: str) -> dict[str, Any] | None:
    return next((r for r in rules if licence_type in r["licence_types"]), None)


class LicenceRules(Aggregate):
    """The CME rules one state sets for its physician licences."""

    class Adopted(Aggregate.Created):
        state: str
        rules: list[dict[str, Any]]
        actor: str
        channel: str

    class Changed(Aggregate.Event):
        state: str
        rules: list[dict[str, Any]]
        actor: str
        channel: str

    @staticmethod
    def create_id(state: str) -> uuid.UUID:
        return uuid.uuid5(RULES_NAMESPACE, f"licence-rules:{state}")

    @classmethod
    def adopt(cls, state: str, rules: list[dict[str, Any]], by: Acting) -> LicenceRules:
        clean = validate_rules(state, rules)
        return cls(state=clean[0]["state"], rules=clean, actor=by.actor, channel=str(by.channel))

    @event(Adopted)
    def __init__(self, state: str, rules: list[dict[str, Any]], actor: str, channel: str) -> None:
        self.state = state
        self.rules = rules

    def change(self, rules: list[dict[str, Any]], by: Acting) -> bool:
        clean = validate_rules(self.state, rules)
        if clean == self.rules:
            return False
        self._change(state=self.state, rules=clean, actor=by.actor, channel=str(by.channel))
        return True

    @event(Changed)
    def _change(self, state: str, rules: list[dict[str, Any]], actor: str, channel: str) -> None:
        self.rules = rules
