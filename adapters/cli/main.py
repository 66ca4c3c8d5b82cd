"""`pars`: serve, administer, read history, run and rebuild projections."""

from __future__ import annotations

import getpass
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.bootstrap import System, bootstrap
from adapters.cli.accounts import create_user
from adapters.cli.audit import audit
from adapters.cli.feeds import feeds
from adapters.cli.imports import imports
from adapters.licences.seed import seed_commands
from adapters.settings import Settings
from commands.licences import SendGapAlerts
from commands.providers import ContactDetails, RegisterProvider
from commands.tokens import IssueToken, RevokeToken
from domain.base import Acting, Channel
from domain.errors import DomainError
from projections.history import TYPE_PATTERN
from services.gc_policy import freeze_after_start_up

app = typer.Typer(help="PARS: the Program and Activity Reporting System for accredited CME.", no_args_is_help=True)
admin = typer.Typer(help="Administration: providers and tokens.", no_args_is_help=True)
projections = typer.Typer(help="Read models: run, rebuild, status.", no_args_is_help=True)
app.add_typer(admin, name="admin")
app.add_typer(projections, name="projections")
app.add_typer(imports, name="import")
app.add_typer(audit, name="audit")
app.add_typer(feeds, name="feeds")
reminders = typer.Typer(help="Year-end reminders: the accreditors' scheduled ones.", no_args_is_help=True)
app.add_typer(reminders, name="reminders")
err = Console(stderr=True, soft_wrap=True)  # messages whole: a path or an ID is never broken across lines
admin.command("create-user")(create_user)


@contextmanager
def system_or_exit(public_url: str | None = None) -> Iterator[System]:
    """Builds the system from the environment; domain errors become a message and exit 1.
    `public_url` is the default of PARS_PUBLIC_URL (the address `pars serve` listens on)."""
    try:
        settings = Settings()
        if public_url and not settings.public_url:
            settings.public_url = public_url
        system = bootstrap(settings)
        freeze_after_start_up()  # the collector never walks start-up's objects again (services/gc_policy.py)
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


