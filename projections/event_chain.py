"""Tamper evidence: each provider's stored events form a SHA-256 hash chain.

Each link hashes the event exactly as stored (stream id, version, topic, state bytes) together
with the previous link's hash in that provider's chain, so changing, removing or reordering a
stored event breaks every later link of its chain. `services/audit.py` recomputes the chains from
the raw stored rows and compares them with the links recorded here.

Events that belong to no provider (learners, reporting deadlines) are chained too, in one chain
of their own under the key "" (`UNOWNED`), so no stored event escapes verification.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from collections.abc import Collection, Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from projections.base import ParsProjection, ProjectionView

GENESIS = "0" * 64  # the "previous hash" of every chain's first link
UNOWNED = ""  # the chain of events that belong to no provider


def chain_hash(prev_hash: str, originator_id: Any, originator_version: int, topic: str, state: bytes) -> str:
    """SHA-256 over the previous hash and the stored event, each part length-prefixed (no ambiguity)."""
    digest = hashlib.sha256()
    for part in (
        prev_hash.encode(),
        str(originator_id).encode(),
        str(originator_version).encode(),
        topic.encode(),
        bytes(state),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def topic_type(topic: str) -> str:
    """`domain.provider:Provider.ContactAssigned` -> `Provider.ContactAssigned` (as history names it)."""
    return topic.rpartition(":")[2]


class EventChainView(ProjectionView):
    @abstractmethod
    def last_hashes(self, accme_ids: Collection[str]) -> dict[str, str]:
        """The latest link's hash of each of these chains that has started, in one read (a page touches many)."""

    @abstractmethod
    def append(self, link: dict[str, Any], tracking: Tracking) -> None:
        """Stores one link: position, accme_id, hash, prev_hash."""

    @abstractmethod
    def links(self, start: int, stop: int, accme_id: str | None = None) -> list[dict[str, Any]]:
        """Links at positions start..stop (inclusive) in position order, of one chain or all."""

    @abstractmethod
    def chain(self, accme_id: str, after: int, limit: int) -> list[dict[str, Any]]:
        """One chain's links after position `after`, in position order, at most `limit` (pages of a chain)."""

    @abstractmethod
    def heads(self) -> dict[str, dict[str, Any]]:
        """Each chain's latest link, by accme_id: anchor these outside the database to detect a rewritten chain."""


class EventChainProjection(ParsProjection[EventChainView]):
    """Hashes the stored notification itself, not the decoded event (the runner hands it over)."""

    name = "event_chain"
    rebuild_weight = 3
    rebuild_by_default = False  # a rebuild re-hashes whatever is stored now: it would bless a tampered row
    processes_pages = True

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # pragma: no cover - see process_page
        raise TypeError("event_chain hashes stored notifications: the runner calls process_page")

    def process_page(self, page: Sequence[tuple[Any, Any, Tracking]]) -> None:
        """Links a page of (stored notification, domain event, tracking), reading the heads of all the
        chains it touches at once: one read per page, not one per chain."""
        owners = [getattr(domain_event, "accme_id", None) or UNOWNED for _, domain_event, _ in page]
        heads = self.view.last_hashes(set(owners))
        for (notification, _, tracking), accme_id in zip(page, owners, strict=True):
            prev = heads.get(accme_id, GENESIS)
            link: dict[str, Any] = {
                "position": tracking.notification_id,
                "accme_id": accme_id,
                "hash": chain_hash(
                    prev,
                    notification.originator_id,
                    notification.originator_version,
                    notification.topic,
                    notification.state,
                ),
                "prev_hash": prev,
            }
            heads[accme_id] = link["hash"]
            self.view.append(link, tracking)
