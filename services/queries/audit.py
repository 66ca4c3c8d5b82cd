"""Audit: a provider's events in log order (the history read model), a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from projections.history import HistoryView


class AuditQueries:
    def __init__(self, history: HistoryView) -> None:
        self.history = history

    def events(
        self,
        accme_id: str,
        *,
        as_of: datetime | None = None,
        after: int = 0,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        since: datetime | None = None,
    ) -> list[dict[str, Any]]:
        return self.history.events(accme_id, as_of=as_of, after=after, limit=limit, types=types, since=since)

    def page(
        self,
        accme_id: str,
        *,
        limit: int,
        after: int = 0,
        as_of: datetime | None = None,
        types: Sequence[str] | None = None,
        since: datetime | None = None,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to `limit` events after position `after`, and the `next` to ask for (None on the last page)."""
        items = self.history.events(accme_id, as_of=as_of, after=after, limit=limit + 1, types=types, since=since)
        more = len(items) > limit
        items = items[:limit]
        return items, items[-1]["position"] if more else None

    def newest(
        self,
        accme_id: str,
        *,
        limit: int,
        before: int | None = None,
        types: Sequence[str] | None = None,
        actor_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to `limit` events before position `before`, newest first, and the `before` of the next page
        (None on the last): the history page's order."""
        items = self.history.events(
            accme_id, before=before, limit=limit + 1, types=types, actor_token=actor_token, newest_first=True
        )
        more = len(items) > limit
        items = items[:limit]
        return items, items[-1]["position"] if more else None
