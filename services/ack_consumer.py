"""Boards' answers from Kafka: a consumer of `pars.acks.board.{BOARD}` (and `pars.acks.state.{STATE}`) whose
position is stored in the event store's own database, in the same transaction as the `Acknowledged` events it
records — not in the broker's consumer-group offsets.

A round: read the records after each partition's stored offset (the source reads them, the edge has decoded
them into `AckMessage`s already), hand each partition's answers to `CompletionRegistry.acknowledge` as one
`AcknowledgeItems` command (at most `MAX_ACKNOWLEDGEMENTS` answers a command), and save the events together
with the partition's next offset, moved by compare-and-set. So:

- **at least once, applied once**: a crash before the commit leaves the events unsaved and the offset where it
  was, so the records are read again; after the commit both moved, so a restart never applies them again;
- **deduplicated by item id and answer**: an answer a board gives again (a repeat on the topic, or the same
  answer given over HTTP first) records nothing (the aggregate compares it with the last one);
- **malformed records refused and logged**: a value that is not JSON, not an answer or a list of answers, or an
  answer the domain refuses is logged with its topic, partition and offset and skipped; the offset moves past
  it, so one bad record never stops the consumer;
- two consumers at once only race: the one whose compare-and-set fails saved nothing, and reads on from the
  stored offsets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from commands.completions import AcknowledgeItems, Acknowledgement, ReportError
from domain.base import Acting, Channel
from services.completions import MAX_ACKNOWLEDGEMENTS, AcknowledgementResult, CompletionRegistry
from services.feed_relay import PositionMovedError

log = logging.getLogger(__name__)

CONSUMER_NAME = "kafka_acks"
TOPIC_PREFIX = "pars.acks."
#: The topics' names: `pars.acks.board.ABIM`, `pars.acks.state.TN` (a regular expression for subscriptions).
TOPIC_PATTERN = r"^pars\.acks\.(board|state)\.[A-Z]{2,8}$"
IDLE_POLL_SECONDS = 0.2


def ack_topic(kind: str, code: str) -> str:
    """`("board", "ABIM")` -> `pars.acks.board.ABIM`."""
    return f"{TOPIC_PREFIX}{kind}.{code}"


@dataclass(frozen=True)
class PositionMove:
    """A partition's next offset moved from `expected` (None: never stored) to `to`, in the transaction that
    saves the events its records produced (the recorders write it: adapters/db/consumer_positions.py)."""

    consumer: str
    topic: str
    partition: int
    expected: int | None
    to: int


@dataclass(frozen=True)
class AckMessage:
    """One record of an acknowledgement topic as the edge read it: the feed it answers (`kind`, `code`, from
    the topic), its answers, or why nothing in it could be read (`refusal`)."""

    topic: str
    partition: int
    offset: int
    kind: str
    code: str
    answers: list[Acknowledgement | ReportError] = field(default_factory=list)
    refusal: str | None = None


class AckSource(Protocol):
    """A connection to the broker that reads the acknowledgement topics (adapters/kafka/acks.py)."""

    def poll(self, positions: dict[tuple[str, int], int], timeout: float) -> list[AckMessage]:
        """The next records of every acknowledgement topic, each partition from `positions`' offset (the
        earliest kept when the partition has none), in offset order within a partition."""

    def close(self) -> None:
        """Drops the connection."""


class ConsumerPositions(Protocol):
    def get(self) -> dict[tuple[str, int], int]:
        """Each (topic, partition)'s next offset to read, as stored."""


@dataclass
class RoundReport:
    messages: int = 0
    recorded: int = 0
    unchanged: int = 0
    refused: int = 0
    positions: list[int] = field(default_factory=list)


