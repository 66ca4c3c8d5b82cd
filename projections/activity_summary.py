"""Activity summary and search: one row per activity, for a provider's search page and dashboard."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator
from datetime import date
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.activity import Activity, active_gaps, close_gaps
from projections.base import ParsProjection, ProjectionView


def summarise(
    accme_id: str, number: str, provider_activity_id: str, data: dict[str, Any], closed: bool, deleted: bool
) -> dict[str, Any]:
    """The searchable summary of an activity (its status is derived when read: it depends on today)."""
    learners = data.get("learners") or {}
    return {
        "accme_id": accme_id,
        "activity_id": number,
        "provider_activity_id": provider_activity_id,
        "title": data.get("title") or "",
        "format": data.get("format"),
        "start_date": data.get("start_date"),
        "end_date": data.get("end_date"),
        "credits": data.get("credits"),
        "complete": not active_gaps(data),
        "closed": closed,
        "deleted": deleted,
        "moc_boards": [r["board"] for r in data.get("moc") or []],
        "rems": bool(data.get("rems")),
        "rems_registration": data.get("rems"),  # type, compliance, Blueprint sections, RPC-assigned ID
        "mips": bool(data.get("mips")),
        "for_public_list": data.get("for_public_list"),
        "physician_learners": int(learners.get("physician", 0)),
        "other_learners": int(sum(v for k, v in learners.items() if k != "physician")),
        "commercial_support": data.get("commercial_support"),
        "monetary_support": [
            {"source": m["source"], "amount": m.get("amount") or 0} for m in data.get("monetary_support") or []
        ],
        "in_kind_sources": [s["source"] for s in data.get("in_kind_support") or []],
        # What closing still needs besides the end date passing (that part depends on the day it is read).
        "close_gaps": [{"loc": list(loc), "msg": msg} for loc, msg in close_gaps(data)],
        # What the CME Passport catalog shows and searches besides the above.
        "description": data.get("description") or "",
        "location": data.get("location") or None,
        "url": data.get("url") or None,
        "specialties": specialties(data),
    }


def specialties(data: dict[str, Any]) -> list[str]:
    """The specialties or practice areas an activity is for: its target audience's, then its MOC registrations'."""
    found = list(((data.get("target_audience") or {}).get("specialty")) or [])
    for reg in data.get("moc") or []:
        found += reg.get("practice_areas") or []
    return list(dict.fromkeys(str(s) for s in found if s))


def missing_to_close(summary: dict[str, Any], today: date) -> list[dict[str, Any]] | None:
    """Every item the activity still needs before it can be closed today (none once closed), as {loc, msg};
    None for a row projected before the read model kept them (`pars projections rebuild activity_summary`)."""
    if summary["closed"]:
        return []
    if "close_gaps" not in summary:
        return None
    early = (
        [{"loc": ["end_date"], "msg": "an activity is closed after its end date has passed"}]
        if summary["end_date"] >= today.isoformat()
        else []
    )
    return early + list(summary.get("close_gaps") or [])


#: What the activity search sorts by: the columns of the provider's activity list.
SEARCH_SORTS = (
    "activity_id",
    "provider_activity_id",
    "title",
    "format",
    "start_date",
    "end_date",
    "credits",
    "learners",
    "completions",
    "moc",
    "status",
)


def status_of(summary: dict[str, Any], today: date) -> str:
    if summary["closed"]:
        return "closed"
    if not summary["complete"]:
        return "draft"
    return "ready_to_close" if summary["end_date"] < today.isoformat() else "active"


class ActivitySummaryView(ProjectionView):
    @abstractmethod
    def get_summary(self, key: str) -> dict[str, Any] | None:
        """One activity's summary by its aggregate id, or None."""

    @abstractmethod
    def put_summary(self, key: str, summary: dict[str, Any], tracking: Tracking) -> None:
        """Stores one activity's summary and the position it reflects."""

    @abstractmethod
    def search(
        self,
        accme_id: str,
        *,
        year: int | None,
        fmt: str | None,
        status: str | None,
        q: str | None,
        moc: str | None,
        rems: bool | None,
        mips: bool | None,
        today: date,
        limit: int,
        offset: int,
        sort: str = "start_date",
        descending: bool = True,
        with_completions: bool = False,
    ) -> tuple[list[dict[str, Any]], int]:
        """The provider's (not deleted) activities matching every filter (`year`: ended in that year), sorted by
        `sort` (one of SEARCH_SORTS; by start date, newest first, unless told), each with its standing
        `completions` when asked (counted from the record_status read model: the live reads' only, an as-of
        replay has none); and the total."""

    @abstractmethod
    def catalog(self, q: str | None, since: date | None, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """The CME Passport catalog: (not deleted) activities flagged for the public list, ending on or
        after `since` (all if None), matching every word of q (in the title, description, format, a specialty,
        the IDs, or the provider's name), earliest start first; and the total."""

    @abstractmethod
    def by_activity_id(self, accme_id: str, activity_id: str) -> dict[str, Any] | None:
        """The provider's (not deleted) activity with this 9-digit ACCME activity ID, or None."""

    @abstractmethod
    def dashboard_figures(self, accme_id: str, year: int, today: date) -> dict[str, Any]:
        """The dashboard's activities by status and format, learners and commercial support of the provider's
        activities that ended in the year, from counts kept as summaries change (projections/dashboard_counts.py)."""

    @abstractmethod
    def ended_in(self, year: int, page: int = 2000) -> Iterator[dict[str, Any]]:
        """The research extract's fields of every (not deleted) activity that ended in the year, of every provider
        (accme_id, format, end_date, closed, rems, mips, moc: MOC-registered, physician_learners, other_learners,
        credits as text, commercial_support), read a page at a time in the order of the aggregate ids (a hash: no
        provider's or activity's number shows through), so a caller holds one page at most."""

    @abstractmethod
    def mips_activity_ids(self, activity_ids: list[str]) -> set[str]:
        """Which of these ACCME activity IDs are (not deleted) activities registered as MIPS improvement activities."""

    @abstractmethod
    def summaries(self, accme_id: str, year: int | None) -> list[dict[str, Any]]:
        """Every (not deleted) activity summary of the provider that counts in the year, i.e. ended in it (any year if None)."""


class ActivitySummaryProjection(ParsProjection[ActivitySummaryView]):
    name = "activity_summary"
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Activity.Registered, tracking: Tracking) -> None:
        key = str(e.originator_id)
        self.view.put_summary(
            key, summarise(e.accme_id, e.number, e.provider_activity_id, e.data, False, False), tracking
        )

    @process_event.register
    def _(self, e: Activity.Revised, tracking: Tracking) -> None:
        self._change(e, tracking, data=e.data, deleted=False)

    @process_event.register
    def _(self, e: Activity.Corrected, tracking: Tracking) -> None:
        self._change(e, tracking, data=e.data)

    @process_event.register
    def _(self, e: Activity.Closed, tracking: Tracking) -> None:
        self._change(e, tracking, closed=True)

    @process_event.register
    def _(self, e: Activity.Deleted, tracking: Tracking) -> None:
        self._change(e, tracking, deleted=True)

    def _change(self, e: Any, tracking: Tracking, data: dict[str, Any] | None = None, **flags: bool) -> None:
        key = str(e.originator_id)
        old = self.view.get_summary(key)
        if old is None:  # pragma: no cover - a Registered event always comes first
            self.view.insert_tracking(tracking)
            return
        closed = flags.get("closed", old["closed"])
        deleted = flags.get("deleted", old["deleted"])
        if data is None:
            new = {**old, "closed": closed, "deleted": deleted}
        else:
            new = summarise(old["accme_id"], old["activity_id"], old["provider_activity_id"], data, closed, deleted)
        self.view.put_summary(key, new, tracking)
