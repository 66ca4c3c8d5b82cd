"""Builds the Kafka relay of a system (PARS_KAFKA_BOOTSTRAP, or a broker given explicitly)."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import System
from adapters.db.relay_position import SqlRelayPosition
from projections.feeds import FeedProjection
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
