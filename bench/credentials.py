"""Verifiable credentials: issuing a physician's credentials for a 200-completion transcript, and verifying one.

One provider, 100 activities (a third with ABIM MOC), one physician with `--completions` completions (SQLite,
a fresh file). Timed, each the median of `--repeat` runs:
  * transcript: reading the transcript the credentials are issued from (`TranscriptQueries.for_principal`);
  * issue all: every completion's Open Badges 3.0 credential, signed (ES256);
  * issue CLR: the CLR 2.0 transcript bundling them (signs each completion again, then the CLR);
  * verify one: `POST /api/v1/verify`'s work for one completion credential (signature, issuer, the status list
    built from the read model, signed and checked);
  * verify CLR: the CLR and every credential in it (the status list fetched once);
  * status list: publishing one list (131,072 bits, gzip, signed);
  * PDF reference: the QR code's signed reference (a status index read per completion).

    python -m bench credentials [--completions 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from adapters.batch.completion_files import render_json
from adapters.batch.completion_importer import import_completion_file
from adapters.bootstrap import bootstrap
from adapters.formats.accme.activities import submit_items
from adapters.settings import Settings
from bench.learners import ACCME_ID, BY, TODAY, activity_item, learner, report_for
from commands.providers import ContactDetails, RegisterProvider
from services.access import Principal, Role
from services.transcripts import TranscriptQuery

console = Console()


def _median_ms(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), out


def measure(completions: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite:///{Path(folder) / 'pars.sqlite'}",
            secret_key="bench",
            mail=f"file:{folder}/mail",
            public_url="https://pars.example.org",
            issuer_key_dir=f"{folder}/keys",
        )
        system = bootstrap(settings)
        try:
            rng = random.Random(7)
            system.activities.today = lambda: TODAY
            system.completions.today = lambda: TODAY
            system.providers.register(
                RegisterProvider(
                    accme_id=ACCME_ID,
                    name="Bench CME",
                    accreditor="ACCME",
                    primary=ContactDetails(name="Pat", email="pat@bench.org"),
                ),
                BY,
            )
            results = submit_items(system.activities, ACCME_ID, [activity_item(n) for n in range(100)], BY)
            activities = [(r.activity_id, n % 3 == 0) for n, r in enumerate(results) if r.ok]
            who = learner(0, rng)
            [outcome] = system.learners.register_many([who], BY)
            system.projections.catch_up()
            reports = [report_for(n, who, activities, rng) for n in range(completions)]
            report = import_completion_file(system, ACCME_ID, render_json(reports, ACCME_ID), "bench.json", BY)
            assert report.counts["recorded"] == completions, report.counts
            system.projections.catch_up()

            issuer = system.credentials
            me = Principal(Role.LEARNER, "bench", learner=outcome.learner_id)
            figures: dict[str, float] = {}
            figures["transcript ms"], t = _median_ms(
                lambda: system.queries.transcripts.for_principal(me, TranscriptQuery()), repeat
            )
            assert len(t.rows) == completions
            figures["issue all ms"], tokens = _median_ms(lambda: issuer.completions(t), repeat)
            figures["issue one ms (mean of all)"] = figures["issue all ms"] / completions
            figures["issue CLR ms"], clr = _median_ms(lambda: issuer.clr(t), repeat)
            figures["CLR KB"] = len(clr) / 1024
            figures["verify one ms"], one = _median_ms(lambda: issuer.verify(tokens[0]), max(repeat, 20))
            assert one.verdict == "valid", one
            figures["verify CLR ms"], whole = _median_ms(lambda: issuer.verify(clr), repeat)
            assert whole.verdict == "valid" and len(whole.credentials) == completions, (whole.verdict, whole.reason)
            figures["status list ms"], listed = _median_ms(lambda: issuer.status_list(0), repeat)
            figures["status list KB"] = len(listed) / 1024
            figures["PDF reference ms"], reference = _median_ms(lambda: issuer.reference(t), repeat)
            figures["reference URL chars"] = len(issuer.reference_url(reference))
            return figures
        finally:
            system.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench credentials", description=__doc__)
    parser.add_argument("--completions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args, _ = parser.parse_known_args(argv)
    figures = measure(args.completions, args.repeat)
    table = Table(title=f"Verifiable credentials, a {args.completions}-completion transcript (SQLite)")
    table.add_column("what")
    table.add_column("figure", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,.2f}")
    console.print(table)
    return 0
