"""`pars admin backup` and `restore`: the whole store, written while PARS runs and read back into an empty one."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.system import err, settings_or_exit, settle, system_or_exit


def backup_command(
    file: Annotated[Path, typer.Argument(help="the backup file to write (replaced if it exists)")],
) -> None:
    """Writes a consistent backup of the whole store (events, read models, learner keys, password hashes)
    while PARS keeps running: SQLite's online backup API, or pg_dump. PARS_SECRET_KEY is not in it: keep it too."""
    from adapters.backup import BackupError, backup

    settings = settings_or_exit()
    started = time.perf_counter()
    try:
        made = backup(settings.db_url, file)
    except BackupError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    typer.echo(
        json.dumps(
            {
                "backup": str(made.path),
                "kind": made.kind,
                "bytes": made.bytes,
                "seconds": round(time.perf_counter() - started, 3),
            }
        )
    )


def restore_command(
    file: Annotated[Path, typer.Argument(help="a file written by pars admin backup")],
    replace: Annotated[bool, typer.Option("--replace", help="replace a store that already holds events")] = False,
) -> None:
    """Restores a backup into the store of PARS_DATABASE_URL (stop pars serve and the workers first), then
    brings every read model to the head of the restored log and prints their status."""
    from adapters.backup import BackupError, restore

    settings = settings_or_exit()
    started = time.perf_counter()
    try:
        restore(settings.db_url, file, replace=replace)
    except BackupError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from None
    with system_or_exit() as system:
        # A backup taken while projections lagged holds read models behind its log: catch them up here.
        with err.status("bringing the read models to the head of the restored log"):
            settle(system, list(system.projections.runners))
        lines = system.projections.report()
        typer.echo(
            json.dumps(
                {
                    "restored": str(file),
                    "events": system.store.head(),
                    "seconds": round(time.perf_counter() - started, 3),
                    "projections": lines,
                }
            )
        )
