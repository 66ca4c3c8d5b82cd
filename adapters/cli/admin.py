"""`pars admin`: its commands, each from the module of what it administers, listed in this order by `--help`."""

from __future__ import annotations

import typer

from adapters.cli.accounts import create_user
from adapters.cli.backups import backup_command, restore_command
from adapters.cli.issuer_key import rotate_issuer_key_command
from adapters.cli.licences import seed_licence_rules_command, send_gap_alerts_command
from adapters.cli.providers import create_provider, send_record_digests
from adapters.cli.tokens import issue_token_command, list_tokens_command, revoke_token_command

admin = typer.Typer(help="Administration: providers and tokens.", no_args_is_help=True)
admin.command("create-user")(create_user)
admin.command("create-provider")(create_provider)
admin.command("send-record-digests")(send_record_digests)
admin.command("issue-token")(issue_token_command)
admin.command("revoke-token")(revoke_token_command)
admin.command("list-tokens")(list_tokens_command)
admin.command("seed-licence-rules")(seed_licence_rules_command)
admin.command("send-gap-alerts")(send_gap_alerts_command)
admin.command("backup")(backup_command)
admin.command("restore")(restore_command)
admin.command("rotate-issuer-key")(rotate_issuer_key_command)
