"""`pars`: serve, administer, read history, run and rebuild projections. Each command lives in the module of
what it works on; here they are put together under one `pars`."""

from __future__ import annotations

import sys

import typer

from adapters.cli.admin import admin
from adapters.cli.audit import audit
from adapters.cli.demo import demo
from adapters.cli.feeds import feeds
from adapters.cli.history import history
from adapters.cli.imports import imports
from adapters.cli.read_models import projections
from adapters.cli.reminders import reminders
from adapters.cli.serve import serve

app = typer.Typer(help="PARS: the Program and Activity Reporting System for accredited CME.", no_args_is_help=True)
app.add_typer(admin, name="admin")
app.add_typer(projections, name="projections")
app.add_typer(imports, name="import")
app.add_typer(audit, name="audit")
app.add_typer(feeds, name="feeds")
app.add_typer(reminders, name="reminders")
app.command()(serve)
app.command()(history)
app.command()(demo)


def main() -> None:  # pragma: no cover - console entry
    app(sys.argv[1:])
