"""Board feeds: per certifying board and per state, the completions meant for that board, in
event-store order, each feed numbered 1, 2, 3... without gaps.

* `board:ABIM` gets every completion with ABIM MOC credit on an activity registered for ABIM
  (points and credit types of the registration), and a deletion item when such a completion is
  deleted.
* `state:TN` gets every completion of a learner licensed in Tennessee (CME and MOC credit: MOC
  counts as CME for state boards), and its deletion.

Personal data stays erasable: items are stored with the learner's `learner_id` only. The board ID,
licence number, NPI, names and birth day are read from the learner directory when an item is read
(HTTP page or Kafka message), so an erased learner's items identify no one from then on
(`"erased": true`). What was already published to Kafka before the erasure cannot be recalled;
that is the price of delivering within a second.

The projection routes with what it has seen earlier in the log (activity registrations, the
states of each learner's licences, the feeds each completion went to), never with another read
model, which may lag. A deletion goes to the feeds its completion's last item went to.

Rebuilding renumbers nothing for boards, but an erased learner's licence states are unreadable
on replay, so a rebuild would drop their state items and shift later sequence numbers under
consumers' cursors: the feeds are rebuilt only when named (`pars projections rebuild feeds`).
"""

from __future__ import annotations

import base64
import binascii
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.activity import Activity
from domain.completion import Completion
from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS, ERASED, Learner
from projections.base import ParsProjection, ProjectionView

BOARD = "board"
STATE = "state"


def feed_name(kind: str, code: str) -> str:
    """`board:ABIM`, `state:TN`."""
    return f"{kind}:{code}"


def known_code(kind: str, code: str) -> bool:
    return code in (CERTIFYING_BOARDS if kind == BOARD else US_STATES)


# --- cursors ---------------------------------------------------------------------------------


class InvalidCursorError(ValueError):
    """Raised when a cursor is not one this feed handed out."""


def encode_cursor(feed: str, seq: int) -> str:
    """Opaque to clients: urlsafe base64 of `feed:seq`, so a cursor of another feed is recognised."""
    return base64.urlsafe_b64encode(f"{feed}:{seq}".encode()).rstrip(b"=").decode()


def decode_cursor(feed: str, cursor: str) -> int:
    """The seq a cursor of `feed` stands for; InvalidCursorError when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursorError("not a cursor of this feed (use the `next` of a previous page)") from None
    name, _, seq = raw.rpartition(":")
    if not name or not seq.isdigit() or len(seq) > 18 or not cursor.isascii():
        raise InvalidCursorError("not a cursor of this feed (use the `next` of a previous page)")
    if name != feed:
        raise InvalidCursorError(f"a cursor of another feed, not of {feed}")
    return int(seq)


# --- items -----------------------------------------------------------------------------------


def item_id(domain_event: Any) -> str:
    """The event's identity (stream id:version): each event gives at most one item per feed, so
    it names the item within its feed and stays the same however often it is sent."""
    return f"{domain_event.originator_id}:{domain_event.originator_version}"


def board_registrations(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{board: {points, credit_types}} of an activity's MOC registrations."""
    return {
        r["board"]: {"points": r.get("points"), "credit_types": list(r.get("credit_types") or [])}
        for r in data.get("moc") or []
        if r.get("board")
    }


def board_item(kind: str, facts: dict[str, Any], board: str, registration: dict[str, Any]) -> dict[str, Any]:
    credits = [{"type": m["type"], "credits": m["credits"]} for m in facts["moc"] if m["board"] == board]
    return {
        **_common(kind, facts),
        "board": board,
        "points": sum(float(c["credits"]) for c in credits),
        "credits": credits,
        "credit_types": registration.get("credit_types") or [],
    }


def state_item(kind: str, facts: dict[str, Any], state: str) -> dict[str, Any]:
    return {**_common(kind, facts), "state": state, "cme": facts["cme"], "moc": facts["moc"]}


def _common(kind: str, facts: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": kind,
        "recorded_at": facts["recorded_at"],
        "provider_id": facts["provider_id"],
        "activity_id": facts["activity_id"],
        "credit_id": facts["credit_id"],
        "completion_date": facts["completion_date"],
        "late": facts["late"],
    }


