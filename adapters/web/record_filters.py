"""The filter form of the record lists (an activity's learners, the provider's records): the query string read into
the filters `RecordStatusQueries.roster` takes, and those filters shown back on the form (macros.html
`record_filters`), in the download and page links, and in the lists' status words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from domain.learner import CERTIFYING_BOARDS
from projections.record_status import STATUSES
from services.queries.records import STANDINGS

STATUS_NAMES = {
    "pending": "Pending",
    "accepted": "Accepted",
    "rejected": "Rejected",
    "not_sent": "Not sent (no consent)",
    "at_risk": "At risk (due within 14 days)",
    "late": "Late (past its date)",
}
#: What each board's date stands for, in a table cell.
STANDING_NAMES = {"at_risk": "at risk", "late": "late"}


def read_filters(
    status: str, board: str, sort: str, order: str, sorts: Sequence[tuple[str, str]], year: str | None = None
) -> dict[str, Any]:
    """The query's filters, each kept only when it is one the page offers (anything else: no filter); `sorts` the
    page's (value, heading) choices; `year` (the year completed) only on a page that filters by it."""
    filters: dict[str, Any] = {
        "status": status if status in (*STATUSES, *STANDINGS) else None,
        "board": board if board in CERTIFYING_BOARDS else None,
    }
    if year is not None:
        filters["year"] = int(year) if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100 else None
    filters["sort"] = sort if sort in dict(sorts) else "completion_date"
    filters["descending"] = order == "desc"
    return filters


def filter_context(filters: dict[str, Any], sorts: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """What the page's filter form and links show of `read_filters`' filters: each as the form's value, the query
    string of the download and page links, and the choices of each select."""
    shown = {"status": filters["status"] or "", "board": filters["board"] or ""}
    if "year" in filters:
        shown["year"] = filters["year"] or ""
    shown |= {"sort": filters["sort"], "order": "desc" if filters["descending"] else "asc"}
    return {
        "filters": shown,
        "query": urlencode(shown),
        "statuses": [(s, STATUS_NAMES[s]) for s in (*STATUSES, *STANDINGS)],
        "all_boards": CERTIFYING_BOARDS,
        "sorts": sorts,
    }
