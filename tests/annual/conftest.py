"""Helpers for the annual-reporting tests: providers registered through the service, a settable clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.bootstrap import System
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel

CLI = Acting("cli:test", Channel.CLI)
PROVIDER = Acting("provider:0001234:t1", Channel.WEB)


def settle(system: System, position: int | None = None) -> None:
    """Brings the read models up to date: waits for the API's projection threads, or catches up without them."""
    if system.projections._threads:
        system.projections.wait(position if position is not None else system.store.head())
    else:
        system.projections.catch_up()


def register(system: System, accme_id: str, accreditor: str = "ACCME", name: str | None = None) -> None:
    outcome = system.providers.register(
        RegisterProvider(
            accme_id=accme_id,
            name=name or f"Provider {accme_id}",
            accreditor=accreditor,
            primary=ContactDetails(name="Pat Primary", email=f"p{accme_id}@example.org"),
        ),
        CLI,
    )
    settle(system, outcome.position)


def at(system: System, year: int, month: int, day: int, hour: int = 12) -> None:
    """Sets the service's clock (UTC) for the steps that follow."""
    moment = datetime(year, month, day, hour, tzinfo=UTC)
    system.annual.clock = lambda: moment


@pytest.fixture
def on_time(system: System) -> System:
    at(system, 2026, 2, 1)
    return system