def public_item(row: dict[str, Any], learner: dict[str, Any] | None, erased: bool) -> dict[str, Any]:
    """A stored item as boards read it: with its cursor and the learner's fields from the directory.

    `learner` is the learner directory's document (None once erased); only the identifiers the
    feed's board needs are copied from it: the board's own ID, or the licence of the state."""
    doc = row["doc"]
    person: dict[str, Any] = {
        "learner_id": row["learner_id"],
        "first_name": None,
        "last_name": None,
        "birth_month_day": None,
        "erased": erased,
    }
    if row["feed"].startswith(BOARD + ":"):
        person["board_id"] = None
    else:
        person["licence_number"] = None
        person["npi"] = None
    if learner is not None and not erased:
        person.update(
            first_name=learner["first_name"], last_name=learner["last_name"], birth_month_day=learner["birth_month_day"]
        )
        if "board_id" in person:
            person["board_id"] = next(
                (b["id"] for b in learner.get("board_ids") or [] if b["board"] == doc["board"]), None
            )
        else:
            person["licence_number"] = next(
                (lic["number"] for lic in learner.get("licences") or [] if lic["state"] == doc["state"]), None
            )
            person["npi"] = learner.get("npi")
    return {
        "id": row["item_id"],
        "cursor": encode_cursor(row["feed"], row["seq"]),
        "seq": row["seq"],
        "position": row["position"],
        **doc,
        "learner": person,
    }


# --- the read model --------------------------------------------------------------------------


