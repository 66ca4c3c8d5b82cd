"""`pars audit verify`: recompute every hash chain from the raw stored events and compare.

The chain links (projections/event_chain.py) were computed when each event was first read from
the log. Verification reads the stored rows again (`select_notifications`, no decoding, so a row
that no longer decodes is still checked), recomputes each chain from the first link, and reports
the first position where the stored event, the recorded link or the chain's order disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from projections.event_chain import GENESIS, UNOWNED, EventChainProjection, EventChainView, chain_hash, topic_type
from services.store import ParsStore

PAGE = 1000


@dataclass(frozen=True)
class Mismatch:
    position: int
    provider: str | None  # None: an event of no provider (learners, deadlines)
    type: str
    reason: str

    def describe(self) -> str:
        who = f"provider {self.provider}" if self.provider else "no provider"
        return f"event at position {self.position} ({who}, {self.type}): {self.reason}"


@dataclass
class Verification:
    checked: int = 0  # events whose link was recomputed
    verified_to: int = 0  # the last position covered (the chain's position)
    chains: set[str] = field(default_factory=set)
    first_mismatch: Mismatch | None = None

    @property
    def ok(self) -> bool:
        return self.first_mismatch is None


def check_link(link: dict[str, Any], notification: Any, prev: str) -> tuple[str, str | None]:
    """The hash the stored event should have after `prev`, and why its link disagrees (None if it agrees)."""
    expected = chain_hash(
        prev, notification.originator_id, notification.originator_version, notification.topic, notification.state
    )
    if link["prev_hash"] != prev:
        return expected, "the chain link does not follow the previous one: a link was altered, removed or reordered"
    if link["hash"] != expected:
        return expected, "the stored event does not match its hash: it was altered"
    return expected, None


def verify_chains(
    store: ParsStore,
    view: EventChainView,
    verified_to: int,
    provider: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Checks every chain (or one provider's) up to position `verified_to`, stopping at the first mismatch."""
    if provider is not None:
        return verify_chain(store, view, verified_to, provider, progress)
    result = Verification(verified_to=verified_to)
    recomputed: dict[str, str] = {}  # each chain's last hash, recomputed from the stored rows
    for lo in range(1, verified_to + 1, PAGE):
        hi = min(lo + PAGE - 1, verified_to)
        stored = {n.id: n for n in store.recorder.select_notifications(start=lo, stop=hi, limit=PAGE)}
        links = {link["position"]: link for link in view.links(lo, hi)}
        for position in sorted(stored.keys() | links.keys()):
            notification, link = stored.get(position), links.get(position)
            if link is None:  # then the position is a stored event's
                result.first_mismatch = Mismatch(
                    position, None, topic_type(stored[position].topic), "no chain link: an event was inserted"
                )
                return result
            owner = link["accme_id"] or None
            if notification is None:
                result.first_mismatch = Mismatch(position, owner, "?", "the stored event is missing: it was deleted")
                return result
            expected, reason = check_link(link, notification, recomputed.get(link["accme_id"], GENESIS))
            if reason:
                result.first_mismatch = Mismatch(position, owner, topic_type(notification.topic), reason)
                return result
            recomputed[link["accme_id"]] = expected
            result.checked += 1
            result.chains.add(link["accme_id"])
        if progress:
            progress(hi - lo + 1)
    return result


def verify_chain(
    store: ParsStore,
    view: EventChainView,
    verified_to: int,
    provider: str,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Checks one provider's chain, reading only its links (the chain table's (accme_id, position) index)
    and the stored rows at their positions, a page at a time: its cost follows the provider's events,
    not the store's. A row altered or deleted, or a link altered, removed or reordered, is found; a row
    inserted with no link is found by the whole-store check (it is in no chain to read it through)."""
    result = Verification(verified_to=verified_to)
    prev, after = GENESIS, 0
    while links := [link for link in view.chain(provider, after, PAGE) if link["position"] <= verified_to]:
        stored = {n.id: n for n in store.notifications_at(link["position"] for link in links)}
        for link in links:
            notification = stored.get(link["position"])
            if notification is None:
                result.first_mismatch = Mismatch(
                    link["position"], provider, "?", "the stored event is missing: it was deleted"
                )
                return result
            expected, reason = check_link(link, notification, prev)
            if reason:
                result.first_mismatch = Mismatch(link["position"], provider, topic_type(notification.topic), reason)
                return result
            prev = expected
            result.checked += 1
            result.chains.add(provider)
        after = links[-1]["position"]
        if progress:
            progress(len(links))
        if len(links) < PAGE:
            break
    return result


class EventChains:
    """The hash chains as the event_chain read model holds them, checked against the stored events
    (`pars audit verify`)."""

    def __init__(self, store: ParsStore, chain: EventChainProjection) -> None:
        self.store = store
        self.chain = chain

    @property
    def position(self) -> int:
        """How far the chains reach: verification covers the log up to here."""
        return self.chain.position

    def verify(
        self, verified_to: int, provider: str | None = None, progress: Callable[[int], None] | None = None
    ) -> Verification:
        """Every chain (or one provider's) up to `verified_to`, stopping at the first mismatch."""
        return verify_chains(self.store, self.chain.view, verified_to, provider, progress)


__all__ = ["UNOWNED", "EventChains", "Mismatch", "Verification", "verify_chain", "verify_chains"]
