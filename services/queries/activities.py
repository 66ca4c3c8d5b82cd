"""Activities: search and summaries with each activity's status and what it still needs to close, the
dashboard's counts, and the public CME Passport catalog (the activity_summary read model)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from domain.activity import BLUEPRINT_SECTIONS, REMS_COMPLIANCE, REMS_TYPES
from projections.activity_summary import ActivitySummaryView, missing_to_close, status_of
from services.queries.providers import ProviderQueries

PAGE_SIZE = 50
CATALOG_PAGE_SIZE = 25


class ActivityQueries:
    def __init__(self, view: ActivitySummaryView, providers: ProviderQueries, today: Callable[[], date]) -> None:
        self.view = view
        self.providers = providers
        self.today = today  # "today" for each activity's status: the instant's date in an as-of read

    def search(self, accme_id: str, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        """The read model's search (ActivitySummaryView.search): rows as stored, and the total."""
        return self.view.search(accme_id, **filters)

    def summaries(self, accme_id: str, year: int | None) -> list[dict[str, Any]]:
        return self.view.summaries(accme_id, year)

    def by_activity_id(self, accme_id: str, activity_id: str) -> dict[str, Any] | None:
        return self.view.by_activity_id(accme_id, activity_id)

    def page(
        self,
        accme_id: str,
        page: int,
        *,
        year: int | None = None,
        fmt: str | None = None,
        status: str | None = None,
        q: str | None = None,
        moc: str | None = None,
        rems: bool | None = None,
        mips: bool | None = None,
    ) -> dict[str, Any]:
        """A page of the provider's activities matching every filter, each as the API shows it."""
        today = self.today()
        rows, total = self.view.search(
            accme_id,
            year=year,
            fmt=fmt,
            status=status,
            q=q,
            moc=moc,
            rems=rems,
            mips=mips,
            today=today,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        data = [shown(r, today) for r in rows]
        return {"data": data, "count": total, "page": page, "page_size": PAGE_SIZE}

    def shown(self, accme_id: str, activity_id: str) -> dict[str, Any] | None:
        """One activity as the API shows it; None when the provider has no such activity."""
        summary = self.view.by_activity_id(accme_id, activity_id)
        return None if summary is None else shown(summary, self.today())

    def after_change(self, accme_id: str, activity_id: str) -> dict[str, Any]:
        """The activity as a command's answer shows it (only its ID while the read model has none)."""
        today = self.today()
        rows, _ = self.view.search(
            accme_id,
            year=None,
            fmt=None,
            status=None,
            q=activity_id,
            moc=None,
            rems=None,
            mips=None,
            today=today,
            limit=1,
            offset=0,
        )
        return shown(rows[0], today) if rows else {"activity_id": activity_id}

    def counts(self, accme_id: str, year: int) -> dict[str, Any]:
        """The dashboard's activities by status and format, learners and commercial support, for one year."""
        return self.view.dashboard_figures(accme_id, year, self.today())  # kept counts: flat at any provider size

    def catalog(self, q: str, page: int, past: bool) -> dict[str, Any]:
        """Activities flagged for CME Passport, current ones first by start date (`past`: ended ones too)."""
        since = None if past else date.today()
        docs, total = self.view.catalog(q, since, CATALOG_PAGE_SIZE, (page - 1) * CATALOG_PAGE_SIZE)
        names = self.providers.names(d["accme_id"] for d in docs)
        data = [
            {
                "activity_id": d["activity_id"],
                "title": d["title"],
                "provider": {"accme_id": d["accme_id"], "name": names[d["accme_id"]]},
                "start_date": d["start_date"],
                "end_date": d["end_date"],
                "format": d["format"],
                "credits": d["credits"],
                "moc_boards": d["moc_boards"],
                "rems": d["rems"],
                "description": d.get("description") or "",
                "location": d.get("location"),
                "url": d.get("url"),
                "specialties": d.get("specialties") or [],
            }
            for d in docs
        ]
        return {"data": data, "count": total, "page": page, "page_size": CATALOG_PAGE_SIZE}


def _public(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k not in ("complete", "deleted", "close_gaps")}


def shown(summary: dict[str, Any], today: date) -> dict[str, Any]:
    """An activity as the API answers it: its summary, status, and every item it still needs to close."""
    return {
        **_public(summary),
        "status": status_of(summary, today),
        "missing_to_close": missing_to_close(summary, today),
    }


def rems_report(
    activities: list[dict[str, Any]], names: dict[str, str], year: int, rems_type: str | None
) -> dict[str, Any]:
    """The accreditor's REMS report of a year: each REMS-registered activity (provider, type, REMS-compliant or
    REMS-related, Blueprint sections, RPC-assigned ID, learners) and the totals: activities by type and by
    compliance, learners, and how many activities cover each Blueprint section."""
    rows = []
    for a in activities:
        rems = a.get("rems_registration") or {}
        if rems_type is not None and rems.get("type") != rems_type:
            continue
        rows.append(
            {
                "accme_id": a["accme_id"],
                "provider": names.get(a["accme_id"], ""),
                "activity_id": a["activity_id"],
                "title": a["title"],
                "format": a["format"],
                "start_date": a["start_date"],
                "end_date": a["end_date"],
                "rems_type": rems.get("type"),
                "compliance": rems.get("compliance"),
                "blueprint_sections": list(rems.get("blueprint_sections") or []),
                "rpc_id": rems.get("identifier"),
                "physician_learners": a["physician_learners"],
                "other_learners": a["other_learners"],
            }
        )
    coverage = {s: sum(1 for r in rows if s in r["blueprint_sections"]) for s in BLUEPRINT_SECTIONS}
    return {
        "year": year,
        "rems_type": rems_type,
        "activities": rows,
        "totals": {
            "activities": len(rows),
            "providers": len({r["accme_id"] for r in rows}),
            "by_type": {t: sum(1 for r in rows if r["rems_type"] == t) for t in REMS_TYPES},
            "by_compliance": {
                **{c: sum(1 for r in rows if r["compliance"] == c) for c in REMS_COMPLIANCE},
                "Not stated": sum(1 for r in rows if r["compliance"] is None),
            },
            "rpc_funded": sum(1 for r in rows if r["rpc_id"]),
            "physician_learners": sum(r["physician_learners"] for r in rows),
            "other_learners": sum(r["other_learners"] for r in rows),
            "blueprint_coverage": coverage,
        },
    }