class FeedView(ProjectionView):
    @abstractmethod
    def put_activity(self, key: str, number: str | None, boards: dict[str, dict[str, Any]], tracking: Tracking) -> None:
        """Stores an activity's MOC registrations (number None: keep the stored one)."""

    @abstractmethod
    def activity_boards(self, number: str) -> dict[str, dict[str, Any]]:
        """The MOC registrations of the activity with this 9-digit number ({} if unknown)."""

    @abstractmethod
    def put_learner(self, learner_id: str, states: list[str], erased: bool, tracking: Tracking) -> None:
        """Stores the states a learner is licensed in (or that they were erased)."""

    @abstractmethod
    def learner_states(self, learner_id: str) -> list[str]:
        """The states the learner holds a licence in ([] once erased or if unknown)."""

    @abstractmethod
    def get_completion(self, key: str) -> dict[str, Any] | None:
        """A completion's facts and the feeds its last item went to, or None."""

    @abstractmethod
    def append(
        self,
        key: str,
        completion: dict[str, Any],
        items: list[tuple[str, dict[str, Any]]],
        item_id: str,
        position: int,
        tracking: Tracking,
    ) -> None:
        """Stores the completion's facts and appends each (feed, item) at the next seq of its feed."""

    @abstractmethod
    def prefetch(self, learner_ids: set[str], numbers: set[str], completion_keys: set[str]) -> None:
        """Loads, inside the batch's transaction, what the batch's events will look up (one query each)."""

    @abstractmethod
    def head(self, feed: str) -> int:
        """The seq of the feed's last item (0 when it has none)."""

    @abstractmethod
    def page(self, feed: str, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` stored items of the feed with seq > after, in seq order."""

    @abstractmethod
    def between(self, first: int, last: int) -> list[dict[str, Any]]:
        """Every stored item of every feed made by events at positions first..last, in position order."""

    @abstractmethod
    def learners(self, learner_ids: list[str]) -> dict[str, tuple[dict[str, Any] | None, bool]]:
        """learner_id -> (the learner directory's document or None, erased), read when items are read."""

    @abstractmethod
    def item_types(self, feed: str, item_ids: list[str]) -> dict[str, str]:
        """item_id -> its type (completion, deletion) for the ids that are items of this feed."""


def with_learners(view: FeedView, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored rows as public items, with one learner lookup for the whole page."""
    people = view.learners(sorted({r["learner_id"] for r in rows}))
    return [public_item(r, *people.get(r["learner_id"], (None, False))) for r in rows]


class FeedProjection(ParsProjection[FeedView]):
    name = "feeds"
    rebuild_weight = 4
    #: Consumers hold cursors into the feeds; see the module docstring for why a rebuild is named.
    rebuild_by_default = False
    processes_pages = True

    def process_page(self, page: Sequence[tuple[Any, Any, Tracking]]) -> None:
        """A page of the log (notification, event, tracking) inside the batch's transaction: its
        learners, activities and earlier completions looked up with one query each, then each event."""
        self.prefetch([domain_event for _, domain_event, _ in page])
        for _, domain_event, tracking in page:
            self.handle(domain_event, tracking)

    def prefetch(self, events: list[Any]) -> None:
        recorded = [e for e in events if isinstance(e, Completion.Recorded)]
        self.view.prefetch(
            {e.learner_id for e in recorded},
            {e.activity_id for e in recorded},
            {str(e.originator_id) for e in events if isinstance(e, (Completion.Resubmitted, Completion.Deleted))},
        )

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Activity.Registered, tracking: Tracking) -> None:
        self.view.put_activity(str(e.originator_id), e.number, board_registrations(e.data), tracking)

    @process_event.register
    def _(self, e: Activity.Revised, tracking: Tracking) -> None:
        self.view.put_activity(str(e.originator_id), None, board_registrations(e.data), tracking)

    @process_event.register
    def _(self, e: Activity.Corrected, tracking: Tracking) -> None:
        self.view.put_activity(str(e.originator_id), None, board_registrations(e.data), tracking)

    @process_event.register
    def _(self, e: Learner.Registered, tracking: Tracking) -> None:
        erased = e.first_name == ERASED  # replaying an erased learner: its licences read back empty
        self.view.put_learner(str(e.originator_id), sorted({lic["state"] for lic in e.licences}), erased, tracking)

    @process_event.register
    def _(self, e: Learner.Erased, tracking: Tracking) -> None:
        self.view.put_learner(str(e.originator_id), [], True, tracking)

    @process_event.register
    def _(self, e: Completion.Recorded, tracking: Tracking) -> None:
        facts = {
            "provider_id": e.accme_id,
            "learner_id": e.learner_id,
            "activity_id": e.activity_id,
            "credit_id": e.credit_id,
        }
        self._publish(e, facts, tracking)

    @process_event.register
    def _(self, e: Completion.Resubmitted, tracking: Tracking) -> None:
        old = self.view.get_completion(str(e.originator_id))
        if old is None:  # pragma: no cover - Recorded always comes first
            self.view.insert_tracking(tracking)
            return
        facts = {k: old[k] for k in ("provider_id", "learner_id", "activity_id", "credit_id")}
        self._publish(e, facts, tracking)

    @process_event.register
    def _(self, e: Completion.Deleted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_completion(key)
        if old is None or not old["feeds"]:
            self.view.insert_tracking(tracking)
            return
        facts = {**old, "recorded_at": e.timestamp.isoformat()}
        items = []
        for feed in old["feeds"]:
            kind, code = feed.split(":", 1)
            if kind == BOARD:
                items.append(
                    (feed, board_item("deletion", facts, code, {"credit_types": old["credit_types"].get(code, [])}))
                )
            else:
                items.append((feed, state_item("deletion", facts, code)))
        self.view.append(key, {**old, "feeds": []}, items, item_id(e), tracking.notification_id, tracking)

    def _publish(
        self, e: Completion.Recorded | Completion.Resubmitted, identity: dict[str, Any], tracking: Tracking
    ) -> None:
        facts = {
            **identity,
            "recorded_at": e.timestamp.isoformat(),
            "completion_date": e.completion_date.isoformat(),
            "late": e.late,
            "cme": e.cme,
            "moc": e.moc,
        }
        registrations = self.view.activity_boards(facts["activity_id"])
        items: list[tuple[str, dict[str, Any]]] = []
        # Without the provider's attestation that the learner consented, a record reaches no board (DOMAIN-FACTS
        # 2.1: permission before sharing with boards); it still counts on the transcript.
        consented = getattr(e, "consent", True)
        for board in dict.fromkeys(m["board"] for m in e.moc) if consented else ():
            if board in registrations:  # MOC credit travels only to boards the activity is registered with
                items.append((feed_name(BOARD, board), board_item("completion", facts, board, registrations[board])))
        for state in self.view.learner_states(facts["learner_id"]) if consented else ():
            items.append((feed_name(STATE, state), state_item("completion", facts, state)))
        completion = {
            **{k: v for k, v in facts.items() if k != "recorded_at"},
            "feeds": [feed for feed, _ in items],
            "credit_types": {b: r["credit_types"] for b, r in registrations.items()},
        }
        self.view.append(str(e.originator_id), completion, items, item_id(e), tracking.notification_id, tracking)
