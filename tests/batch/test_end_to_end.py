"""Batch files through the real activity registry, on SQLite and PostgreSQL, and over HTTP."""

from __future__ import annotations

import pytest

import adapters.batch as batch
from adapters.batch.importer import export_activities, import_activity_file
from bench.activities_import import make_items
from commands.providers import ContactDetails, RegisterProvider
from domain.base import Acting, Channel

pytest.importorskip("services.activities", reason="the activity registry (services/activities.py) has not landed yet")

ACCME_ID = "0007777"
BY = Acting("provider:0007777:t1", Channel.BATCH)


def register(system) -> None:  # type: ignore[no-untyped-def]
    system.providers.register(
        RegisterProvider(
            accme_id=ACCME_ID,
            name="Batch CME",
            accreditor="ACCME",
            primary=ContactDetails(name="Bo Batch", email="bo@batch.org"),
        ),
        BY,
    )


@pytest.mark.parametrize("fmt", list(batch.FORMATS))
def test_a_file_stores_its_activities_and_a_second_upload_changes_nothing(any_system, fmt):
    register(any_system)
    data = batch.render(fmt, make_items(12))
    first = import_activity_file(any_system.accme_activities, ACCME_ID, data, None, BY)
    assert first.rejected == 0, first.errors
    assert first.counts["created"] == 12
    head = any_system.store.head()
    again = import_activity_file(any_system.accme_activities, ACCME_ID, data, None, BY)
    assert again.counts["unchanged"] == 12 and again.rejected == 0
    assert any_system.store.head() == head  # nothing recorded the second time


@pytest.mark.parametrize("fmt", list(batch.FORMATS))
def test_export_then_import_of_the_same_data_changes_nothing(system, fmt):
    register(system)
    import_activity_file(system.accme_activities, ACCME_ID, batch.render("json", make_items(6)), None, BY)
    head = system.store.head()
    report = import_activity_file(
        system.accme_activities, ACCME_ID, export_activities(system.accme_activities, ACCME_ID, fmt), None, BY
    )
    assert report.rejected == 0, report.errors
    assert report.counts["unchanged"] == 6
    assert system.store.head() == head


def test_an_invalid_activity_is_reported_with_its_row_and_column_and_the_others_stored(system):
    register(system)
    items = make_items(3)
    items[1]["Lom"]["general"]["description"] = "x" * 2501
    report = import_activity_file(system.accme_activities, ACCME_ID, batch.render("tab", items), "activities.txt", BY)
    assert report.counts["created"] == 2 and report.rejected == 1
    assert {(e["row"], e["field"]) for e in report.errors} == {("row 3", "Description of Content")}


def test_http_upload_and_export_through_the_registry(client, token, system):
    register(system)
    prov = token("provider", provider=ACCME_ID)
    data = batch.render("xlsx", make_items(4))
    first = client.post(
        f"/api/v1/providers/{ACCME_ID}/activities/batch", headers=prov, files={"file": ("a.xlsx", data)}
    )
    assert first.status_code == 200, first.text
    assert first.json()["counts"]["created"] == 4
    exported = client.get(f"/api/v1/providers/{ACCME_ID}/activities/export?format=xml", headers=prov)
    assert len(batch.read_file(exported.content)[1]) == 4
    again = client.post(f"/api/v1/providers/{ACCME_ID}/activities/batch", headers=prov, content=exported.content)
    assert again.json()["counts"]["unchanged"] == 4


def rich_item() -> dict:
    item = make_items(1)[0]
    he = item["healthcareMetadata"]["healthcareEducation"]
    he["targetAudience"] = {"profession": ["Physician", "Nurse"]}
    item["ParticipationMetrics"]["participantsByCategory"].reverse()  # other learners before physicians
    xi = item["XtensibleInfo"]
    xi["MeasuredOutcomes"] = [
        {"MeasuredOutcome": "Patient Health", "MeasurementType": ["Subjective", "Objective"]},
        {"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective"]},
    ]
    xi["CommendationTags"] = {"CommendationTag": ["Engages Teams", "Improves Performance"]}
    xi["MOCRegistrations"] = {
        "MOCRegistration": [
            {
                "boardName": "ABIM",
                "mocPoints": 1.5,
                "MOCCreditType": ["Medical Knowledge"],
                "CreditClaimDate": "2026-01-31",
                "MOCPracticeArea": ["Cardiovascular Disease", "Nephrology; Renal"],
            }
        ]
    }
    xi["MOCAttestation"] = True
    item["Lom"]["general"]["identifier"].append({"catalog": "URL", "entry": "https://cme.example.org/rich?a=1"})
    xi["IsMeritBasedIncentivePaymentSystem"] = True
    xi["isInterprofessional"] = False
    return item


@pytest.mark.parametrize("fmt", list(batch.FORMATS))
def test_a_rich_activity_submitted_as_json_round_trips_through_every_format_unchanged(system, fmt):
    register(system)
    first = import_activity_file(system.accme_activities, ACCME_ID, batch.render("json", [rich_item()]), None, BY)
    assert first.counts["created"] == 1, first.errors
    head = system.store.head()
    report = import_activity_file(
        system.accme_activities, ACCME_ID, export_activities(system.accme_activities, ACCME_ID, fmt), None, BY
    )
    assert report.counts["unchanged"] == 1, report
    assert system.store.head() == head


def test_the_cli_imports_through_the_registry_and_a_second_run_changes_nothing(sqlite_url, tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    import adapters.cli.main as cli
    import adapters.cli.system as cli_system
    from tests.conftest import make_system

    setup = make_system(sqlite_url)
    register(setup)
    setup.close()
    monkeypatch.setattr(cli_system, "bootstrap", lambda *_: make_system(sqlite_url))
    path = tmp_path / "activities.txt"
    path.write_bytes(batch.render("tab", make_items(5)))
    first = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", ACCME_ID])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["counts"]["created"] == 5
    again = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", ACCME_ID])
    assert json.loads(again.stdout)["counts"]["unchanged"] == 5