def serve_address(host: str, port: int) -> str:
    """The address `pars serve` listens on, as a URL; a wildcard interface (0.0.0.0, ::) is reached at the loopback."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    projections: Annotated[
        bool,
        typer.Option(
            "--projections/--no-projections",
            help="run the projections in this process (off when a `pars projections run` worker does)",
        ),
    ] = True,
) -> None:
    """API, web pages and projections in one process."""
    import uvicorn

    from adapters.app import create_app

    with system_or_exit(serve_address(host, port)) as system:
        err.print(f"PARS on http://{host}:{port}/ (pages) and /docs (API)  (store: {system.settings.database_url})")
        err.print(f"mailed links point to {system.settings.public_base()} (PARS_PUBLIC_URL)")
        # The CLI in another terminal does not know this address: the line that tells it (the README's tour).
        err.print(f"for the CLI and curls in another terminal: export PARS_PUBLIC_URL={system.settings.public_base()}")
        uvicorn.run(create_app(system, run_projections=projections), host=host, port=port, log_level="info")


@reminders.command("run")
def run_reminders() -> None:
    """Sends the accreditors' scheduled year-end reminders due today (what `pars serve` does every hour; for cron
    when it does not run); prints one JSON line per accreditor and year reminded."""
    from adapters.scheduler import send_due_reminders

    with system_or_exit() as system:
        system.projections.catch_up()  # the year-end table the reminders read
        for sent in send_due_reminders(system):
            typer.echo(json.dumps(sent))


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
                primary=ContactDetails(
                    name=primary_name, email=primary_email, title=primary_title, phone=primary_phone
                ),
            )
        except ValidationError as error:
            err.print(f"[red]error:[/red] {error.errors()[0]['msg']}")
            raise typer.Exit(2) from None
        system.providers.register(cmd, cli_actor())
        system.projections.catch_up(["provider_profile"])
        typer.echo(json.dumps(system.reads.profiles.get_profile(accme_id), indent=2))


@admin.command("send-record-digests")
def send_record_digests(
    provider: Annotated[
        list[str] | None, typer.Option("--provider", help="only this provider (repeat for more); every one otherwise")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="send even when one went out within 20 hours")] = False,
) -> None:
    """Mails each provider that asked for it its MOC records at risk and late (run daily, e.g. from cron); prints
    one JSON object a provider: sent, nothing_due, not_asked, sent_recently, not_found or mail_failed."""
    from commands.completions import SendRecordDigests

    with system_or_exit() as system:
        system.projections.catch_up(["provider_profile", "record_status", "learner_directory"])
        cmd = SendRecordDigests(
            providers=tuple(provider) if provider else None, force=force, base_url=system.settings.public_base()
        )
        outcome = system.digests.handle(cmd, cli_actor())
        for result in outcome.value["results"]:
            typer.echo(json.dumps(result))
        if any(r["status"] == "mail_failed" for r in outcome.value["results"]):
            raise typer.Exit(1)


@admin.command("issue-token")
def issue_token_command(
    role: Annotated[str, typer.Option(help="accreditor, provider, board, learner or auditor")],
    provider: Annotated[str | None, typer.Option(help="ACCME ID, for provider tokens")] = None,
    board: Annotated[str | None, typer.Option(help="certifying board code, for board tokens")] = None,
    state: Annotated[str | None, typer.Option(help="state code: a state board, or a state accreditor's staff")] = None,
    learner: Annotated[str | None, typer.Option(help="learner_id or NPI, for learner tokens")] = None,
    days: Annotated[
        int | None,
        typer.Option(
            help="lifetime in days (default: 365 for provider and board tokens, 30 for others; PARS_SYSTEM_TOKEN_DAYS, PARS_TOKEN_DAYS)"
        ),
    ] = None,
    label: Annotated[str, typer.Option(help="what or who will use it (shown by list-tokens)")] = "",
    as_json: Annotated[
        bool,
        typer.Option("--json", help='print {"token", "id", "role", "scope", "expires_at"} instead of the token alone'),
    ] = False,
) -> None:
    """Prints one bearer token, alone on stdout. Every token is recorded (id, role, scope, expiry; never the
    secret), so that list-tokens lists it and revoke-token revokes it."""
    with system_or_exit() as system:
        if role == "learner" and learner:
            # Tokens carry the learner_id, never the NPI: the actor of every event names the token's scope.
            system.projections.catch_up(["learner_directory"])
            resolved = system.learners.resolve(learner)
            if resolved is None:
                err.print(
                    f"[red]error:[/red] no learner with learner_id or NPI {learner!r}; load them with `pars import learners`"
                )
                raise typer.Exit(1)
            learner = resolved
        issued = system.tokens.handle(
            IssueToken(
                role=role,
                provider=provider,
                board=board,
                state=state,
                learner=learner,
                days=days,
                label=label or "issued with pars admin issue-token",
            ),
            cli_actor(),
        )
        settle(system, ["tokens"], issued.position)
        typer.echo(json.dumps(issued.as_json()) if as_json else issued.token)


@admin.command("revoke-token")
def revoke_token_command(
    token_id: Annotated[str, typer.Argument(help="the token's id (pars admin list-tokens lists them)")],
    provider: Annotated[
        str | None, typer.Option(help="the provider's ACCME ID (optional: the id finds the token)")
    ] = None,
) -> None:
    """Revokes a token of any role. Every API process refuses it from the moment this returns."""
    with system_or_exit() as system:
        settle(system, ["tokens"])  # finds a provider token by its id
        position = system.tokens.handle(RevokeToken(token_id=token_id, accme_id=provider), cli_actor())
        settle(system, ["tokens"], position)
        token = system.tokens.get(token_id) or {}
        typer.echo(
            f"revoked token {token_id} ({token.get('role', 'provider')} {token.get('scope', provider or '')})".rstrip()
        )


@admin.command("list-tokens")
def list_tokens_command(
    role: Annotated[str | None, typer.Option(help="only tokens of this role")] = None,
    provider: Annotated[str | None, typer.Option(help="only this provider's tokens (ACCME ID)")] = None,
) -> None:
    """Prints the recorded tokens, one JSON object a line: id, role, scope, label, issued, expires, revoked
    (and who issued and revoked them). Never the secrets."""
    roles = ("accreditor", "provider", "board", "learner", "auditor")
    if role is not None and role not in roles:
        err.print(f"[red]error:[/red] --role must be one of {', '.join(roles)} (got {role!r})")
        raise typer.Exit(2)
    with system_or_exit() as system:
        settle(system, ["tokens"])
        for doc in system.tokens.list(role=role, provider=provider):
            line = {
                "id": doc["token_id"],
                "role": doc["role"],
                "scope": doc["scope"],
                "label": doc["label"],
                "issued": doc["issued_at"],
                "issued_by": doc["issued_by"],
                "expires": doc["expires_at"],
                "revoked": doc["revoked_at"],
                "revoked_by": doc["revoked_by"],
            }
            typer.echo(json.dumps(line, separators=(",", ":")))


def settle(system: System, names: list[str], position: int | None = None) -> None:
    """Brings these read models to the head (at least to `position`) from this process. A `pars serve`
    or worker running the same projection may write a page first: that page is then there already,
    and the next round goes on from the position it wrote."""
    for _ in range(100):
        try:
            system.projections.catch_up(names)
            break
        except IntegrityError:  # another process applied that page first
            continue
    system.projections.wait(position, timeout=30, names=names)


@admin.command("seed-licence-rules")
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


@admin.command("send-gap-alerts")
def send_gap_alerts_command() -> None:
    """Mails each physician who chose gap alerts, 90 and then 30 days before a tracked licence's cycle ends with a
    requirement unmet, once per licence, cycle and threshold (run it daily)."""
    with system_or_exit() as system:
        settle(system, ["licences", "accounts", "transcripts"])
        outcome = system.licences.handle(SendGapAlerts(), cli_actor())
        typer.echo(f"{outcome.value} gap alert(s) mailed")


@admin.command("backup")
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


@admin.command("restore")
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


@admin.command("rotate-issuer-key")
def rotate_issuer_key_command() -> None:
    """Retires the key that signs the CME Passport's credentials and makes a new one. The old key's public half
    stays in the DID document, so credentials it signed still verify. With PARS_ISSUER_KEY set, the new key is
    printed (PEM) to put there instead. Restart `pars serve` to sign with the new key."""
    from adapters.credentials.keys import rotate_issuer_key

    settings = settings_or_exit()
    keys, pem = rotate_issuer_key(settings.public_base(), Path(settings.issuer_key_dir), settings.issuer_key)
    if pem is not None:
        sys.stdout.write(pem.decode())
        err.print("Set PARS_ISSUER_KEY to the key above; the old one stays listed as retired.")
        return
    typer.echo(
        json.dumps({"did": keys.did, "signing": keys.signing_kid, "retired": [keys.kid(k) for k in keys.retired]})
    )


def settings_or_exit() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        err.print(f"[red]configuration error:[/red] {error.errors()[0]['msg']}")
        raise typer.Exit(2) from None


@app.command()
def history(
    provider: Annotated[str, typer.Option(help="the provider's ACCME ID")],
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of",
            help="ISO-8601 instant",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        ),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="event types (repeat or comma-separate): Provider.ContactAssigned, Provider, or ContactAssigned",
        ),
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
            err.print(
                f"[red]error:[/red] not an event type: {bad[0]!r} (Provider.ContactAssigned, Provider or ContactAssigned)"
            )
            raise typer.Exit(2)
        while page := system.queries.audit.events(provider, as_of=as_of, after=after, limit=1000, types=types):
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
def rebuild(
    name: Annotated[
        str | None, typer.Argument(help="one projection; all but event_chain and feeds when left out")
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
