"""`pars audit`: tamper evidence over the event log."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

audit = typer.Typer(help="Audit: verify the hash chains of the stored events.", no_args_is_help=True)


@audit.command("verify")
def verify(
    provider: Annotated[str | None, typer.Option(help="check only this provider's chain (ACCME ID)")] = None,
) -> None:
    """Recomputes every provider's hash chain from the stored events; names the first event that does not match (exit 1)."""
    from adapters.cli.system import err, system_or_exit

    with system_or_exit() as system:
        if provider is not None:
            system.providers.get(provider)  # a clear error for an unknown provider
        system.projections.catch_up(["event_chain"])  # chain what was appended since (verification covers it too)
        chains = system.queries.chains
        verified_to = chains.position
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        started = time.perf_counter()
        with Progress(*columns, console=err, transient=True) as progress:
            # One provider: only its chain's links and rows are read, so the total is not known up front.
            task = progress.add_task("verifying", total=verified_to if provider is None else None)
            result = chains.verify(verified_to, provider, lambda n: progress.advance(task, n))
        elapsed = time.perf_counter() - started
        summary: dict[str, Any] = {
            "ok": result.ok,
            "events": result.checked,
            "chains": len(result.chains),
            "position": result.verified_to,
            "seconds": round(elapsed, 3),
            "events_per_second": round(result.checked / elapsed) if elapsed else None,
        }
        if result.first_mismatch is not None:
            m = result.first_mismatch
            summary["first_mismatch"] = {
                "position": m.position,
                "provider": m.provider,
                "type": m.type,
                "reason": m.reason,
            }
            typer.echo(json.dumps(summary))
            err.print(f"[red]tampered:[/red] {m.describe()}")
            raise typer.Exit(1)
        typer.echo(json.dumps(summary))
