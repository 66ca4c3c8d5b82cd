"""SQL implementation of the tokens read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import select

from adapters.db.tokens_tables import api_tokens
from adapters.db.view_base import SqlDocumentView
from projections.tokens import TokenView


class SqlTokenView(SqlDocumentView, TokenView):
    tables = (api_tokens,)
    table = api_tokens

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        issued = datetime.fromisoformat(doc["issued_at"]).astimezone(UTC).replace(tzinfo=None)
        return {"role": doc["role"], "accme_id": doc["accme_id"], "issued_at": issued, "doc": doc}

    def get_token(self, token_id: str) -> dict[str, Any] | None:
        return self._get_doc(token_id)

    def put_token(self, token_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        self._put_doc(token_id, doc, tracking)

    def list_tokens(self, role: str | None = None, accme_id: str | None = None) -> list[dict[str, Any]]:
        query = select(api_tokens.c.doc).order_by(api_tokens.c.issued_at, api_tokens.c.token_id)
        if role is not None:
            query = query.where(api_tokens.c.role == role)
        if accme_id is not None:
            query = query.where(api_tokens.c.accme_id == accme_id)
        with self.reading() as conn:
            return list(conn.execute(query).scalars())
