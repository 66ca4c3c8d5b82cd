"""`pars reminders`: the accreditors' scheduled year-end reminders, for cron when `pars serve` does not run."""

from __future__ import annotations

import json

import typer

from adapters.cli.system import system_or_exit

reminders = typer.Typer(help="Year-end reminders: the accreditors' scheduled ones.", no_args_is_help=True)


@reminders.command("run")
def run_reminders() -> None:
    """Sends the accreditors' scheduled year-end reminders due today (what `pars serve` does every hour; for cron
    when it does not run); prints one JSON line per accreditor and year reminded."""
    from adapters.scheduler import send_due_reminders

    with system_or_exit() as system:
        system.projections.catch_up()  # the year-end table the reminders read
        for sent in send_due_reminders(system):
            typer.echo(json.dumps(sent))
