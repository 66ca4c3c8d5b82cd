"""Builds the Kafka relay of a system and the consumer of the boards' answers (PARS_KAFKA_BOOTSTRAP, or a broker
given explicitly): both run in the relay's process (`pars feeds relay`, or `pars serve`'s threads)."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import System
from adapters.db.consumer_positions import SqlConsumerPositions
from adapters.db.relay_position import SqlRelayPosition
from projections.feeds import FeedProjection
from services.ack_consumer import CONSUMER_NAME, AckConsumer
from services.feed_relay import BATCH_SIZE, RELAY_NAME, FeedRelay


def kafka_relay(
    system: System,
    bootstrap: str | None = None,
    *,
    batch_size: int = BATCH_SIZE,
    max_backoff: float = 5.0,
    **producer: Any,
) -> FeedRelay:
    from adapters.kafka.publisher import KafkaPublisher

    broker = bootstrap or system.settings.kafka_bootstrap
    if not broker:
        raise ValueError("no Kafka broker: set PARS_KAFKA_BOOTSTRAP=host:port")
    return FeedRelay(
        system.store,
        system.projections.get(FeedProjection),  # the relay follows the feeds read model's own rows and position
        SqlRelayPosition(system.db, RELAY_NAME),
        lambda: KafkaPublisher(broker, **producer),
        batch_size=batch_size,
        max_backoff=max_backoff,
    )


def kafka_acks(system: System, bootstrap: str | None = None, **consumer: Any) -> AckConsumer:
    """The consumer of the boards' acknowledgement topics, its offsets in the store's database."""
    from adapters.kafka.acks import KafkaAckSource

    broker = bootstrap or system.settings.kafka_bootstrap
    if not broker:
        raise ValueError("no Kafka broker: set PARS_KAFKA_BOOTSTRAP=host:port")
    return AckConsumer(
        system.completions, SqlConsumerPositions(system.db, CONSUMER_NAME), lambda: KafkaAckSource(broker, **consumer)
    )
