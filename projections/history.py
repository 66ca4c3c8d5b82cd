"""Every provider's events in log order, for auditors and `pars history`."""

from __future__ import annotations

from abc import abstractmethod
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
        self, accme_id: str, *, as_of: datetime | None = None, after: int = 0, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The provider's events in log order, those after position `after` and at or before `as_of`."""


class HistoryProjection(ParsProjection[HistoryView]):
    name = "history"

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
