"""`pars import learners FILE.csv`: the learner directory CSV, loaded 1,000 learners per transaction."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.bootstrap import System
from adapters.cli.learner_csv import LearnerCsvError, RowError, column_of, read_learner_csv
from adapters.cli.system import system_or_exit
from domain.base import Acting, Channel


def current_directory(system: System) -> None:
    """Brings the learner directory read model to the head of the log (duplicates are found there)."""
    # Another process (pars serve, a worker) may be projecting the same events: catch_up takes the
    # read model's lock page by page and skips what the other applied first.
    system.projections["learner_directory"].catch_up()


def run_learner_import(file: Path, err: Console) -> None:
    try:
        parsed = read_learner_csv(file.read_bytes())
    except LearnerCsvError as error:
        err.print(f"[red]error:[/red] {file.name}: {error}")
        raise typer.Exit(1) from None
    by = Acting(f"cli:{getpass.getuser()}", Channel.BATCH)
    errors: list[RowError] = list(parsed.errors)
    with system_or_exit() as system:
        current_directory(system)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task(f"importing {file.name}", total=len(parsed.commands))
            outcomes = system.learners.register_many(
                [cmd for _, cmd in parsed.commands], by, progress=lambda n: progress.advance(task, n)
            )
        current_directory(system)
    counts = {"created": 0, "existing": 0}
    for (row, _), outcome in zip(parsed.commands, outcomes, strict=True):
        if outcome.error is not None:
            errors.append(RowError(row, column_of(outcome.error), outcome.error.message))
            continue
        counts[outcome.status] += 1
        typer.echo(json.dumps({"row": row, "learner_id": outcome.learner_id, "status": outcome.status}))
    errors.sort(key=lambda e: e.row)
    err.print(
        f"{file.name}: {counts['created']} created, {counts['existing']} already in the directory, {len(errors)} rejected"
    )
    for each in errors:
        err.print(f"  row {each.row}, {each.column}: {each.reason}", markup=False, highlight=False, soft_wrap=True)
    if errors:
        raise typer.Exit(1)
