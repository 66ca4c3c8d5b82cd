"""What every command runs on: the system built from the environment (its errors a message and an exit code),
the CLI's actor, read-your-writes from this process, and the console for messages (stderr)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError
from rich.console import Console

from adapters.bootstrap import System, bootstrap
from adapters.settings import Settings
from domain.base import Acting, Channel
from domain.errors import DomainError
from services.gc_policy import freeze_after_start_up

err = Console(stderr=True, soft_wrap=True)  # messages whole: a path or an ID is never broken across lines


@contextmanager
def system_or_exit(public_url: str | None = None) -> Iterator[System]:
    """Builds the system from the environment; domain errors become a message and exit 1.
    `public_url` is the default of PARS_PUBLIC_URL (the address `pars serve` listens on)."""
    try:
        settings = Settings()
        if public_url and not settings.public_url:
            settings.public_url = public_url
        system = bootstrap(settings)
        freeze_after_start_up()  # the collector never walks start-up's objects again (services/gc_policy.py)
    except ValidationError as error:
        err.print(f"[red]configuration error:[/red] {error.errors()[0]['msg']}")
        raise typer.Exit(2) from None
    try:
        yield system
    except DomainError as error:
        err.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    finally:
        system.close()


def settings_or_exit() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        err.print(f"[red]configuration error:[/red] {error.errors()[0]['msg']}")
        raise typer.Exit(2) from None


def cli_actor() -> Acting:
    return Acting(f"cli:{getpass.getuser()}", Channel.CLI)


def settle(system: System, names: list[str], position: int | None = None) -> None:
    """Brings these read models to the head (at least to `position`) from this process. A `pars serve`
    or worker running the same projection may write a page first: that page is then there already,
    and the next round goes on from the position it wrote."""
    for _ in range(100):
        try:
            system.projections.catch_up(names)
            break
        except IntegrityError:  # another process applied that page first
            continue
    system.projections.wait(position, timeout=30, names=names)