class AckConsumer:
    """Applies boards' answers from Kafka; `run_round` once, or `start`/`stop` a thread that keeps at it."""

    def __init__(
        self,
        completions: CompletionRegistry,
        positions: ConsumerPositions,
        connect: Callable[[], AckSource],
        *,
        name: str = CONSUMER_NAME,
        max_backoff: float = 5.0,
        on_round: Callable[[RoundReport], None] | None = None,
    ) -> None:
        self.completions = completions
        self.positions = positions
        self.connect = connect
        self.name = name
        self.max_backoff = max_backoff
        self.on_round = on_round
        self.source: AckSource | None = None
        self.last_error: BaseException | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def run_round(self, timeout: float = IDLE_POLL_SECONDS) -> RoundReport:
        """Reads what the broker has after the stored offsets and applies it, a partition's chunk per transaction."""
        stored = self.positions.get()
        if self.source is None:
            self.source = self.connect()
        messages = self.source.poll(stored, timeout)
        report = RoundReport(messages=len(messages))
        by_partition: dict[tuple[str, int], list[AckMessage]] = {}
        for m in messages:
            by_partition.setdefault((m.topic, m.partition), []).append(m)
        for (topic, partition), batch in by_partition.items():
            expected = stored.get((topic, partition))
            for chunk in _chunks(batch):
                to = chunk[-1].offset + 1
                move = PositionMove(self.name, topic, partition, expected, to)
                self._apply(chunk, move, report)
                expected = to
        if self.on_round is not None and messages:
            self.on_round(report)
        return report

    def _apply(self, chunk: list[AckMessage], move: PositionMove, report: RoundReport) -> None:
        kind, code = chunk[0].kind, chunk[0].code
        answers: list[Acknowledgement | ReportError] = []
        places: list[tuple[AckMessage, int]] = []  # each answer's record and index within it, for the log
        for m in chunk:
            if m.refusal is not None:
                report.refused += 1
                log.warning("%s: refused %s[%d]@%d: %s", self.name, m.topic, m.partition, m.offset, m.refusal)
                continue
            for i, answer in enumerate(m.answers):
                answers.append(answer)
                places.append((m, i))
        by = Acting(f"{kind}:{code}:kafka", Channel.KAFKA)
        results = self.completions.acknowledge(
            AcknowledgeItems(kind=kind, code=code, answers=answers), by, positions=[move]
        )
        for result in results:
            self._count(result, places, report)

    def _count(self, result: AcknowledgementResult, places: list[tuple[AckMessage, int]], report: RoundReport) -> None:
        if result.outcome == "recorded":
            report.recorded += 1
            if result.position:
                report.positions.append(result.position)
        elif result.outcome == "unchanged":
            report.unchanged += 1
        else:
            report.refused += 1
            m, i = places[result.index]
            log.warning(
                "%s: refused answer %d of %s[%d]@%d (id %s): %s",
                self.name,
                i,
                m.topic,
                m.partition,
                m.offset,
                result.item_id,
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in result.errors),
            )

    # --- the long-running loop -----------------------------------------------------------------

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name="kafka-acks", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._disconnect()

    def run(self) -> None:
        """Until stopped: read and apply; on a failure drop the connection, back off and read from the stored offsets."""
        backoff = 0.1
        while not self._stopping.is_set():
            try:
                self.run_round()
                backoff = 0.1
                self.last_error = None
            except PositionMovedError:
                self._disconnect()  # another consumer applied these records: read on from its offsets
            except Exception as error:  # noqa: BLE001 - broker down, timeouts, a database hiccup: retry
                self.last_error = error
                log.warning("%s: %s; retrying in %.1fs", self.name, type(error).__name__, backoff)
                self._disconnect()
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    def _disconnect(self) -> None:
        source, self.source = self.source, None
        if source is not None:
            try:
                source.close()
            except Exception:  # closing a connection to a broker that is gone may fail too
                log.debug("%s: close failed", self.name, exc_info=True)


def _chunks(batch: Sequence[AckMessage]) -> list[list[AckMessage]]:
    """The partition's records in runs of at most MAX_ACKNOWLEDGEMENTS answers (a record is never split)."""
    out: list[list[AckMessage]] = [[]]
    size = 0
    for m in batch:
        n = len(m.answers)
        if out[-1] and size + n > MAX_ACKNOWLEDGEMENTS:
            out.append([])
            size = 0
        out[-1].append(m)
        size += n
    return out


def describe(positions: dict[tuple[str, int], int]) -> list[dict[str, Any]]:
    """The stored offsets as `pars feeds status` prints them."""
    return [{"topic": t, "partition": p, "next_offset": o} for (t, p), o in sorted(positions.items())]
