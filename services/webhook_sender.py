"""The webhook sender: turns the log's events into deliveries to providers' endpoints, from a durable position
in the log (the feed relay's pattern), and sends each endpoint's deliveries in order, signed, retried with
exponential backoff.

**Enqueue.** The sender's position is the last notification id it has turned into deliveries
(`projection_tracking`, name `webhook_sender`). A round reads the events after it (never past the read models
it looks facts up in: the endpoints, the records' statuses, the activities), keeps those a provider's systems
may subscribe to (`Completion.Acknowledged` accepted or rejected, `Activity.Closed`, the annual checklist's
steps), and writes for each one its JSON body once and one delivery per endpoint of its provider standing
at that event's position and subscribed to its type; the deliveries and the new position commit in one
transaction (compare-and-set), so each event is queued exactly once, even across crashes.

**Deliver.** Each endpoint is a queue ordered by the position of the event it carries (a redelivery is
queued at the position of its request). Only the queue's head is sent: after a failure the head waits for
its next attempt (the first delay doubling up to a maximum) and nothing behind it is sent, so an endpoint
receives its provider's events in log order. A head that still fails once `retry_for` (24 h by default)
has passed since its first attempt is marked failed and the queue moves on; the provider sees it and may
redeliver it. Endpoints are independent: each due endpoint is worked by one thread of a small pool, with
a timeout on every call, so a slow or failing endpoint holds one thread for at most that timeout and never
the API (the sender is not on the write path) or the other endpoints. Results are written after each
batch of an endpoint, by another thread while the next batch is sent: a crash before that sends those
batches again, in order (at least once; receivers drop repeats by the payload's `id`, the log event's stream
id:version, the same on every attempt and redelivery).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from eventsourcing.utils import get_topic

from domain.activity import Activity
from domain.annual_report import AnnualReport
from domain.completion import Completion
from domain.webhook import WebhookEndpoint
from projections.base import event_type, to_jsonable
from projections.feeds import item_id
from projections.webhooks import WebhookView
from services.store import ParsStore

log = logging.getLogger(__name__)

SENDER_NAME = "webhook_sender"
SIGNATURE_HEADER = "PARS-Signature"
BATCH_SIZE = 1000
#: Results are recorded after at most this many deliveries or this long (what a crash may send twice).
DELIVERY_BATCH = 100
RECORD_EVERY_SECONDS = 0.25
#: Batches an endpoint's worker sends (reading its queue again for each) before it gives the endpoint back.
DELIVERY_ROUNDS = 5
IDLE_POLL_SECONDS = 0.05
LEASE_SECONDS = 15.0
#: The read models whose rows the bodies are built from: the sender never reads the log past them.
NEEDS = ("webhooks", "record_status", "activity_summary")

ACKNOWLEDGED = {"accepted": "completion.accepted", "rejected": "completion.rejected"}
#: The annual checklist's steps each event records (done) or undoes (the reopening undoes the attestation).
CHECKLIST_STEPS: dict[type, tuple[str, bool]] = {
    AnnualReport.AgreementAccepted: ("agreement", True),
    AnnualReport.ProgramSummarySubmitted: ("program_summary", True),
    AnnualReport.ContactsReviewed: ("contacts_reviewed", True),
    AnnualReport.Attested: ("attestation", True),
    AnnualReport.Reopened: ("attestation", False),
}
TOPICS = frozenset(
    get_topic(cls)
    for cls in (
        Completion.Acknowledged,
        Activity.Closed,
        WebhookEndpoint.Removed,
        WebhookEndpoint.RedeliveryRequested,
        *CHECKLIST_STEPS,
    )
)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `PARS-Signature` header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: float, tolerance: float = 300.0) -> bool:
    """What a receiver does (and the tests): the signature matches and its time is within `tolerance`."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: `first` seconds after the first failure, doubling up to `longest`; a delivery is
    given up after a failure once `retry_for` seconds have passed since its first attempt."""

    first: float = 30.0
    longest: float = 3600.0
    retry_for: float = 86400.0

    def delay(self, attempts: int) -> float:
        return float(min(self.first * 2.0 ** min(max(attempts - 1, 0), 60), self.longest))  # 2**60: far past any cap

    def next_attempt(self, attempts: int, first_attempt_at: datetime, now: datetime) -> datetime | None:
        """When to try again after `attempts` failed attempts, or None: give up."""
        if (now - first_attempt_at).total_seconds() >= self.retry_for:
            return None
        return now + timedelta(seconds=self.delay(attempts))


@dataclass(frozen=True)
class Outgoing:
    """One event as sent to a provider's systems."""

    event_id: str
    accme_id: str
    type: str
    position: int
    body: str


