"""Every record's status: per completion, what each certifying board made of it (pending until it answers,
accepted, or rejected with its reason; not sent when the provider did not attest the learner's consent), and
the state boards' answers; per provider, year, board and status, how many records stand so.

A completion's boards are the boards it carries MOC points for (the activity is registered with each: the
domain refuses MOC for another). A board's answer counts for the record it answered: a resubmission is a new
record, pending again until the board answers its new item. Rows hold no personal data (learner_id only):
the roster reads names from the learner directory when it is read, so an erased learner's rows identify no one.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import date
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.activity import Activity
from domain.completion import Completion
from domain.credit_deadlines import record_deadline
from projections.base import ParsProjection, ProjectionView

PENDING, ACCEPTED, REJECTED, NOT_SENT = "pending", "accepted", "rejected", "not_sent"
#: A certifying board's statuses, in the order the roster and the dashboard list them.
STATUSES = (PENDING, ACCEPTED, REJECTED, NOT_SENT)
SORTS = ("completion_date", "learner", "credit_id")


def cme_credits(cme: list[dict[str, Any]]) -> float:
    return sum(float(c["credits"]) for c in cme)


def board_points(moc: list[dict[str, Any]]) -> dict[str, float]:
    """A board's MOC points, its entries added up, boards in the order first reported."""
    points: dict[str, float] = {}
    for m in moc:
        points[m["board"]] = points.get(m["board"], 0.0) + float(m["credits"])
    return points


def claim_dates(data: dict[str, Any]) -> dict[str, str]:
    """{board: ISO date} of an activity's MOC registrations that name a credit-claim date."""
    out: dict[str, str] = {}
    for r in data.get("moc") or []:
        try:
            out[r["board"]] = date.fromisoformat(str(r.get("claim_date") or "")[:10]).isoformat()
        except (KeyError, ValueError):
            continue
    return out


def board_deadline(board: str, completion_date: str, claims: dict[str, str]) -> dict[str, str]:
    """The record's date with the board (the earliest that decides whether its credit is lost) and its rule."""
    claim = claims.get(board)
    first = record_deadline(board, date.fromisoformat(completion_date), date.fromisoformat(claim) if claim else None)
    return {"due": first.due.isoformat(), "rule": first.rule, "grace_until": first.grace_until.isoformat()}


def with_deadlines(row: dict[str, Any], claims: dict[str, str]) -> dict[str, Any]:
    """The row with each board's date worked out again (the activity's claim dates changed)."""
    doc = dict(row["doc"])
    doc["boards"] = {
        b: {**facts, **board_deadline(b, row["completion_date"], claims)} for b, facts in doc["boards"].items()
    }
    return {**row, "doc": doc}


def record_row(e: Any, identity: dict[str, Any], claims: dict[str, str] | None = None) -> dict[str, Any]:
    """A (re)submitted record: every board it carries points for pending, or not sent without consent, each with
    the date by which the board should have accepted it (domain/credit_deadlines.py)."""
    consent = bool(getattr(e, "consent", True))  # events recorded before consent was asked for were sent
    status = PENDING if consent else NOT_SENT
    completed = e.completion_date.isoformat()
    return {
        **identity,
        "completion_date": e.completion_date.isoformat(),
        "deleted": False,
        "consent": consent,
        "doc": {
            "activity_title": e.activity_title,
            "cme": e.cme,
            "cme_credits": cme_credits(e.cme),
            "moc": e.moc,
            "late": e.late,
            "item_id": f"{e.originator_id}:{e.originator_version}",
            "recorded_at": e.timestamp.isoformat(),
            "boards": {
                b: {"points": p, "status": status, **board_deadline(b, completed, claims or {})}
                for b, p in board_points(e.moc).items()
            },
            "states": {},
        },
    }


