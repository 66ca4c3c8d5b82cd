"""`pars admin create-user`: the first accreditor user (or any user), so that the web pages can be entered."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.system import cli_actor, err, system_or_exit
from commands.accounts import InviteAccount
from domain.account import Account


def create_user(
    email: Annotated[str, typer.Option(help="the person's email address (their sign-in name)")],
    name: Annotated[str, typer.Option(help="the person's name")],
    role: Annotated[str, typer.Option(help="accreditor, provider or learner")] = "accreditor",
    provider: Annotated[str | None, typer.Option(help="ACCME ID, for provider users")] = None,
    state: Annotated[
        str | None, typer.Option(help="a state accreditor's staff: its state code (ACCME staff: leave out)")
    ] = None,
    learner: Annotated[
        str | None, typer.Option(help="learner_id or NPI, for a physician's CME Passport account")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="where PARS answers, for the link in the mail (default: PARS_PUBLIC_URL)"),
    ] = None,
) -> None:
    """Invites a web user: mails "System Access Granted" with a one-time set-password link (PARS_MAIL), and prints the link."""
    with system_or_exit() as system:
        if provider and system.reads.profiles.get_profile(provider) is None:
            system.projections.catch_up(["provider_profile"])
            if system.reads.profiles.get_profile(provider) is None:
                err.print(f"[red]error:[/red] no provider with ACCME ID {provider}")
                raise typer.Exit(1)
        if role == "learner":
            system.projections.catch_up(["learner_directory"])
            resolved = system.learners.resolve_not_erased(learner or "")
            if resolved is None:
                err.print(
                    f"[red]error:[/red] no learner with learner_id or NPI {learner!r}; load them with `pars import learners`"
                )
                raise typer.Exit(1)
            learner = resolved
        tenant = Account.tenant_of(role, provider=provider, state=state.upper() if state else None, learner=learner)
        sent: list[str] = []
        mailer = system.accounts.mailer
        system.accounts.mailer = _Tee(mailer, sent)
        try:
            account = system.accounts.handle(
                InviteAccount(
                    email=email,
                    name=name,
                    role=role,
                    tenant=tenant,
                    base_url=(base_url or system.settings.public_base()).rstrip("/"),
                ),
                cli_actor(),
            )
        finally:
            system.accounts.mailer = mailer
        system.projections.catch_up(["accounts"])
        link = next((line for line in sent[0].splitlines() if "/set-password?token=" in line), "") if sent else ""
        err.print(f"invited {account.email} ({tenant}); the invitation went to PARS_MAIL ({system.settings.mail})")
        typer.echo(link)


class _Tee:
    """Sends as the configured mailer does and keeps the body, so the command can print the link too."""

    def __init__(self, inner: object, sent: list[str]) -> None:
        self.inner, self.sent = inner, sent

    def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append(body)
        self.inner.send(to, subject, body)  # type: ignore[attr-defined]
