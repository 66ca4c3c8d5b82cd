"""The README's tour, run as written: its shell block in bash, against a real `pars serve` on a free port.

Nothing is retyped here, so the README cannot drift from what the system does: the block is read from
README.md, its `export PARS_PUBLIC_URL=...` line is replaced by the one `pars serve` printed (as a
newcomer on another port pastes it), and `pars` and `curl` are found where the block's own PATH line
looks, in `.venv/bin` of a temporary directory: `pars` runs this checkout's code, `curl` the real curl,
reporting each answer's status. The example files are the ones in docs/examples.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain.completion import reporting_window

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
EXPORT = "PARS_PUBLIC_URL=http://127.0.0.1:8000"
BOUND = 240  # seconds: a generous bound on each wait, so a hung process fails the test instead of hanging it


def tour_block() -> str:
    """The first ```sh block of the README's "A short tour" section."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## A short tour") :]
    section = section[: section.index("\n## ", 1)]
    found = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert found, "the README's tour has no ```sh block"
    return found.group(1)


def commands(block: str) -> list[tuple[str, str]]:
    """Each command of the block (continuation lines joined) with the comment lines that follow it."""
    out: list[tuple[str, str]] = []
    for line in block.replace("\\\n", " ").splitlines():
        if line.lstrip().startswith("#"):
            if out:
                out[-1] = (out[-1][0], out[-1][1] + line + "\n")
        elif line.strip():
            out.append((line, ""))
    return out


def expected_statuses(block: str) -> list[int | None]:
    """Per curl of the block: the status its comment names (`#   409 ...`), else None for any 2xx."""
    statuses: list[int | None] = []
    for command, comments in commands(block):
        if shlex.split(command, comments=True)[:1] == ["curl"]:
            named = re.match(r"#\s+(\d{3})\b", comments)
            statuses.append(int(named.group(1)) if named else None)
    return statuses


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _shims(bin_dir: Path, curl: str) -> None:
    """`pars` (this checkout's code, as the console script runs it) and `curl` (the real one, which also
    writes `HTTP <status> <url>` to stderr for each answer)."""
    bin_dir.mkdir(parents=True)
    code = "import sys; from adapters.cli.main import app; sys.exit(app(prog_name='pars'))"
    shims = {
        "pars": f'exec {shlex.quote(sys.executable)} -c {shlex.quote(code)} "$@"\n',
        "curl": f"exec {shlex.quote(curl)} -w '%{{stderr}}HTTP %{{http_code}} %{{url_effective}}\\n' \"$@\"\n",
    }
    for name, body in shims.items():
        path = bin_dir / name
        path.write_text("#!/bin/sh\n" + body)
        path.chmod(0o755)


def examples_year() -> int:
    """The year the example completions are dated in (make_examples.py makes them for one year)."""
    rows = list(csv.reader(io.StringIO((EXAMPLES / "completions.txt").read_text()), dialect="excel-tab"))
    return int(rows[1][rows[0].index("Completion Date")][-4:])


def test_the_readme_tour_runs_as_written_on_another_port(tmp_path: Path) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("the tour needs curl (apt-get install curl)")
    block = tour_block()
    first, last = reporting_window(date.today())
    assert first.year <= examples_year() <= last.year, (
        f"the example completions ({examples_year()}) are outside today's reporting window ({first} to {last}): "
        "run docs/examples/make_examples.py and change the README's year to the one it makes"
    )
    assert EXPORT in block.splitlines()[0], f"the tour's first line no longer sets {EXPORT}"
    _shims(tmp_path / ".venv" / "bin", curl)
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PARS_")},
        "PYTHONPATH": str(ROOT),
        "PARS_DATABASE_URL": f"sqlite:///{tmp_path / 'pars.sqlite'}",
        "PARS_SECRET_KEY": "tour-secret-key",
        "PARS_MAIL": f"file:{tmp_path / 'mail'}",
        "PARS_FAST_PASSWORD_HASHING": "1",
        "COLUMNS": "200",
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        serve = subprocess.Popen(
            [str(tmp_path / ".venv" / "bin" / "pars"), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + BOUND
        while not _answers(url):
            assert serve.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"pars serve did not answer:\n{log.read_text()}"
            time.sleep(0.2)
        printed = re.search(r"export (PARS_PUBLIC_URL=\S+)", log.read_text())
        assert printed and printed.group(1) == f"PARS_PUBLIC_URL={url}", log.read_text()
        tour = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block.replace(EXPORT, printed.group(1), 1)],
            check=False,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=BOUND * 3,
        )
        assert tour.returncode == 0, f"the tour stopped (exit {tour.returncode}):\n{tour.stdout}\n{tour.stderr}"
        answers = re.findall(r"^HTTP (\d{3}) (\S+)$", tour.stderr, re.MULTILINE)
        expected = expected_statuses(block)
        assert len(answers) == len(expected), (answers, expected)
        for (status, where), wanted in zip(answers, expected, strict=True):
            assert (int(status) == wanted) if wanted else status.startswith("2"), (status, where, tour.stdout)
            assert where.startswith(url + "/"), where
        out = tour.stdout
        # every example file accepted whole: activities, physicians, completions (tab and Excel)
        assert '"format":"json","total":3,"counts":{"created":3,' in out and '"rejected":0}' in out, out
        assert "physicians.csv: 6 created, 0 already in the directory, 0 rejected" in tour.stderr
        assert '"format":"tab","total":6,"counts":{"recorded":6,"unchanged":0,"deleted":0,"rejected":0}' in out
        assert "3 record(s) in completions.xlsx: 3 recorded" in tour.stderr
        # the dashboard now, and as it stood at $BEFORE (an instant the tour took after registering)
        assert '"completions_reported":9' in out and '"completions_reported":0' in out, out
        assert "Perioperative anemia" in out  # the catalog lists the example listed on CME Passport
        assert (tmp_path / "transcript.pdf").read_bytes().startswith(b"%PDF")
        assert '"ok": true' in out  # pars audit verify
        link = out.strip().splitlines()[-1]  # pars admin create-user's one-time link, at the printed address
        assert link.startswith(f"{url}/set-password?token="), link
        with urllib.request.urlopen(link, timeout=30) as page:
            assert page.status == 200 and b"password" in page.read().lower()
    finally:
        serve.terminate()
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


def test_the_tour_reads_its_statuses_from_the_readme() -> None:
    block = tour_block()
    statuses = expected_statuses(block)
    assert 409 in statuses and statuses.count(None) >= 8, statuses
    for name in ("activities.json", "physicians.csv", "completions.txt", "completions.xlsx"):
        assert f"docs/examples/{name}" in block, f"the tour no longer uploads docs/examples/{name}"


def test_the_example_files_are_the_ones_the_script_makes(tmp_path: Path) -> None:
    """docs/examples/make_examples.py made the files the tour uploads (for the year they carry)."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        import make_examples  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(EXAMPLES))
    year = examples_year()
    assert f"year={year}" in tour_block(), f"the README's tour asks for another year than the examples' {year}"
    make_examples.write(year, tmp_path)
    for name in ("activities.json", "physicians.csv", "completions.txt"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), f"run make_examples.py: {name}"

    def cells(path: Path) -> list[tuple[object, ...]]:
        return list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))

    assert cells(tmp_path / "completions.xlsx") == cells(EXAMPLES / "completions.xlsx")