@dataclass(frozen=True)
class NewDelivery:
    endpoint_id: str
    seq: int  # the log position of the event (or of the redelivery request)
    event_id: str
    accme_id: str
    type: str
    redelivery_of: str | None = None
    requested_by: str | None = None

    @property
    def delivery_id(self) -> str:
        return f"{self.endpoint_id}.{self.seq}"


@dataclass(frozen=True)
class Pending:
    delivery_id: str
    endpoint_id: str
    seq: int
    event_id: str
    body: str
    attempts: int
    first_attempt_at: datetime | None


@dataclass
class Attempt:
    delivery_id: str
    n: int
    at: datetime
    duration_ms: int
    status: int | None
    response: str | None
    error: str | None


@dataclass
class Result:
    """A delivery's state after a batch: `pending` with its next attempt, `delivered` or `failed`."""

    delivery_id: str
    status: str
    attempts: int
    first_attempt_at: datetime
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class Answer:
    """What an endpoint answered: its HTTP status and the first bytes of its body."""

    status: int
    body: str


class TransportError(Exception):
    """Raised when a delivery could not be made (refused address, DNS, connection, timeout): the message says why."""


class Transport(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        """POSTs the body; no redirects followed; raises TransportError when no answer came."""


class Secrets(Protocol):
    def get(self, endpoint_id: str) -> str | None: ...


class Facts(Protocol):
    """What the bodies say beside the event itself, from the read models the sender waits for."""

    def completions(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        """{completion aggregate id: {credit_id, activity_id, completion_date}}."""

    def activities(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        """{activity aggregate id: {activity_id, provider_activity_id, title}}."""


class PositionMovedError(Exception):
    """Raised when another sender moved the stored position first (it queued that round)."""


class DeliveryStore(Protocol):
    """The sender's tables (adapters/db/webhook_store.py)."""

    def hold(self, holder: str, now: datetime, seconds: float) -> bool:
        """Takes or renews the one sender's lease until `now + seconds`; False while another's runs."""

    def release(self, holder: str) -> None: ...

    def position(self) -> int: ...

    def enqueue(
        self,
        expected: int,
        to: int,
        events: Sequence[Outgoing],
        deliveries: Sequence[NewDelivery],
        cancelled: Sequence[tuple[str, int, datetime]],
    ) -> None:
        """Writes the events and deliveries, cancels the pending deliveries of removed endpoints (endpoint, the
        removal's position, when) and moves the position from `expected` to `to`, in one transaction;
        raises PositionMovedError when the position is not at `expected`."""

    def delivery(self, accme_id: str | None, delivery_id: str) -> dict[str, Any] | None: ...

    def due(self, now: datetime, limit: int) -> list[str]:
        """Endpoints whose queue's head is due."""

    def next_due(self) -> datetime | None:
        """When the earliest head is due (None: nothing pending)."""

    def queue(self, endpoint_id: str, limit: int, after: int = -1) -> list[Pending]:
        """The endpoint's pending deliveries after position `after`, head first."""

    def finish(self, attempts: Sequence[Attempt], results: Sequence[Result]) -> None:
        """Records a batch's attempts and the deliveries' new state in one transaction."""


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body_of(event_id: str, kind: str, created: datetime, data: dict[str, Any]) -> str:
    return json.dumps(
        {"id": event_id, "type": kind, "created": _utc(created), "data": to_jsonable(data)},
        separators=(",", ":"),
        ensure_ascii=False,
    )


@dataclass
class WebhookSender:
    store: ParsStore
    endpoints: WebhookView
    facts: Facts
    deliveries: DeliveryStore
    transport: Transport
    secrets: Secrets
    bound: Callable[[], int]  # how far the read models the bodies need have come
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    workers: int = 8
    batch_size: int = BATCH_SIZE
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    #: How long the sender's lease lasts unrenewed: a sender that dies is replaced by another after at most this.
    lease_seconds: float = LEASE_SECONDS
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    last_error: BaseException | None = None
    #: Whether this sender holds the lease (the one sender of its database) or stands by.
    holding: bool = False

    def __post_init__(self) -> None:
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._busy: dict[str, Future[Any]] = {}
        # Writes each endpoint's batch results while its worker sends the next batch (threads made as needed).
        self._recorder = self._new_recorder()

    def _new_recorder(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="webhook-record")

    # --- queueing ---------------------------------------------------------------------------------

    def enqueue_round(self) -> int:
        """Queues the deliveries of the next events; how far the position moved (0: caught up)."""
        after = self.deliveries.position()
        upto = self.bound()
        if upto <= after:
            return 0
        notifications = self.store.recorder.select_notifications(start=after + 1, limit=self.batch_size, stop=upto)
        if not notifications:
            return 0
        last = notifications[-1].id
        events = [
            (n.id, self.store.mapper.to_domain_event(n)) for n in notifications if n.topic in TOPICS
        ]  # the rest (most of the log) is never decoded
        outgoing, deliveries, cancelled = self._deliveries(events, after, last)
        self.deliveries.enqueue(after, last, outgoing, deliveries, cancelled)
        if deliveries:
            self._wake.set()
        return last - after

    def _deliveries(
        self, events: list[tuple[int, Any]], after: int, last: int
    ) -> tuple[list[Outgoing], list[NewDelivery], list[tuple[str, int, datetime]]]:
        outgoing: list[Outgoing] = []
        deliveries: list[NewDelivery] = []
        cancelled: list[tuple[str, int, datetime]] = []
        if not events:
            return outgoing, deliveries, cancelled
        standing = self.endpoints.standing_at({e.accme_id for _, e in events}, after, last)
        by_provider: dict[str, list[dict[str, Any]]] = {}
        for endpoint in standing:
            by_provider.setdefault(endpoint["accme_id"], []).append(endpoint)
        completions = self.facts.completions(
            {str(e.originator_id) for _, e in events if isinstance(e, Completion.Acknowledged)}
        )
        activities = self.facts.activities({str(e.originator_id) for _, e in events if isinstance(e, Activity.Closed)})
        for position, e in events:
            if isinstance(e, WebhookEndpoint.Removed):
                cancelled.append((e.endpoint_id, position, e.timestamp))
                continue
            if isinstance(e, WebhookEndpoint.RedeliveryRequested):
                original = self.deliveries.delivery(e.accme_id, e.delivery_id)
                if original is not None:
                    deliveries.append(
                        NewDelivery(
                            e.endpoint_id,
                            position,
                            original["event_id"],
                            e.accme_id,
                            original["type"],
                            redelivery_of=e.delivery_id,
                            requested_by=e.actor,
                        )
                    )
                continue
            targets = by_provider.get(e.accme_id)
            if not targets:
                continue
            shaped = self._shape(e, completions, activities)
            if shaped is None:
                continue
            kind, data = shaped
            event_id = item_id(e)
            subscribed = [
                t
                for t in targets
                if kind in t["events"]
                and t["registered_position"] < position
                and (t["removed_position"] is None or t["removed_position"] > position)
            ]
            if not subscribed:
                continue
            outgoing.append(Outgoing(event_id, e.accme_id, kind, position, body_of(event_id, kind, e.timestamp, data)))
            deliveries += [NewDelivery(t["id"], position, event_id, e.accme_id, kind) for t in subscribed]
        return outgoing, deliveries, cancelled

    @staticmethod
    def _shape(
        e: Any, completions: dict[str, dict[str, Any]], activities: dict[str, dict[str, Any]]
    ) -> tuple[str, dict[str, Any]] | None:
        """The webhook type and data of a log event, or None when it is not sent (a state board's `received`)."""
        accme_id = e.accme_id
        if isinstance(e, Completion.Acknowledged):
            kind = ACKNOWLEDGED.get(e.status)
            if kind is None:
                return None
            record = completions.get(str(e.originator_id), {})
            data = {
                "provider_id": accme_id,
                "credit_id": record.get("credit_id"),
                "activity_id": record.get("activity_id"),
                "completion_date": record.get("completion_date"),
                "feed": e.feed,
                "board": e.board,
                "item_id": e.item_id,
                "status": e.status,
                "reason_code": e.reason_code,
                "reason": e.reason,
            }
            return kind, data
        if isinstance(e, Activity.Closed):
            activity = activities.get(str(e.originator_id), {})
            return "activity.closed", {
                "provider_id": accme_id,
                "activity_id": activity.get("activity_id"),
                "provider_activity_id": activity.get("provider_activity_id"),
                "title": activity.get("title"),
                "closed_by": e.actor,
            }
        step = CHECKLIST_STEPS.get(type(e))
        if step is not None:
            name, done = step
            return "checklist.changed", {
                "provider_id": accme_id,
                "year": e.year,
                "step": name,
                "done": done,
                "event": event_type(e),
                "checklist": f"/api/v1/providers/{accme_id}/years/{e.year}/checklist",
            }
        return None

    def catch_up_queue(self) -> int:
        total = 0
        while moved := self.enqueue_round():
            total += moved
        return total

    # --- delivering -------------------------------------------------------------------------------

    def deliver(self, endpoint_id: str) -> int:
        """Sends the endpoint's queue from its head, in order, until it is empty or a delivery fails (at most
        DELIVERY_ROUNDS batches); records each batch's attempts while it reads and sends the next one (the
        recording waits on the database, the sending on the endpoint), and returns once all are recorded. Returns
        how many were delivered. A crash sends again what was not recorded yet: at most two batches, in order
        (at least once)."""
        endpoint = self.endpoints.get_endpoint(endpoint_id)
        secret = self.secrets.get(endpoint_id)
        delivered = 0
        sent_up_to = -1  # the position of the last delivery sent: the batch being recorded is still pending
        recording: Future[None] | None = None
        try:
            for _ in range(DELIVERY_ROUNDS):
                queue = self.deliveries.queue(endpoint_id, DELIVERY_BATCH, after=sent_up_to)
                if not queue:
                    break
                attempts, results, stopped = self._send_batch(endpoint, secret, queue)
                sent_up_to = queue[len(attempts) - 1].seq
                delivered += sum(1 for r in results if r.status == "delivered")
                if recording is not None:
                    recording.result()  # one batch recorded at a time; a failure stops the sending
                recording = self._recorder.submit(self.deliveries.finish, attempts, results)
                if stopped or self._stopping.is_set():
                    break
        finally:
            if recording is not None:
                recording.result()
        return delivered

    def _send_batch(
        self, endpoint: dict[str, Any] | None, secret: str | None, batch: Sequence[Pending]
    ) -> tuple[list[Attempt], list[Result], bool]:
        """Sends the batch in order for at most RECORD_EVERY_SECONDS; the attempts, the deliveries' new state and
        whether a failure stopped the queue (the head waits: nothing behind it goes first)."""
        attempts: list[Attempt] = []
        results: list[Result] = []
        batch_began = time.monotonic()
        for pending in batch:
            if attempts and time.monotonic() - batch_began > RECORD_EVERY_SECONDS:
                break  # record what was sent; the rest of the queue goes on at once
            started = self.now()
            clock = time.monotonic()
            status: int | None = None
            response: str | None = None
            error: str | None = None
            if endpoint is None or endpoint["removed_at"]:
                error = "the webhook was removed"
            elif secret is None:
                error = "the webhook's secret cannot be read (PARS_SECRET_KEY changed?): register it again"
            else:
                body = pending.body.encode()
                headers = {
                    "Content-Type": "application/json",
                    SIGNATURE_HEADER: sign(secret, int(time.time()), body),
                    "PARS-Delivery": pending.delivery_id,
                    "User-Agent": "PARS-Webhooks/1",
                }
                try:
                    answer = self.transport.post(endpoint["url"], body, headers)
                    status, response = answer.status, answer.body
                    if not 200 <= status < 300:
                        error = f"the endpoint answered {status}" + (
                            " (redirects are not followed)" if 300 <= status < 400 else ""
                        )
                except TransportError as failure:
                    error = str(failure)[:300]
            n = pending.attempts + 1
            first = pending.first_attempt_at or started
            duration_ms = int((time.monotonic() - clock) * 1000)
            attempts.append(Attempt(pending.delivery_id, n, started, duration_ms, status, response, error))
            finished = self.now()
            if error is None:
                results.append(Result(pending.delivery_id, "delivered", n, first, finished, status, None, finished))
                continue
            if endpoint is None or endpoint["removed_at"]:
                results.append(Result(pending.delivery_id, "cancelled", n, first, finished, None, error, finished))
                continue
            retry = self.policy.next_attempt(n, first, finished)
            if retry is None:
                results.append(Result(pending.delivery_id, "failed", n, first, finished, status, error, finished))
            else:
                results.append(Result(pending.delivery_id, "pending", n, first, retry, status, error))
            return attempts, results, True
        return attempts, results, False

    # --- the long-running loop --------------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="webhook")
        self._thread = threading.Thread(target=self.run, name="webhook-sender", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Looks at the log again now (the read models it follows moved)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        recorder, self._recorder = self._recorder, self._new_recorder()  # its threads end; deliver() may go on
        recorder.shutdown(wait=True)
        if self.holding:
            self.holding = False
            try:
                self.deliveries.release(self.holder)
            except Exception:
                log.warning("webhook sender: could not give the lease up", exc_info=True)

    def _hold(self) -> bool:
        """Takes or renews the lease; logs when this sender starts or stops being the one that sends."""
        try:
            held = self.deliveries.hold(self.holder, self.now(), self.lease_seconds)
        except Exception:
            log.warning("webhook sender: the lease could not be asked for", exc_info=True)
            held = False
        if held != self.holding:
            log.info(
                "webhook sender %s: %s",
                self.holder,
                "sending" if held else "another sender holds the lease; standing by",
            )
        self.holding = held
        return held

    def run(self) -> None:
        """Until stopped: queue what the log holds, hand each due endpoint to a worker, wait for more. Only the
        holder of the lease does so (one sender per database: two would each send every delivery); another
        stands by and takes over once the holder stops or its lease runs out (it died)."""
        renew_at = 0.0
        while not self._stopping.is_set():
            if time.monotonic() >= renew_at:
                if not self._hold():
                    self._stopping.wait(self.lease_seconds / 3)
                    continue
                renew_at = time.monotonic() + self.lease_seconds / 3
            self._wake.clear()  # before looking: a worker finishing from here on wakes the wait below
            try:
                moved = self.enqueue_round()
                self._dispatch()
                self.last_error = None
            except PositionMovedError:
                continue  # another sender queued that round; carry on from its position
            except Exception as error:
                self.last_error = error
                log.warning("webhook sender: %s", type(error).__name__, exc_info=True)
                self._stopping.wait(1.0)
                continue
            if moved:
                continue
            self._wake.wait(self._sleep())

    def _sleep(self) -> float:
        """Until the next head is due, at most IDLE_POLL_SECONDS (other processes' appends are seen that fast).
        A head due now was not handed out because its endpoint is being worked (or every worker is busy): a
        worker finishing wakes the loop, so there is no need to look again sooner."""
        upcoming = self.deliveries.next_due()
        if upcoming is None:
            return IDLE_POLL_SECONDS
        wait = (upcoming - self.now()).total_seconds()
        return IDLE_POLL_SECONDS if wait <= 0 else min(wait, IDLE_POLL_SECONDS)

    def _dispatch(self) -> None:
        assert self._pool is not None
        for endpoint_id, future in list(self._busy.items()):
            if future.done():
                del self._busy[endpoint_id]
        room = self.workers - len(self._busy)
        if room <= 0:
            return
        for endpoint_id in self.deliveries.due(self.now(), limit=room + len(self._busy)):
            if endpoint_id in self._busy or len(self._busy) >= self.workers:
                continue
            self._busy[endpoint_id] = self._pool.submit(self._work, endpoint_id)

    def _work(self, endpoint_id: str) -> None:
        try:
            self.deliver(endpoint_id)
        except Exception:
            log.warning("webhook sender: delivering to %s failed", endpoint_id, exc_info=True)
        finally:
            self._wake.set()  # its queue may hold more: look again at once
