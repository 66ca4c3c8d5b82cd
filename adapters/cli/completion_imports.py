"""`pars import completions FILE --provider ACCME_ID`: a completion batch with a progress bar, then its report."""

from __future__ import annotations

import getpass
from pathlib import Path

from rich.console import Console

from adapters.batch.completion_files import open_completion_file
from adapters.batch.completion_importer import submit_completion_records
from adapters.cli.batch_runs import import_with_progress, print_report
from adapters.cli.learner_imports import current_directory
from adapters.cli.system import settle, system_or_exit
from domain.base import Acting, Channel


def run_completion_import(file: Path, provider: str, show_completions: bool, err: Console) -> None:
    """Reads, matches and stores the file's completions; prints the report as JSON; exit 1 if any record was rejected."""
    by = Acting(f"cli:{getpass.getuser()}", Channel.BATCH)
    with system_or_exit() as system:
        system.providers.get(provider)  # a clear error for an unknown provider
        current_directory(system)  # matching reads the learner directory read model

        report = import_with_progress(
            file,
            lambda stream, name: open_completion_file(stream, name, provider),
            lambda fmt, records, progress: submit_completion_records(
                system.completions, provider, fmt, records, by, progress=progress
            ),
            err,
        )
        # Read-your-writes for the next command (the dashboard, a transcript), even with a server running.
        settle(system, ["transcripts"], report.position)
        print_report(
            report,
            file,
            "completions",
            show_completions,
            lambda e: f"[red]row {e['row']}[/red] {' / '.join(str(p) for p in e['loc'])}: {e['msg']}",
            err,
        )
