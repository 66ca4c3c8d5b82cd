"""`pars history`: a provider's events in order, one JSON object a line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from adapters.cli.system import err, system_or_exit
from projections.history import TYPE_PATTERN


def history(
    provider: Annotated[str, typer.Option(help="the provider's ACCME ID")],
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="ISO-8601 instant",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        ),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="event types (repeat or comma-separate): Provider.ContactAssigned, Provider, or ContactAssigned",
        ),
    ] = None,
) -> None:
    """Prints the provider's events in order, one JSON object a line."""
    with system_or_exit() as system:
        system.providers.get(provider)  # a clear error for an unknown provider
        system.projections.catch_up(["history"])
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        after = 0
        types = [t.strip() for value in type_ or [] for t in value.split(",") if t.strip()] or None
        bad = [t for t in types or [] if not TYPE_PATTERN.match(t)]
        if bad:
            err.print(
                f"[red]error:[/red] not an event type: {bad[0]!r} (Provider.ContactAssigned, Provider or ContactAssigned)"
            )
            raise typer.Exit(2)
        while page := system.queries.audit.events(provider, as_of=as_of, after=after, limit=1000, types=types):
            for item in page:
                typer.echo(json.dumps({"accme_id": provider, **item}, separators=(",", ":")))
            after = page[-1]["position"]
