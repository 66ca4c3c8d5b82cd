"""SQL view of the provider profiles (one JSON document per provider)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import select

from adapters.db import oversight_counts
from adapters.db.provider_profile_tables import provider_profiles
from adapters.db.view_base import SqlDocumentView
from projections.base import chunks
from projections.provider_profile import ProviderProfileView


class SqlProviderProfileView(oversight_counts.KeepsReportTotals, SqlDocumentView, ProviderProfileView):
    tables = (provider_profiles,)
    table = provider_profiles

    def _flush(self, batch: Any) -> None:
        if batch.dirty and self.keeps_reports:  # a provider whose accreditor changed moves its sums in this commit
            c = provider_profiles.c
            old: dict[str, str] = {}
            for chunk in chunks(list(batch.dirty), 500):
                query = select(c.accme_id, c.accreditor).where(c.accme_id.in_(chunk))
                old.update((a, code) for a, code in batch.conn.execute(query))
            changed = {a: (old.get(a), doc["accreditor"]) for a, doc in batch.dirty.items()}
            oversight_counts.move_accreditors(self.db, batch.conn, changed)
        super()._flush(batch)

    def _columns(self, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        return {"accreditor": doc["accreditor"], "name": doc["name"], "doc": doc}

    def get_profile(self, accme_id: str) -> dict[str, Any] | None:
        return self._get_doc(accme_id)

    def put_profile(self, accme_id: str, profile: dict[str, Any], tracking: Tracking) -> None:
        self._put_doc(accme_id, profile, tracking)

    def list_profiles(
        self, accme_ids: list[str] | None = None, accreditors: list[str] | None = None
    ) -> list[dict[str, Any]]:
        query = select(provider_profiles.c.doc).order_by(provider_profiles.c.accme_id)
        if accme_ids is not None:
            query = query.where(provider_profiles.c.accme_id.in_(accme_ids))
        if accreditors is not None:
            query = query.where(provider_profiles.c.accreditor.in_(accreditors))
        with self.reading() as conn:
            return list(conn.execute(query).scalars())

    def accreditors_and_names(self, accreditors: list[str] | None = None) -> dict[str, tuple[str, str]]:
        c = provider_profiles.c
        query = select(c.accme_id, c.accreditor, c.name)
        if accreditors is not None:
            query = query.where(c.accreditor.in_(accreditors))
        with self.reading() as conn:
            return {r.accme_id: (r.accreditor, r.name) for r in conn.execute(query)}
