"""SQL implementation of the `webhooks` read model (each provider's endpoints)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import or_, select

from adapters.db.view_base import SqlDocumentView
from adapters.db.webhooks_tables import webhook_endpoints
from projections.webhooks import WebhookView


class SqlWebhookView(SqlDocumentView, WebhookView):
    tables = (webhook_endpoints,)
    table = webhook_endpoints

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {
            "accme_id": doc["accme_id"],
            "registered_position": doc["registered_position"],
            "removed_position": doc["removed_position"],
            "doc": doc,
        }

    def get_endpoint(self, endpoint_id: str) -> dict[str, Any] | None:
        return self._get_doc(endpoint_id)

    def put_endpoint(self, endpoint_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        self._put_doc(endpoint_id, doc, tracking)

    def endpoints(self, accme_id: str, *, removed: bool = False) -> list[dict[str, Any]]:
        query = (
            select(webhook_endpoints.c.doc)
            .where(webhook_endpoints.c.accme_id == accme_id)
            .order_by(webhook_endpoints.c.registered_position)
        )
        if not removed:
            query = query.where(webhook_endpoints.c.removed_position.is_(None))
        with self.reading() as conn:
            return list(conn.execute(query).scalars())

    def standing_at(self, accme_ids: set[str], after: int, upto: int) -> list[dict[str, Any]]:
        if not accme_ids:
            return []
        t = webhook_endpoints.c
        query = (
            select(t.doc)
            .where(
                t.accme_id.in_(sorted(accme_ids)),
                t.registered_position <= upto,
                or_(t.removed_position.is_(None), t.removed_position > after),
            )
            .order_by(t.registered_position)
        )
        with self.reading() as conn:
            return list(conn.execute(query).scalars())
