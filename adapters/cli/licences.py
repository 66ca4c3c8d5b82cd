"""`pars admin seed-licence-rules` and `send-gap-alerts`: state licences' CME rules and physicians' gap alerts."""

from __future__ import annotations

import typer

from adapters.cli.system import cli_actor, settle, system_or_exit
from adapters.licences.seed import seed_commands
from commands.licences import SendGapAlerts


def seed_licence_rules_command() -> None:
    """Adopts the seed CME rules of state physician licences (LICENCE-RULES.md: TN, CA, NY, TX, FL, NC, ME), each
    with its sources and uncertain flags; a state whose rules are already as seeded records nothing."""
    with system_or_exit() as system:
        for cmd in seed_commands():
            outcome = system.licences.handle(cmd, cli_actor())
            typer.echo(f"{cmd.state}: {'adopted or changed' if outcome.position else 'unchanged'}")
        # Read-your-writes, as create-provider does: the rules are in the read model when the command returns,
        # so `GET /api/v1/licence-rules/{state}` right after it answers them (the README's tour does so).
        settle(system, ["licences"])


def send_gap_alerts_command() -> None:
    """Mails each physician who chose gap alerts, 90 and then 30 days before a tracked licence's cycle ends with a
    requirement unmet, once per licence, cycle and threshold (run it daily)."""
    with system_or_exit() as system:
        settle(system, ["licences", "accounts", "transcripts"])
        outcome = system.licences.handle(SendGapAlerts(), cli_actor())
        typer.echo(f"{outcome.value} gap alert(s) mailed")
