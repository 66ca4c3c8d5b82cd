"""`pars admin issue-token`, `revoke-token` and `list-tokens`: the API's bearer tokens."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from adapters.cli.system import cli_actor, err, settle, system_or_exit
from commands.tokens import IssueToken, RevokeToken


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
