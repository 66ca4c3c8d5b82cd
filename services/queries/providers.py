"""Providers: a provider's profile, the providers a principal may list, and the public directory."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from projections.directory import DirectoryView
from projections.provider_profile import ProviderProfileView
from services.access import Principal, Role

DIRECTORY_PAGE_SIZE = 25


class ProviderQueries:
    def __init__(self, view: ProviderProfileView) -> None:
        self.view = view

    def get_profile(self, accme_id: str) -> dict[str, Any] | None:
        return self.view.get_profile(accme_id)

    def list_profiles(
        self, accme_ids: list[str] | None = None, accreditors: list[str] | None = None
    ) -> list[dict[str, Any]]:
        return self.view.list_profiles(accme_ids=accme_ids, accreditors=accreditors)

    def visible_to(self, principal: Principal) -> list[dict[str, Any]] | None:
        """The providers this principal may list: an accreditor's overseen providers, all for auditors,
        one's own; None when its role lists no providers."""
        if principal.role is Role.PROVIDER:
            return self.view.list_profiles(accme_ids=[principal.provider or ""])
        if principal.role is Role.AUDITOR:
            return self.view.list_profiles()
        if principal.role is Role.ACCREDITOR:
            return self.view.list_profiles(accreditors=None if principal.state is None else [principal.state])
        return None

    def accreditors_and_names(self, accreditors: list[str] | None = None) -> dict[str, tuple[str, str]]:
        """(accreditor, name) of each provider the accreditors oversee (None: all), by ACCME ID."""
        return self.view.accreditors_and_names(accreditors)

    def names(self, accme_ids: Iterable[str]) -> dict[str, str]:
        """Each provider's name ("" for one not in the read model), read once per provider."""
        names: dict[str, str] = {}
        for accme_id in accme_ids:
            if accme_id not in names:
                names[accme_id] = (self.view.get_profile(accme_id) or {}).get("name", "")
        return names


class DirectoryQueries:
    """Find a CME Provider: the public directory."""

    def __init__(self, view: DirectoryView) -> None:
        self.view = view

    def page(self, q: str, page: int) -> dict[str, Any]:
        entries, total = self.view.search(q, DIRECTORY_PAGE_SIZE, (page - 1) * DIRECTORY_PAGE_SIZE)
        return {"data": entries, "count": total, "page": page, "page_size": DIRECTORY_PAGE_SIZE}
