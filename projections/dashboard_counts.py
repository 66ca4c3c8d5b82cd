"""The counts a provider's dashboard shows for a year, kept as a sum of each activity's part.

Reading them must not cost more for a provider with 10,000 activities than for one with ten (issue 16,
goal 4), so the activity summary read model keeps, per provider and year (the year an activity ended),
the sum of every standing activity's contribution: how many activities of each (state, format) — an
open one also by end date, since "active" or "ready to close" depends on the day it is read — their
learners, and their commercial supports. A changed summary subtracts its old part and adds its new one,
so the sums stay exact whatever order activities change in.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

Counts = dict[str, Any]


def empty() -> Counts:
    return {"activities": {}, "physicians": 0, "others": 0, "supported": 0, "monetary": {}, "in_kind": {}}


def contribution(summary: dict[str, Any] | None) -> tuple[tuple[str, int], Counts] | None:
    """(provider, year) and what this activity summary adds to its counts; None for a deleted activity (or none)."""
    if summary is None or summary.get("deleted"):
        return None
    state = "closed" if summary["closed"] else "open" if summary["complete"] else "draft"
    end = summary["end_date"]
    part = empty()
    part["activities"][json.dumps([state, end if state == "open" else "", summary.get("format")])] = 1
    part["physicians"] = int(summary.get("physician_learners") or 0)
    part["others"] = int(summary.get("other_learners") or 0)
    monetary = summary.get("monetary_support") or []
    in_kind = summary.get("in_kind_sources") or []
    part["supported"] = int(bool(monetary or in_kind))
    for m in monetary:
        count, amount = part["monetary"].get(m["source"], (0, 0))
        part["monetary"][m["source"]] = [count + 1, amount + int(m.get("amount") or 0)]
    for source in in_kind:
        part["in_kind"][source] = part["in_kind"].get(source, 0) + 1
    return (summary["accme_id"], int(end[:4])), part


def add(counts: Counts, part: Counts, sign: int) -> None:
    """Adds (sign 1) or takes away (sign -1) an activity's part; entries that fall to zero are dropped."""
    for key, n in part["activities"].items():
        left = counts["activities"].get(key, 0) + sign * n
        if left:
            counts["activities"][key] = left
        else:
            counts["activities"].pop(key, None)
    for name in ("physicians", "others", "supported"):
        counts[name] += sign * part[name]
    for source, (n, amount) in part["monetary"].items():
        had = counts["monetary"].get(source, (0, 0))
        if had[0] + sign * n:
            counts["monetary"][source] = [had[0] + sign * n, had[1] + sign * amount]
        else:
            counts["monetary"].pop(source, None)
    for source, n in part["in_kind"].items():
        left = counts["in_kind"].get(source, 0) + sign * n
        if left:
            counts["in_kind"][source] = left
        else:
            counts["in_kind"].pop(source, None)


def dashboard_figures(counts: Counts | None, today: date) -> dict[str, Any]:
    """The dashboard's activities, learners and commercial support (as counting the summaries would: tests/activities/counting.py)."""
    counts = counts or empty()
    by_status = dict.fromkeys(("draft", "active", "ready_to_close", "closed"), 0)
    by_format: dict[str, int] = {}
    iso = today.isoformat()
    for key, n in counts["activities"].items():
        state, end, fmt = json.loads(key)
        status = state if state != "open" else "ready_to_close" if end < iso else "active"
        by_status[status] += n
        by_format[fmt] = by_format.get(fmt, 0) + n
    by_source = {source: amount for source, (_, amount) in counts["monetary"].items()}
    return {
        "activities": {
            "total": sum(by_status.values()),
            "by_status": by_status,
            "by_format": dict(sorted(by_format.items())),
        },
        "learners": {"physicians": counts["physicians"], "other_learners": counts["others"]},
        "commercial_support": {
            "activities_supported": counts["supported"],
            "monetary_total": sum(by_source.values()),
            "monetary_by_source": dict(sorted(by_source.items())),
            "in_kind_count": sum(counts["in_kind"].values()),
            "in_kind_sources": sorted(counts["in_kind"]),
        },
    }
