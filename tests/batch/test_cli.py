"""`pars import activities`: a progress bar, the report as JSON, exit 1 when a row was rejected."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import adapters.batch as batch
import adapters.cli.main as cli
import adapters.cli.system as cli_system
from tests.batch.fakes import FakeActivityRegistry
from tests.batch.test_importer import activity
from tests.conftest import make_system


@pytest.fixture
def registry(sqlite_url, monkeypatch):
    registry = FakeActivityRegistry()

    def system_with_fake(*_):  # type: ignore[no-untyped-def]
        system = make_system(sqlite_url)
        system.accme_activities = registry
        return system

    monkeypatch.setattr(cli_system, "bootstrap", system_with_fake)
    return registry


def test_imports_a_file_prints_the_report_and_is_idempotent(tmp_path, registry):
    path = tmp_path / "activities.xml"
    path.write_bytes(batch.render("xml", [activity(1), activity(2)]))
    first = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", "0001234"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["counts"]["created"] == 2
    again = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", "0001234", "--activities"])
    report = json.loads(again.stdout)
    assert report["counts"]["unchanged"] == 2 and [a["activity_id"] for a in report["activities"]] == [
        "100000000",
        "100000001",
    ]
    assert registry.channels == {"batch"}


def test_a_rejected_row_exits_1_with_row_field_and_reason(tmp_path, registry):
    path = tmp_path / "activities.txt"
    path.write_bytes(batch.render("tab", [activity(1), activity(2, endDateTime="2020-01-01T00:00:00")]))
    result = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", "0001234"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0] | {"reason": ""} == {
        "row": "row 3",
        "field": "End Date",
        "reason": "",
        "loc": ["row 3", "healthcareMetadata", "healthcareEducation", "endDateTime"],
    }


def test_a_file_not_of_its_claimed_format_exits_1_with_a_message(tmp_path, registry):
    path = tmp_path / "activities.json"
    path.write_bytes(batch.render("xml", [activity(1)]))
    result = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", "0001234"])
    assert result.exit_code == 1 and "named as ACCME JSON but its content is MEMS XML" in result.stderr
    assert registry.calls == []
