"""`pars`: serve, administer, read history, run and rebuild projections."""

from __future__ import annotations

import getpass
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.bootstrap import System, bootstrap
from adapters.cli.accounts import create_user
from adapters.cli.audit import audit
from adapters.cli.feeds import feeds
from adapters.cli.imports import imports
from adapters.tokens import issue_token, new_token_id
from commands.providers import ContactDetails, IssueApiToken, RegisterProvider, RevokeApiToken
from domain.base import Acting, Channel
from domain.errors import DomainError
from projections.history import TYPE_PATTERN

app = typer.Typer(help="PARS: the Program and Activity Reporting System for accredited CME.", no_args_is_help=True)
admin = typer.Typer(help="Administration: providers and tokens.", no_args_is_help=True)
projections = typer.Typer(help="Read models: run, rebuild, status.", no_args_is_help=True)
app.add_typer(admin, name="admin")
app.add_typer(projections, name="projections")
app.add_typer(imports, name="import")
app.add_typer(audit, name="audit")
app.add_typer(feeds, name="feeds")
err = Console(stderr=True)
admin.command("create-user")(create_user)


@contextmanager
def system_or_exit() -> Iterator[System]:
    """Builds the system from the environment; domain errors become a message and exit 1."""
    try:
        system = bootstrap()
    except ValidationError as error:
        err.print(f"[red]configuration error:[/red] {error.errors()[0]['msg']}")
        raise typer.Exit(2) from None
    try:
        yield system
    except DomainError as error:
        err.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    finally:
        system.close()


def cli_actor() -> Acting:
    return Acting(f"cli:{getpass.getuser()}", Channel.CLI)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    projections: Annotated[
        bool, typer.Option("--projections/--no-projections", help="run the projections in this process (off when a `pars projections run` worker does)")
    ] = True,
) -> None:
    """API, web pages and projections in one process."""
    import uvicorn

    from adapters.api.main import create_app

    with system_or_exit() as system:
        err.print(f"PARS on http://{host}:{port}/ (pages) and /docs (API)  (store: {system.settings.database_url})")
        uvicorn.run(create_app(system, run_projections=projections), host=host, port=port, log_level="info")


@admin.command("create-provider")
def create_provider(
    accme_id: Annotated[str, typer.Option("--accme-id", help="7 digits, leading zeros kept")],
    name: Annotated[str, typer.Option(help="the provider's name")],
    accreditor: Annotated[str, typer.Option(help="ACCME, JA, or a state code for its Recognized Accreditor")],
    primary_name: Annotated[str, typer.Option("--primary-name")],
    primary_email: Annotated[str, typer.Option("--primary-email")],
    primary_title: Annotated[str, typer.Option("--primary-title")] = "",
    primary_phone: Annotated[str, typer.Option("--primary-phone")] = "",
) -> None:
    """Creates a provider with its primary contact and prints it as JSON; exit 1 if it exists."""
    with system_or_exit() as system:
        try:
            cmd = RegisterProvider(
                accme_id=accme_id,
                name=name,
                accreditor=accreditor,
                primary=ContactDetails(name=primary_name, email=primary_email, title=primary_title, phone=primary_phone),
            )
        except ValidationError as error:
            err.print(f"[red]error:[/red] {error.errors()[0]['msg']}")
            raise typer.Exit(2) from None
        system.providers.register(cmd, cli_actor())
        system.projections.catch_up(["provider_profile"])
        typer.echo(json.dumps(system.profiles.view.get_profile(accme_id), indent=2))


