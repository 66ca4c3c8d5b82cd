"""The relay's connection to a Kafka-protocol broker (kafka-python)."""

from __future__ import annotations

from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from services.feed_relay import Message

#: How long one round may wait for the broker before the relay drops the connection and backs off.
TIMEOUT_MS = 10_000


class DeliveryFailedError(Exception):
    """Raised when the broker did not acknowledge every message of a round."""


class KafkaPublisher:
    """acks=all and one request in flight per connection: a retried request cannot overtake the
    one after it, so each key's messages stay in order (idempotence is left off: the relay's
    message ids already let consumers drop the repeats a retry may cause)."""

    def __init__(self, bootstrap: str, timeout_ms: int = TIMEOUT_MS, **overrides: Any) -> None:
        self.timeout_ms = timeout_ms
        config: dict[str, Any] = {
            "bootstrap_servers": bootstrap.split(","),
            "acks": "all",
            "enable_idempotence": False,
            "max_in_flight_requests_per_connection": 1,
            "retries": 5,
            # Bigger, fewer requests: with one in flight, throughput is requests per round trip.
            "linger_ms": 20,
            "batch_size": 1024 * 1024,
            "request_timeout_ms": timeout_ms // 2,
            "delivery_timeout_ms": timeout_ms,
            "max_block_ms": timeout_ms,
            "bootstrap_timeout_ms": timeout_ms,
            "client_id": "pars-relay",
            **overrides,
        }
        self.producer = KafkaProducer(**config)
        self.pending: list[Any] = []

    def send(self, message: Message) -> None:
        key, value, headers = message.encoded()
        self.pending.append(self.producer.send(message.topic, key=key, value=value, headers=headers))

    def flush(self) -> None:
        pending, self.pending = self.pending, []
        self.producer.flush(timeout=self.timeout_ms / 1000)
        for future in pending:
            try:
                future.get(timeout=0)
            except KafkaError as error:
                raise DeliveryFailedError(
                    f"the broker did not acknowledge a message: {type(error).__name__}"
                ) from error

    def close(self) -> None:
        self.producer.close(timeout=0)
