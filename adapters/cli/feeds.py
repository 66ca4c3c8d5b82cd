"""`pars feeds`: the Kafka relay of the board feeds, as its own process."""

from __future__ import annotations

import json
import signal
import threading
from typing import Annotated

import typer

feeds = typer.Typer(help="Board feeds: the Kafka relay.", no_args_is_help=True)


@feeds.command("relay")
def relay(
    bootstrap: Annotated[
        str | None, typer.Option(help="host:port of the broker; PARS_KAFKA_BOOTSTRAP when left out")
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000, help="events per round")] = 1000,
    webhooks_only: Annotated[
        bool, typer.Option("--webhooks-only", help="send providers' webhooks only, no Kafka (no broker needed)")
    ] = False,
) -> None:
    """Publishes every event (pars.events) and the board and state feeds (pars.feed.*) from the relay's
    stored position and applies the boards' answers (pars.acks.board.*, pars.acks.state.*) from the offsets
    stored beside them, until interrupted, and sends providers' webhooks from the sender's; the projections run
    in `pars projections run` or `pars serve`."""
    from adapters.cli.system import err, system_or_exit
    from adapters.kafka.relay import kafka_acks, kafka_relay
    from adapters.webhooks.sender import webhook_sender

    with system_or_exit() as system:
        broker = bootstrap or system.settings.kafka_bootstrap
        if not webhooks_only:
            if not broker:
                err.print(
                    "[red]error:[/red] no broker: pass --bootstrap host:port or set PARS_KAFKA_BOOTSTRAP "
                    "(or --webhooks-only)"
                )
                raise typer.Exit(2)
            if ":" not in broker:
                err.print(f"[red]error:[/red] --bootstrap must be host:port (got {broker!r})")
                raise typer.Exit(2)
        worker = None if webhooks_only else kafka_relay(system, broker, batch_size=batch_size)
        acks = None if webhooks_only else kafka_acks(system, broker)
        sender = webhook_sender(system)
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        if worker is not None and acks is not None:
            worker.start()
            acks.start()
            err.print(
                f"kafka relay to {broker} from position {worker.position.get()}; boards' answers from pars.acks.*"
            )
        sender.start()
        err.print(f"webhook sender from position {sender.deliveries.position()}")
        stopping.wait()
        err.print("stopping the relay")
        sender.stop()
        if acks is not None:
            acks.stop()
        if worker is not None:
            worker.stop()


@feeds.command("status")
def status() -> None:
    """Prints the relay's position, the head of the log and the lag, the answers' consumer offsets, and the
    webhook sender's position and lag and who holds its lease (the one sender running), as JSON."""
    from adapters.cli.system import system_or_exit
    from adapters.db.consumer_positions import SqlConsumerPositions
    from adapters.db.relay_position import SqlRelayPosition
    from services.ack_consumer import CONSUMER_NAME, describe
    from services.feed_relay import RELAY_NAME

    with system_or_exit() as system:
        at = SqlRelayPosition(system.db, RELAY_NAME).get()
        head = system.store.head()
        webhooks = system.webhook_deliveries.position()
        lease = system.webhook_deliveries.holder()
        typer.echo(
            json.dumps(
                {
                    "relay": RELAY_NAME,
                    "position": at,
                    "head": head,
                    "lag": max(head - at, 0),
                    "feeds": system.projections.position("feeds"),
                    "acknowledgements": describe(SqlConsumerPositions(system.db, CONSUMER_NAME).get()),
                    "webhook_sender": {
                        "position": webhooks,
                        "lag": max(head - webhooks, 0),
                        "held_by": lease and lease[0],
                        "lease_until": lease and lease[1].isoformat(),
                    },
                }
            )
        )
