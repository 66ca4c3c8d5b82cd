"""`pars projections`: run the read models, rebuild them beside the live ones, show where each is."""

from __future__ import annotations

import json
import os
import signal
import threading
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.cli.system import err, system_or_exit

projections = typer.Typer(help="Read models: run, rebuild, status.", no_args_is_help=True)


@projections.command("run")
def run_projections() -> None:
    """Keeps every read model current until interrupted (the production worker)."""
    with system_or_exit() as system:
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        system.projections.start()
        err.print(f"projections running: {', '.join(system.projections.runners)}")
        stopping.wait()
        err.print("stopping projections")


@projections.command("rebuild")
def rebuild(
    name: Annotated[
        str | None, typer.Argument(help="one projection; all but event_chain and feeds when left out")
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(min=1, help="worker processes sharing the read models out (default: the cores this may use)"),
    ] = None,
) -> None:
    """Rebuilds read models from the event store beside the live ones and swaps each in at once (safe
    while `pars serve` and workers run), with a progress bar. The event chain only when named:
    re-hashing the store as it is now would make a tampered row look genuine."""
    with system_or_exit() as system:
        runners = system.projections.runners
        names = [name] if name else [n for n, r in runners.items() if r.projection.rebuild_by_default]
        unknown = [n for n in names if n not in system.projections.runners]
        if unknown:
            err.print(
                f"[red]error:[/red] no projection {unknown[0]!r}; there are {', '.join(system.projections.runners)}"
            )
            raise typer.Exit(1)
        head = system.store.head()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err) as progress:
            # Built aside together (each page read once for all of a process's share), then swapped in one by one: the API
            # and the workers go on answering from the old read models until each swap.
            task = progress.add_task(", ".join(names), total=head)
            position = system.projections.rebuild(
                names, lambda n: progress.advance(task, n), processes=processes or len(os.sched_getaffinity(0))
            )
            progress.update(task, completed=position, total=max(head, position))


@projections.command("status")
def status() -> None:
    """Prints each projection's position, the head of the log and the lag."""
    with system_or_exit() as system:
        for line in system.projections.report():
            typer.echo(json.dumps(line))
