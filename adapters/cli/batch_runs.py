"""The part every `pars import` of a batch file shares: read and submit under a progress bar, then
print the report as JSON (stdout) with a summary and the first rejected rows (stderr)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sized
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from adapters.batch.records import BatchFormatError

SHOWN_ERRORS = 20

R = TypeVar("R", bound=Sized)  # the records `read` gives and `submit` takes
Read = Callable[[BinaryIO, str], tuple[str, R]]
Submit = Callable[[str, R, Callable[[int, int], None]], Any]


def import_with_progress(file: Path, read: Read[R], submit: Submit[R], err: Console) -> Any:
    """`read(file, name) -> (format, records)`, then `submit(format, records, progress) -> report`;
    a file that cannot be read as a whole prints why and exits 1. The file is read as a stream."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with ExitStack() as stack, Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(f"reading {file.name}", total=None)
        try:
            stream = stack.enter_context(file.open("rb"))
            fmt, records = read(stream, file.name)
            total = len(records)  # the checking pass: a file that cannot be read stores nothing
        except BatchFormatError as error:
            progress.stop()
            err.print(f"[red]error:[/red] {error.message}")
            for each in error.errors[:SHOWN_ERRORS]:
                err.print(f"  {' / '.join(str(p) for p in each['loc'])}: {each['msg']}")
            raise typer.Exit(1) from None
        progress.update(task, description=f"importing {fmt}", total=total, completed=0)
        return submit(fmt, records, lambda done, total: progress.update(task, completed=done, total=total))


def print_report(
    report: Any, file: Path, listed: str, show_listed: bool, error_line: Callable[[dict[str, Any]], str], err: Console
) -> None:
    """The report as JSON (without its `listed` entries unless asked), a summary, the first errors; exit 1 if any row was rejected."""
    body = report.as_dict()
    if not show_listed:
        body.pop(listed)
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items() if n)
    err.print(f"{report.total} record(s) in {file.name}: {counts or 'nothing to do'}")
    for each in report.errors[:SHOWN_ERRORS]:
        err.print(f"  {error_line(each)}")
    if len(report.errors) > SHOWN_ERRORS:
        err.print(f"  … and {len(report.errors) - SHOWN_ERRORS} more (see the JSON report)")
    if report.rejected:
        raise typer.Exit(1)
