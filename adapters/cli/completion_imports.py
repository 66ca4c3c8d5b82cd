"""`pars import completions FILE --provider ACCME_ID`: a completion batch with a progress bar, then its report."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from adapters.batch.completion_files import read_completion_file
from adapters.batch.completion_importer import submit_completion_records
from adapters.batch.records import BatchFormatError
from adapters.cli.learner_imports import current_directory
from domain.base import Acting, Channel


def run_completion_import(file: Path, provider: str, show_completions: bool, err: Console) -> None:
    """Reads, matches and stores the file's completions; prints the report as JSON; exit 1 if any record was rejected."""
    from adapters.cli.main import system_or_exit  # here, not at the top: main registers the import commands

    by = Acting(f"cli:{getpass.getuser()}", Channel.BATCH)
    with system_or_exit() as system:
        system.providers.get(provider)  # a clear error for an unknown provider
        current_directory(system)  # matching reads the learner directory read model

        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task(f"reading {file.name}", total=None)
            try:
                fmt, records = read_completion_file(file.read_bytes(), file.name, provider)
            except BatchFormatError as error:
                progress.stop()
                err.print(f"[red]error:[/red] {error.message}")
                for each in error.errors[:20]:
                    err.print(f"  {' / '.join(str(p) for p in each['loc'])}: {each['msg']}")
                raise typer.Exit(1) from None
            progress.update(task, description=f"importing {fmt}", total=len(records), completed=0)
            report = submit_completion_records(
                system.completions, provider, fmt, records, by, progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
        body = report.as_dict()
        if not show_completions:
            body.pop("completions")
        typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
        counts = ", ".join(f"{n} {k}" for k, n in report.counts.items() if n)
        err.print(f"{report.total} record(s) in {file.name}: {counts or 'nothing to do'}")
        for each in report.errors[:20]:
            err.print(f"  [red]row {each['row']}[/red] {' / '.join(str(p) for p in each['loc'])}: {each['msg']}")
        if len(report.errors) > 20:
            err.print(f"  … and {len(report.errors) - 20} more (see the JSON report)")
        if report.rejected:
            raise typer.Exit(1)
