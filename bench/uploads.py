"""Upload memory: the peak resident-set growth of receiving and reading a batch file, by format and size.

For each file kind (activities: ACCME JSON, MEMS XML, tab-delimited, Excel; completions: learner-reports
JSON, tab-delimited, Excel) and each size (default 20 MB and 100 MB), a file of that size is written to a
temporary folder, then a fresh child process — modules imported, baseline resident set taken — does
what the upload routes do: copies the file a chunk at a time into the same spooled temporary file as
`adapters.api.batch_uploads.read_upload`, then runs the real importer (`import_activity_file` /
`import_completion_file`: detection, workbook limits, the checking pass, parsing, chunks of 1,000,
the report). The registry behind it is a counting one that stores nothing (every record `unchanged`),
so the figure is the upload path's own memory, not the store's. Printed: file size, records, the
child's peak RSS growth (`ru_maxrss` after − RSS before) in MB and as a multiple of the file size.

Goal: growth ≤ 2 × the file size + a constant (JSON, parsed whole: ≤ 4 ×).

    python -m bench uploads [--sizes 20,100] [--only activities-tab,completions-json,...]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

MB = 1024 * 1024
RESULTS = Path(__file__).parent / "results" / "uploads.json"
KINDS = (
    "activities-json",
    "activities-xml",
    "activities-tab",
    "activities-xlsx",
    "completions-json",
    "completions-tab",
    "completions-xlsx",
)
EXTENSIONS = {"json": "json", "xml": "xml", "tab": "txt", "xlsx": "xlsx"}
BLOCK = 500  # records rendered once and repeated to the size asked
console = Console()


# --- the files -----------------------------------------------------------------------------------


def activity_block() -> list[dict[str, Any]]:
    from bench.activities_import import make_items

    return make_items(BLOCK)


def completion_block() -> list[Any]:
    from datetime import date

    from commands.completions import ReportCompletion
    from commands.learners import MatchQuery

    states = ("TN", "NC", "CA", "NY", "TX")
    return [
        ReportCompletion(
            activity_id=f"{100000000 + n % 40}",
            query=MatchQuery(
                first_name=f"Given{n}",
                last_name=f"Family{n}",
                birth_date=f"{1 + n % 12:02d}-{1 + n % 28:02d}",
                state=states[n % 5],
                licence_number=f"MD{n:06d}",
            ),
            completion_date=date(2025, 1 + n % 12, 1 + n % 28),
            credits={f"ccid:{n}:1": ([{"type": "AMA PRA Category 1", "credits": 1 + n % 8 / 4}], [])},
            action="add",
        )
        for n in range(BLOCK)
    ]


def write_file(kind: str, size: int, path: Path) -> None:
    """A file of about `size` bytes: one block of records rendered once, its records repeated."""
    what, fmt = kind.split("-")
    if what == "activities":
        import adapters.batch as batch

        block = activity_block()
        render = lambda records: batch.render(fmt, records)  # noqa: E731
    else:
        from adapters.batch.completion_files import render as render_completions

        block = completion_block()
        render = lambda records: render_completions(fmt, records, "0007777")  # noqa: E731
    one = render(block)
    if fmt == "xlsx":
        _repeat_sheet(one, size, path)
        return
    head, body, tail = _split(fmt, one, render(block[:1]), render([]))
    with path.open("wb") as out:
        out.write(head)
        written = len(head)
        first, rep = True, 0
        while written < size:
            # Each repetition its own Provider Activity IDs: a file giving one ID twice is refused row by row.
            block_body = body if what != "activities" else body.replace(b"BENCH-", b"BENCH-%d-" % rep)
            rep += 1
            piece = block_body if first or fmt != "json" else b"," + block_body
            out.write(piece)
            written += len(piece)
            first = False
        out.write(tail)


def _split(fmt: str, full: bytes, _single: bytes, empty: bytes) -> tuple[bytes, bytes, bytes]:
    """(head, the block's records, tail) of a rendered text file, so the records can be written again and again."""
    if fmt == "tab":
        header_end = full.index(b"\r\n") + 2
        return full[:header_end], full[header_end:], b""
    if fmt == "xml":
        start = full.index(b"<MedicalEducationMetrics>")
        end = full.rindex(b"</ACCMEActivities>")
        return full[:start], full[start:end], full[end:]
    document = json.loads(full)
    path = (
        ("ACCMEActivities", "MedicalEducationMetrics")
        if "ACCMEActivities" in document
        else ("ACCMELearnerReports", "ActivityReports", "ActivityReport")
    )
    holder = document
    for key in path[:-1]:
        holder = holder[key]
    items = holder[path[-1]]
    holder[path[-1]] = ["@@ITEMS@@"]
    head, tail = json.dumps(document, indent=1).encode().split(b'"@@ITEMS@@"')
    return head, b",\n".join(json.dumps(item, indent=1).encode() for item in items), tail


def _repeat_sheet(workbook: bytes, size: int, path: Path) -> None:
    """The workbook with its first sheet's data rows repeated (and numbered on) until the archive is about `size` bytes."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as source:
        sheet_name = "xl/worksheets/sheet1.xml"
        sheet = source.read(sheet_name)
        start, end = sheet.index(b"<sheetData>") + len(b"<sheetData>"), sheet.index(b"</sheetData>")
        rows = [row + b"</row>" for row in sheet[start:end].split(b"</row>") if row]
        header, data = rows[0], [re.sub(rb'( r="[A-Z]*)[0-9]+"', rb'\1@@"', row) for row in rows[1:]]
        before = re.sub(rb"<dimension [^>]*/>", b"", sheet[:start])
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != sheet_name:
                    target.writestr(info.filename, source.read(info))
            with target.open(sheet_name, "w", force_zip64=True) as out:
                out.write(before + header)
                number = 1
                while path.stat().st_size < size:
                    for row in data:
                        number += 1
                        # Each row its own Provider Activity ID (inline strings): one ID twice in a file is refused.
                        out.write(
                            row.replace(b"@@", str(number).encode()).replace(b"<t>BENCH-", b"<t>BENCH-%d-" % number)
                        )
                out.write(sheet[end:])


# --- the child that uploads one file -----------------------------------------------------------------


@dataclass(frozen=True)
class Unchanged:
    index: int
    ok: bool = True
    activity_id: str = "100000001"
    action: str = "unchanged"
    errors: tuple[()] = ()


class CountingActivities:
    """Accepts every activity as unchanged and keeps nothing: the store is not what is measured."""

    def submit_accme_activities(self, accme_id: str, items: list[dict[str, Any]], by: Any) -> list[Any]:
        return [Unchanged(i) for i in range(len(items))]


class CountingCompletions:
    def report(
        self,
        cmd: Any,
        by: Any,
        *,
        chunk_size: int,
        progress: Any = None,
        activity_cache: Any = None,
        consent_cache: Any = None,
    ) -> list[Any]:
        from services.completions import CompletionResult

        parsed = cmd.reports
        if progress:
            progress(len(parsed))
        return [CompletionResult(i, "unchanged") for i in range(len(parsed))]


class CountingSystem:
    accme_activities = CountingActivities()
    completions = CountingCompletions()


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(kind: str, path: str) -> dict[str, Any]:
    import gc
    import resource

    import openpyxl  # noqa: F401 -- every module the upload path uses is imported before the baseline
    from lxml import etree  # noqa: F401

    from adapters.api.batch_uploads import SPOOL_IN_MEMORY
    from adapters.batch.completion_importer import import_completion_file
    from adapters.batch.importer import import_activity_file
    from domain.base import Acting, Channel

    importer = import_activity_file if kind.startswith("activities") else import_completion_file
    gc.collect()
    before = rss()
    started = time.perf_counter()
    # As read_upload spools the request body; the importer reads it to the end and the process exits.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    with open(path, "rb") as source:
        while chunk := source.read(64 * 1024):
            spool.write(chunk)
    spool.seek(0)
    registry = CountingSystem.accme_activities if kind.startswith("activities") else CountingSystem.completions
    report = importer(registry, "0007777", spool, None, Acting("bench:uploads", Channel.BATCH))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes
    return {
        "records": report.total,
        "rejected": report.rejected,
        "before": before,
        "growth": peak - before,
        "seconds": seconds,
    }


# --- the run -----------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench uploads", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20,100", help="file sizes in MB, comma-separated")
    parser.add_argument("--only", default=",".join(KINDS), help="kinds, comma-separated: " + ", ".join(KINDS))
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = [k for k in args.only.split(",") if k]
    table = Table(title="Upload memory: peak RSS growth of receiving and reading one batch file")
    for column in ("file", "size MB", "records", "rejected", "growth MB", "× size", "seconds"):
        table.add_column(column, justify="right" if column != "file" else "left")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            for size in sizes:
                path = Path(folder) / f"{kind}.{EXTENSIONS[kind.split('-')[1]]}"
                write_file(kind, size * MB, path)
                actual = path.stat().st_size
                run = subprocess.run(
                    [sys.executable, "-m", "bench.uploads", "--child", kind, str(path)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                path.unlink()
                if run.returncode != 0:
                    console.print(f"[red]{kind} {size} MB failed:[/red] {run.stderr[-2000:]}")
                    results.append({"kind": kind, "mb": size, "size": actual, "error": run.stderr[-500:]})
                    continue
                measured = json.loads(run.stdout.strip().splitlines()[-1])
                results.append({"kind": kind, "mb": size, "size": actual, **measured})
                table.add_row(
                    kind,
                    f"{actual / MB:.1f}",
                    f"{measured['records']:,}",
                    f"{measured['rejected']:,}",
                    f"{measured['growth'] / MB:.0f}",
                    f"{measured['growth'] / actual:.2f}",
                    f"{measured['seconds']:.1f}",
                )
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    earlier = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    measured_now = {(r["kind"], r["mb"]) for r in results}
    kept = [r for r in earlier if (r.get("kind"), r.get("mb")) not in measured_now]  # runs of other kinds or sizes stay
    RESULTS.write_text(json.dumps(kept + results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
