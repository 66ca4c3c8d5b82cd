"""What every request pays for the token checks, and how long a backup and a restore take.

For each backend (a fresh SQLite file, a scratch PostgreSQL database):
  * check: `TokenRegistry.refusal` (the revocation list row, and for a learner token the learner's
    stream topics), with `--tokens` tokens recorded, microseconds per call over 2,000 calls;
  * backup / restore: `adapters.backup` on a store of `--learners` registered learners (one event each,
    sealed personal data, one key row each), seconds and MB.

    python -m bench tokens [--tokens N] [--learners N] [--backend sqlite|postgres]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from adapters.backup import backup, restore
from adapters.bootstrap import bootstrap
from adapters.settings import Settings
from adapters.tokens import read_token
from bench.scratch import fresh_database
from commands.learners import Licence, RegisterLearner
from commands.tokens import IssueToken
from domain.base import Acting, Channel

BY = Acting("cli:bench", Channel.CLI)
console = Console()


def _system(url: str):  # type: ignore[no-untyped-def]
    return bootstrap(
        Settings(
            database_url=url, secret_key="bench-secret", mail="file:/tmp/pars-bench-mail", fast_password_hashing=True
        )
    )


def measure(backend: str, tokens: int, learners: int) -> dict[str, float]:
    with fresh_database(backend) as url, fresh_database(backend) as second:
        system = _system(url)
        try:
            cmds = [
                RegisterLearner(
                    first_name=f"F{i}",
                    last_name=f"L{i}",
                    birth_month_day=f"{1 + i % 12:02d}-{1 + i % 28:02d}",
                    licences=[Licence(state="TN", number=f"MD{i:07d}")],
                )
                for i in range(learners)
            ]
            learner_ids = [o.learner_id for o in system.learners.register_many(cmds, BY)]
            for i in range(tokens - 2):
                system.tokens.handle(
                    IssueToken(role="board" if i % 2 else "auditor", **({"board": "ABIM"} if i % 2 else {})), BY
                )
            board = read_token(system.secret, system.tokens.handle(IssueToken(role="board", board="ABIM"), BY).token)
            learner = read_token(
                system.secret, system.tokens.handle(IssueToken(role="learner", learner=learner_ids[0]), BY).token
            )
            system.projections.catch_up()
            figures: dict[str, float] = {}
            for name, principal in (("check_board_us", board), ("check_learner_us", learner)):
                started = time.perf_counter()
                for _ in range(2000):
                    assert system.tokens.refusal(principal) is None
                figures[name] = (time.perf_counter() - started) / 2000 * 1e6
            events = system.store.head()
        finally:
            system.close()
        from adapters.db.database import DatabaseUrl

        with tempfile.TemporaryDirectory() as tmp:
            file = Path(tmp) / "pars.backup"
            started = time.perf_counter()
            made = backup(DatabaseUrl(url), file)
            figures["backup_s"] = time.perf_counter() - started
            figures["backup_mb"] = made.bytes / 1e6
            started = time.perf_counter()
            restore(DatabaseUrl(second), file)
            figures["restore_s"] = time.perf_counter() - started
        figures["events"] = events
        return figures


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench tokens")
    parser.add_argument("--tokens", type=int, default=1000)
    parser.add_argument("--learners", type=int, default=20000)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    args, _ = parser.parse_known_args(argv)
    table = Table(title=f"token checks ({args.tokens} tokens recorded) and backup/restore ({args.learners} learners)")
    for column in ("backend", "events", "check board µs", "check learner µs", "backup s", "backup MB", "restore s"):
        table.add_column(column, justify="right")
    for backend in args.backend or ["sqlite", "postgres"]:
        f = measure(backend, args.tokens, args.learners)
        table.add_row(
            backend,
            f"{f['events']:.0f}",
            f"{f['check_board_us']:.0f}",
            f"{f['check_learner_us']:.0f}",
            f"{f['backup_s']:.2f}",
            f"{f['backup_mb']:.1f}",
            f"{f['restore_s']:.2f}",
        )
    console.print(table)
    return 0
