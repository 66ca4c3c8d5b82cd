"""Activities: search and summaries with each activity's status and what it still needs to close, the
dashboard's counts, and the public CME Passport catalog (the activity_summary read model)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

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
