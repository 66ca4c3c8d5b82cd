"""The acknowledgement topics' consumer (kafka-python): reads `pars.acks.board.{BOARD}` and `pars.acks.state.{STATE}`
from the offsets stored in PARS's database (services/ack_consumer.py), never from consumer-group offsets, and reads
each record into the answers of an `AcknowledgeItems` command as the HTTP route does (adapters/formats/acknowledgements.py).

A record's value is a JSON array of answers `[{"id", "status", "reason_code", "reason"}]` (as the HTTP body), or
one answer object. A value that cannot be read is handed on as a refusal (logged by the consumer, skipped)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from adapters.formats.acknowledgements import AnswersUnreadableError, read_answers
from projections.feeds import known_code
from services.ack_consumer import TOPIC_PATTERN, TOPIC_PREFIX, AckMessage

#: How often the consumer looks for acknowledgement topics created since (a board's first answer creates one).
REDISCOVER_SECONDS = 5.0
MAX_POLL_RECORDS = 2000
_UNSET = -1


def read_record(topic: str, partition: int, offset: int, value: bytes | None) -> AckMessage:
    """One record as the consumer applies it: its feed from the topic, its answers, or what makes it unreadable."""
    kind, _, code = topic[len(TOPIC_PREFIX) :].partition(".")

    def refused(why: str) -> AckMessage:
        return AckMessage(topic, partition, offset, kind, code, refusal=why)

    if not known_code(kind, code):
        return refused(f"no {'certifying board' if kind == 'board' else 'state'} feed {code!r}")
    if value is None:
        return refused("the record has no value (a JSON array of answers)")
    try:
        body: Any = json.loads(value)
    except (ValueError, UnicodeDecodeError) as error:
        return refused(f"the value is not JSON ({type(error).__name__})")
    if isinstance(body, dict) and "id" in body:
        body = [body]  # one answer on its own
    try:
        answers = read_answers(kind, body)
    except AnswersUnreadableError as error:
        return refused(str(error))
    return AckMessage(topic, partition, offset, kind, code, answers=answers)


class KafkaAckSource:
    """Every partition of every acknowledgement topic assigned by hand (no consumer group: the offsets are PARS's)."""

    def __init__(self, bootstrap: str, rediscover: float = REDISCOVER_SECONDS, **overrides: Any) -> None:
        self.consumer = KafkaConsumer(
            bootstrap_servers=bootstrap.split(","),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id="pars-acks",
            max_poll_records=MAX_POLL_RECORDS,
            request_timeout_ms=10_000,
            **overrides,
        )
        self.pattern = re.compile(TOPIC_PATTERN)
        self.rediscover = rediscover
        self.discovered_at = float("-inf")
        self.assigned: set[TopicPartition] = set()
        self.next: dict[TopicPartition, int] = {}  # where this connection's fetch position is, as set or delivered

    def _discover(self) -> None:
        topics = [t for t in self.consumer.topics() if self.pattern.match(t)]
        found = {TopicPartition(t, p) for t in topics for p in self.consumer.partitions_for_topic(t) or ()}
        if found != self.assigned:
            self.consumer.assign(sorted(found))
            self.assigned = found
            self.next = {tp: o for tp, o in self.next.items() if tp in found}
        self.discovered_at = time.monotonic()

    def poll(self, positions: dict[tuple[str, int], int], timeout: float) -> list[AckMessage]:
        if time.monotonic() - self.discovered_at >= self.rediscover:
            self._discover()
        if not self.assigned:
            time.sleep(timeout)
            return []
        for tp in self.assigned:
            stored = positions.get((tp.topic, tp.partition), _UNSET)
            if self.next.get(tp) != stored:
                if stored == _UNSET:
                    self.consumer.seek_to_beginning(tp)
                else:
                    self.consumer.seek(tp, stored)
                self.next[tp] = stored
        out: list[AckMessage] = []
        for tp, records in self.consumer.poll(timeout_ms=int(timeout * 1000)).items():
            out += [read_record(r.topic, r.partition, r.offset, r.value) for r in records]
            self.next[tp] = records[-1].offset + 1
        out.sort(key=lambda m: (m.topic, m.partition, m.offset))
        return out

    def close(self) -> None:
        self.consumer.close(autocommit=False)
