"""SQL view of the accounts read model (the Users pages); sign-in's own tables are in the stores beside it."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import delete, select

from adapters.db.accounts_tables import web_accounts
from adapters.db.view_base import SqlDocumentView
from projections.accounts import AccountView


class SqlAccountView(SqlDocumentView, AccountView):
    tables = (web_accounts,)
    table = web_accounts

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {"email": doc["email"], "tenant": doc["tenant"], "doc": doc}

    def get_account(self, account_id: str) -> dict[str, Any] | None:
        return self._get_doc(account_id)

    def put_account(self, account_id: str, doc: dict[str, Any], tracking: Tracking) -> None:
        self._put_doc(account_id, doc, tracking)

    def delete_account(self, account_id: str, tracking: Tracking) -> None:
        with self.transaction() as conn:
            batch = self._batch
            assert batch is not None
            batch.dirty.pop(account_id, None)  # put earlier in this batch: never written
            batch.docs[account_id] = None
            conn.execute(delete(web_accounts).where(web_accounts.c.account_id == account_id))
            self._track(conn, tracking)

    def list_accounts(self, tenants: list[str] | None = None, role: str | None = None) -> list[dict[str, Any]]:
        query = select(web_accounts.c.doc).order_by(web_accounts.c.email)
        if tenants is not None:
            query = query.where(web_accounts.c.tenant.in_(tenants))
        if role is not None:
            query = query.where(web_accounts.c.tenant.like(f"{role}:%"))
        with self.reading() as conn:
            return list(conn.execute(query).scalars())
