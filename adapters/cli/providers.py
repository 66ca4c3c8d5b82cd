"""`pars admin create-provider` and `send-record-digests`: a provider with its primary contact, and the daily
digests of records at risk and late the providers asked for."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import ValidationError

from adapters.cli.system import cli_actor, err, system_or_exit
from commands.providers import ContactDetails, RegisterProvider


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
