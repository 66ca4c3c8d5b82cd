"""`pars import activities FILE --provider ACCME_ID`: a batch file with a progress bar, then its report."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from adapters.batch import open_file
from adapters.batch.importer import submit_records
from adapters.cli.batch_runs import import_with_progress, print_report
from adapters.cli.system import err, settle, system_or_exit
from domain.base import Acting, Channel

imports = typer.Typer(help="Batch files: activities, completions and the learner directory.", no_args_is_help=True)


@imports.command("activities")
def import_activities(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="ACCME JSON, MEMS XML, tab-delimited or Excel (.xlsx)"
        ),
    ],
    provider: Annotated[str, typer.Option(help="the provider's ACCME ID")],
    show_activities: Annotated[
        bool, typer.Option("--activities", help="also list each stored activity's row, ID and action")
    ] = False,
) -> None:
    """Imports an activity batch file and prints its report as JSON; exit 1 if any row was rejected."""
    by = Acting(f"cli:{getpass.getuser()}", Channel.BATCH)
    with system_or_exit() as system:
        report = import_with_progress(
            file,
            open_file,
            lambda fmt, records, progress: submit_records(
                system.accme_activities, provider, fmt, records, by, progress=progress
            ),
            err,
        )
        settle(system, ["activity_summary"])  # read-your-writes for the next command (to the head)
        print_report(
            report,
            file,
            "activities",
            show_activities,
            lambda e: f"[red]{e['row']}[/red] {e['field'] or ''}: {e['reason']}",
            err,
        )


@imports.command("learners")
def import_learners(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV: first_name,last_name,birth_date,npi,licenses,board_ids",
        ),
    ],
) -> None:
    """Loads physicians into the learner directory; one JSON object per learner; exit 1 if any row was rejected."""
    from adapters.cli.learner_imports import run_learner_import  # the learner directory's own module

    run_learner_import(file, err)


@imports.command("completions")
def import_completions(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="ACCME learner-reports JSON, tab-delimited or Excel (.xlsx)",
        ),
    ],
    provider: Annotated[str, typer.Option(help="the provider's ACCME ID")],
    show_completions: Annotated[
        bool, typer.Option("--completions", help="also list each stored record's row, action and credit IDs")
    ] = False,
) -> None:
    """Imports a completion batch file and prints its report as JSON; exit 1 if any record was rejected."""
    from adapters.cli.completion_imports import run_completion_import

    run_completion_import(file, provider, show_completions, err)
