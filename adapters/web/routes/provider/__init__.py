"""A provider's pages, one module per resource; what several of them share is here.

Every change goes through the same commands and services as the API routes; every list reads
the same read models. A user who may not see the provider gets the same 404 as for no provider.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Request

from adapters.http.reads import provider_queries
from adapters.web.session import PageNotFound, WebUser
from domain.annual_report import STEP_NAMES

__all__ = ["STATUSES", "STEP_NAMES", "editable", "readable", "reporting_year"]

STATUSES = [("draft", "Draft"), ("active", "Active"), ("ready_to_close", "Ready to close"), ("closed", "Closed")]


def readable(request: Request, user: WebUser, accme_id: str) -> dict[str, Any]:
    """The provider's profile if this user may see it; the same 404 page otherwise as for no provider.
    Every provider page calls it, so it takes the request and reads through `ProvidersDep`'s provider."""
    profile = provider_queries(request).get_profile(accme_id) if len(accme_id) == 7 and accme_id.isdigit() else None
    if profile is None or not user.principal.can_read_provider(profile):
        raise PageNotFound()
    return profile


def editable(request: Request, user: WebUser, accme_id: str) -> dict[str, Any]:
    """Changes are the provider's own users' (accreditors read these pages but change nothing here)."""
    profile = readable(request, user, accme_id)
    if not user.principal.can_edit_provider(accme_id):
        raise PageNotFound()
    return profile


def reporting_year(today: date) -> int:
    """The year whose report is at hand: until the end of March, last year's (due by 31 March)."""
    return today.year - 1 if today.month <= 3 else today.year


def year_at_hand(reads: Any, profile: dict[str, Any]) -> tuple[int, str | None]:
    """The year the dashboard and the annual report open on, and why when it is not the usual one: the
    year before `reporting_year` while its report is overdue (a provider that existed then, or has activities
    in it, and has not completed it), else `reporting_year`. The API's `?year=` default does not change."""
    today = reads.today()
    usual = reporting_year(today)
    earlier = usual - 1
    summary = reads.annual.checklist_summary(profile["accme_id"], earlier, profile["accreditor"])
    if summary["complete"] or summary["days_to_deadline"] >= 0:
        return usual, None
    existed = str(profile.get("registered_at") or "9999")[:4] <= str(earlier)
    if not existed and not reads.activities.counts(profile["accme_id"], earlier)["activities"]["total"]:
        return usual, None
    days = -summary["days_to_deadline"]
    return earlier, (
        f"The {earlier} annual report is {days} day{'' if days == 1 else 's'} past its deadline "
        f"({summary['deadline']}): it is shown first until it is complete."
    )