class RecordStatusView(ProjectionView):
    @abstractmethod
    def get_record(self, key: str) -> dict[str, Any] | None:
        """One completion's row by its aggregate id (deleted or not), or None."""

    @abstractmethod
    def prefetch_claims(self, activity_ids: set[str]) -> None:
        """Loads, inside the batch's transaction, the claim dates of these activities (one query per 500)."""

    @abstractmethod
    def prefetch(self, keys: set[str]) -> None:
        """Loads, inside the batch's transaction, the rows the batch's events will look up (one query per 500)."""

    @abstractmethod
    def put_record(self, key: str, row: dict[str, Any], tracking: Tracking) -> None:
        """Stores (or replaces) one completion's row; the board counts move with it."""

    @abstractmethod
    def restate_record(self, key: str, row: dict[str, Any]) -> None:
        """Replaces one completion's row inside the batch's transaction, tracking nothing (an activity's event
        that changes its records' dates tracks itself)."""

    @abstractmethod
    def get_activity(self, key: str) -> dict[str, Any] | None:
        """An activity's {accme_id, activity_id, claims} by its aggregate id, or None."""

    @abstractmethod
    def claims_of(self, activity_id: str) -> dict[str, str]:
        """{board: ISO credit-claim date} of the activity with this 9-digit number (empty when none)."""

    @abstractmethod
    def put_activity(self, key: str, activity: dict[str, Any], tracking: Tracking) -> None:
        """Stores an activity's {accme_id, activity_id, claims}."""

    @abstractmethod
    def activity_records(self, accme_id: str, activity_id: str) -> list[dict[str, Any]]:
        """The activity's standing rows (inside the batch: as the batch left them)."""

    @abstractmethod
    def roster(
        self,
        accme_id: str,
        activity_id: str | None,
        *,
        statuses: Sequence[str] | None,
        board: str | None,
        due_from: str | None = None,
        due_to: str | None = None,
        year: int | None = None,
        sort: str,
        descending: bool,
        limit: int | None,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        """The activity's standing records (every activity's when None; with any board — `board` — in one of
        `statuses` and due between `due_from` and `due_to`, ISO dates included; completed in `year`), sorted, a
        page of them, each with `learner` (the directory's document, None once erased), and how many match."""

    @abstractmethod
    def deadline_counts(self, accme_id: str, late_before: str, risk_to: str) -> dict[str, dict[str, int]]:
        """{board: {"late": n, "at_risk": n}} of the provider's standing records a board has not accepted (pending
        or rejected): late when due before `late_before`, at risk when due from it to `risk_to` (included)."""

    @abstractmethod
    def providers_with_open_records(self, due_to: str) -> list[str]:
        """The providers with a standing record not accepted by a board that is due on or before `due_to`."""

    @abstractmethod
    def by_credit_id(self, accme_id: str, credit_id: str) -> list[dict[str, Any]]:
        """The provider's standing records with this credit ID."""

    @abstractmethod
    def board_counts(self, accme_id: str, year: int) -> dict[str, dict[str, int]]:
        """{board: {status: records}} of the provider's standing records completed in the year (kept counts)."""


class RecordStatusProjection(ParsProjection[RecordStatusView]):
    name = "record_status"
    rebuild_weight = 6
    skips_unhandled = True
    #: A page's answers, deletions and resubmissions look their records up with one query, not one each.
    processes_pages = True

    def process_page(self, page: Sequence[tuple[Any, Any, Tracking]]) -> None:
        self.view.prefetch_claims({e.activity_id for _, e, _ in page if isinstance(e, Completion.Recorded)})
        self.view.prefetch(
            {
                str(e.originator_id)
                for _, e, _ in page
                if isinstance(e, (Completion.Acknowledged, Completion.Deleted, Completion.Resubmitted))
            }
        )
        for _, domain_event, tracking in page:
            self.handle(domain_event, tracking)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Completion.Recorded, tracking: Tracking) -> None:
        identity = {
            "accme_id": e.accme_id,
            "activity_id": e.activity_id,
            "learner_id": e.learner_id,
            "credit_id": e.credit_id,
        }
        self.view.put_record(
            str(e.originator_id), record_row(e, identity, self.view.claims_of(e.activity_id)), tracking
        )

    @process_event.register
    def _(self, e: Activity.Registered, tracking: Tracking) -> None:
        self._activity(str(e.originator_id), e.accme_id, e.number, e.data, tracking)

    @process_event.register
    def _(self, e: Activity.Revised, tracking: Tracking) -> None:
        self._activity(str(e.originator_id), e.accme_id, None, e.data, tracking)

    @process_event.register
    def _(self, e: Activity.Corrected, tracking: Tracking) -> None:
        self._activity(str(e.originator_id), e.accme_id, None, e.data, tracking)

    def _activity(self, key: str, accme_id: str, number: str | None, data: dict[str, Any], tracking: Tracking) -> None:
        """Keeps the activity's credit-claim dates; when they change, its standing records get their dates again."""
        claims = claim_dates(data)
        old = self.view.get_activity(key)
        number = number or (old["activity_id"] if old else None)
        if number is None or (old is not None and old["claims"] == claims):
            self.view.insert_tracking(tracking)
            return
        if old is not None:
            for row in self.view.activity_records(accme_id, number):
                self.view.restate_record(row["key"], with_deadlines(row, claims))
        self.view.put_activity(key, {"accme_id": accme_id, "activity_id": number, "claims": claims}, tracking)

    @process_event.register
    def _(self, e: Completion.Resubmitted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_record(key)
        if old is None:  # pragma: no cover - Recorded always comes first
            self.view.insert_tracking(tracking)
            return
        identity = {k: old[k] for k in ("accme_id", "activity_id", "learner_id", "credit_id")}
        self.view.put_record(key, record_row(e, identity, self.view.claims_of(old["activity_id"])), tracking)

    @process_event.register
    def _(self, e: Completion.Deleted, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_record(key)
        if old is None:  # pragma: no cover
            self.view.insert_tracking(tracking)
            return
        self.view.put_record(key, {**old, "deleted": True}, tracking)

    @process_event.register
    def _(self, e: Completion.Acknowledged, tracking: Tracking) -> None:
        key = str(e.originator_id)
        old = self.view.get_record(key)
        if (
            old is None or old["deleted"] or old["doc"].get("item_id") != e.item_id
        ):  # pragma: no cover - the domain refuses these
            self.view.insert_tracking(tracking)
            return
        kind = e.feed.partition(":")[0]
        answer = {
            "status": e.status,
            "reason_code": e.reason_code,
            "reason": e.reason,
            "answered_at": e.timestamp.isoformat(),
        }
        doc = dict(old["doc"])
        if kind == "board":
            boards = dict(doc["boards"])
            boards[e.board] = {**boards.get(e.board, {"points": 0.0}), **answer}
            doc["boards"] = boards
        else:
            doc["states"] = {**doc.get("states", {}), e.board: answer}
        self.view.put_record(key, {**old, "doc": doc}, tracking)