@admin.command("issue-token")
def issue_token_command(
    role: Annotated[str, typer.Option(help="accreditor, provider, board, learner or auditor")],
    provider: Annotated[str | None, typer.Option(help="ACCME ID, for provider tokens")] = None,
    board: Annotated[str | None, typer.Option(help="certifying board code, for board tokens")] = None,
    state: Annotated[str | None, typer.Option(help="state code: a state board, or a state accreditor's staff")] = None,
    learner: Annotated[str | None, typer.Option(help="learner_id or NPI, for learner tokens")] = None,
) -> None:
    """Prints one bearer token, alone on stdout. Provider tokens are recorded on the provider, so they can be revoked."""
    with system_or_exit() as system:
        if role == "learner" and learner:
            # Tokens carry the learner_id, never the NPI: the actor of every event names the token's scope.
            system.projections.catch_up(["learner_directory"])
            resolved = system.learners.resolve(learner)
            if resolved is None:
                err.print(f"[red]error:[/red] no learner with learner_id or NPI {learner!r}; load them with `pars import learners`")
                raise typer.Exit(1)
            learner = resolved
        token_id = new_token_id()
        token = issue_token(system.secret, role, provider=provider, board=board, state=state, learner=learner, token_id=token_id)
        if provider:
            system.providers.handle(IssueApiToken(accme_id=provider, token_id=token_id, label="issued with pars admin issue-token"), cli_actor())
        typer.echo(token)


@admin.command("revoke-token")
def revoke_token_command(
    token_id: Annotated[str, typer.Argument(help="the token's id (GET /api/v1/providers/{id}/tokens lists them)")],
    provider: Annotated[str, typer.Option(help="the provider's ACCME ID")],
) -> None:
    """Revokes one of a provider's web-service tokens."""
    with system_or_exit() as system:
        system.providers.handle(RevokeApiToken(accme_id=provider, token_id=token_id), cli_actor())
        typer.echo(f"revoked token {token_id} of provider {provider}")


@app.command()
def history(
    provider: Annotated[str, typer.Option(help="the provider's ACCME ID")],
    as_of: Annotated[datetime | None, typer.Option("--as-of", help="ISO-8601 instant", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"])] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="event types (repeat or comma-separate): Provider.ContactAssigned, Provider, or ContactAssigned")
    ] = None,
) -> None:
    """Prints the provider's events in order, one JSON object a line."""
    with system_or_exit() as system:
        system.providers.get(provider)  # a clear error for an unknown provider
        system.projections.catch_up(["history"])
        if as_of is not None and as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=UTC)
        after = 0
        types = [t.strip() for value in type_ or [] for t in value.split(",") if t.strip()] or None
        bad = [t for t in types or [] if not TYPE_PATTERN.match(t)]
        if bad:
            err.print(f"[red]error:[/red] not an event type: {bad[0]!r} (Provider.ContactAssigned, Provider or ContactAssigned)")
            raise typer.Exit(2)
        while page := system.history.view.events(provider, as_of=as_of, after=after, limit=1000, types=types):
            for item in page:
                typer.echo(json.dumps({"accme_id": provider, **item}, separators=(",", ":")))
            after = page[-1]["position"]


@app.command()
def demo() -> None:
    """Fills the configured store with a realistic demo data set (providers, activities, physicians, completions); exit 1 if it is there already."""
    from adapters.cli.demo import run_demo

    run_demo(err)


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
def rebuild(name: Annotated[str | None, typer.Argument(help="one projection; all but event_chain and feeds when left out")] = None) -> None:
    """Rebuilds read models from the event store beside the live ones and swaps each in at once (safe
    while `pars serve` and workers run), with a progress bar. The event chain only when named:
    re-hashing the store as it is now would make a tampered row look genuine."""
    with system_or_exit() as system:
        runners = system.projections.runners
        names = [name] if name else [n for n, r in runners.items() if getattr(r.projection, "rebuild_by_default", True)]
        unknown = [n for n in names if n not in system.projections.runners]
        if unknown:
            err.print(f"[red]error:[/red] no projection {unknown[0]!r}; there are {', '.join(system.projections.runners)}")
            raise typer.Exit(1)
        head = system.store.head()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err) as progress:
            # Built aside together (each page read once for all), then swapped in one by one: the API
            # and the workers go on answering from the old read models until each swap.
            task = progress.add_task(", ".join(names), total=head)
            position = system.projections.rebuild(names, lambda n: progress.advance(task, n))
            progress.update(task, completed=position, total=max(head, position))


@projections.command("status")
def status() -> None:
    """Prints each projection's position, the head of the log and the lag."""
    with system_or_exit() as system:
        for line in system.projections.report():
            typer.echo(json.dumps(line))


def main() -> None:  # pragma: no cover - console entry
    app(sys.argv[1:])
