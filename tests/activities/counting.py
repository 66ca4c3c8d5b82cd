"""The dashboard's activity figures counted from the summaries at read time: the oracle the counts kept in the
read models (projections/dashboard_counts.py) are checked against."""

from __future__ import annotations

from datetime import date
from typing import Any

from projections.activity_summary import status_of
from projections.checklist import commercial_support_totals


def activity_counts(rows: list[dict[str, Any]], today: date) -> dict[str, Any]:
    by_status = dict.fromkeys(("draft", "active", "ready_to_close", "closed"), 0)
    by_format: dict[str, int] = {}
    physicians = others = 0
    for r in rows:
        by_status[status_of(r, today)] += 1
        by_format[r["format"]] = by_format.get(r["format"], 0) + 1
        physicians += r["physician_learners"]
        others += r["other_learners"]
    # The same summary the program summary and the data report show, from the same supports.
    supports = [
        [{"source": m["source"], "monetary": True, "amount": m["amount"]} for m in r["monetary_support"]]
        + [{"source": s, "monetary": False, "amount": None} for s in r["in_kind_sources"]]
        for r in rows
    ]
    return {
        "activities": {"total": len(rows), "by_status": by_status, "by_format": dict(sorted(by_format.items()))},
        "learners": {"physicians": physicians, "other_learners": others},
        "commercial_support": commercial_support_totals(supports),
    }
