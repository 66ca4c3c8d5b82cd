"""`pars import completions`: the real store, the report as JSON, exit 1 when a record was rejected."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import adapters.cli.main as cli
import adapters.cli.system as cli_system
from tests.completion_batches.test_import import tab_file
from tests.completions.helpers import setup
from tests.conftest import make_system


def test_imports_a_file_and_is_idempotent(tmp_path, sqlite_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    system = make_system(sqlite_url)
    ids = setup(system)
    system.close()
    monkeypatch.setattr(cli_system, "bootstrap", lambda *_: _today(make_system(sqlite_url)))
    path = tmp_path / "completions.txt"
    path.write_bytes(tab_file(f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t2.5\t\t"))
    first = CliRunner().invoke(cli.app, ["import", "completions", str(path), "--provider", "0004444", "--completions"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["counts"]["recorded"] == 1
    again = CliRunner().invoke(cli.app, ["import", "completions", str(path), "--provider", "0004444"])
    assert again.exit_code == 0 and json.loads(again.stdout)["counts"]["unchanged"] == 1
    path.write_bytes(tab_file(f"{ids['activity']}\tBen\tOkafor\t11\t3\tNC\t03/02/2025\t99\t\t"))
    refused = CliRunner().invoke(cli.app, ["import", "completions", str(path), "--provider", "0004444"])
    assert refused.exit_code == 1 and "CME Credits" in refused.stderr
    unknown = CliRunner().invoke(cli.app, ["import", "completions", str(path), "--provider", "0009999"])
    assert unknown.exit_code == 1


def _today(system):  # type: ignore[no-untyped-def]
    from tests.completions.helpers import TODAY

    system.completions.today = lambda: TODAY
    return system
