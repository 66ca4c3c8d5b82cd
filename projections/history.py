"""Every provider's events in log order, for auditors and `pars history`."""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking

from projections.base import ParsProjection, ProjectionView, event_data, event_type


class HistoryView(ProjectionView):
    @abstractmethod
    def append(self, entry: dict[str, Any], tracking: Tracking) -> None:
        """Stores one event of one provider at its log position."""

    @abstractmethod
    def events(
        self,
        accme_id: str,
        *,
        as_of: datetime | None = None,
        after: int = 0,
        limit: int | None = None,
        types: Sequence[str] | None = None,
        since: datetime | None = None,
        before: int | None = None,
        newest_first: bool = False,
        actor_token: str | None = None,
    ) -> list[dict[str, Any]]:
        """The provider's events in log order (newest first when asked), those after position `after` and
        before position `before`, recorded at or after `since` and at or before `as_of`, of the given `types`
        (see `type_matches`) when given, and of the actor whose name ends with `:actor_token` when given
        (a web user's token id, `user-…`, whatever the role's prefix)."""

    @abstractmethod
    def timeline(
        self, accme_id: str, aggregates: Sequence[str], after: int = 0, until: datetime | None = None
    ) -> tuple[list[tuple[int, datetime]], int | None]:
        """(position, recorded at, UTC) of each of the provider's events after log position `after` whose
        aggregate is one of `aggregates` (`Provider`, `Activity`, ...) recorded at or before `until` (any time
        when None), in position order: what an as-of replay reads (from its snapshot's position on); and the
        position of the first such event recorded after `until` (None when there is none)."""


class HistoryProjection(ParsProjection[HistoryView]):
    name = "history"
    rebuild_weight = 4

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        accme_id = getattr(domain_event, "accme_id", None)
        if accme_id is None:  # not a provider's event
            self.view.insert_tracking(tracking)
            return
        self.view.append(
            {
                "position": tracking.notification_id,
                "accme_id": accme_id,
                "stream_id": str(domain_event.originator_id),
                "version": domain_event.originator_version,
                "type": event_type(domain_event),
                "time": domain_event.timestamp,
                "actor": domain_event.actor,
                "channel": domain_event.channel,
                "data": event_data(domain_event),
            },
            tracking,
        )


TYPE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$")  # what a `type=` filter may be


def type_matches(pattern: str) -> tuple[str, str]:
    """How a `type=` filter matches event types: `Provider.ContactAssigned` exactly (`("exact", ...)`);
    `Provider` every event of that aggregate and `ContactAssigned` that event of any aggregate
    (`("word", ...)`)."""
    if not TYPE_PATTERN.match(pattern):
        raise ValueError(f"not an event type: {pattern!r}")
    return ("exact", pattern) if "." in pattern else ("word", pattern)
