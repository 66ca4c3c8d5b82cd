"""Accreditor staff's pages, one module per page or concern: the providers overseen and one provider's page
(`providers`), the year-end table with its CSV and reminders (`year_end`), the REMS and MIPS reports (`oversight`),
the annual data report (`data_report`), deadlines and scheduled reminders (`deadlines`), inviting colleagues and
physicians (`users`); whose providers the user oversees and the year a page opens on are here."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from adapters.http.reads import annual_reporting, provider_queries
from adapters.web.routes.provider import reporting_year
from adapters.web.session import PageNotFound, WebUser
from services.access import Role

__all__ = ["overseen", "staff"]


def staff(user: WebUser) -> list[str] | None:
    """The accreditors whose providers this user oversees (None: every one, for ACCME staff)."""
    if user.principal.role is not Role.ACCREDITOR:
        raise PageNotFound()
    return None if user.principal.state is None else [user.principal.state]


def overseen(request: Request, user: WebUser, accme_id: str) -> dict[str, Any]:
    staff(user)
    profile = provider_queries(request).get_profile(accme_id) if len(accme_id) == 7 and accme_id.isdigit() else None
    if profile is None or not user.principal.oversees(profile["accreditor"]):
        raise PageNotFound()
    return profile


def _year(request: Request, year: int | None) -> int:
    today = annual_reporting(request).today()
    return year if year and 1990 <= year <= today.year else reporting_year(today)
