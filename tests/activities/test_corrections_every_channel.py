"""A change to a closed activity, on every channel, is a `Corrected` event with its reason or is refused naming
the missing reason (XtensibleInfo.CorrectionReason in JSON and XML, the "Correction Reason" column in flat files)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

import adapters.cli.main as cli
import adapters.cli.system as cli_system
from adapters import batch
from adapters.batch.importer import import_activity_file
from adapters.formats.accme.activities import activity_item, submit_items
from domain.activity import Activity
from domain.base import Acting, Channel
from tests.activities.helpers import ACCME_ID, BY, HE, XI, item, register
from tests.conftest import make_system

RECRED = {HE + "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": 1}}
REASON_LOC = ["XtensibleInfo", "CorrectionReason"]


def closed(system: Any, pid: str = "C-1") -> str:
    [result] = submit_items(system.activities, ACCME_ID, [item(pid, **{XI + "closeActivityRecord": True})], BY)
    assert result.action == "closed", result
    return result.activity_id


def events(system: Any, pid: str = "C-1") -> list[Any]:
    return list(system.store.events.get(Activity.create_id(ACCME_ID, pid)))


def credits(system: Any, number: str) -> Any:
    return system.activities.get_by_number(number, ACCME_ID).data["credits"]


@pytest.fixture
def provider(system):  # type: ignore[no-untyped-def]
    register(system)
    return system


def test_the_registry_refuses_a_change_to_a_closed_activity_without_its_reason(provider):
    number = closed(provider)
    [refused] = submit_items(provider.activities, ACCME_ID, [item("C-1", **RECRED)], BY)
    assert refused.action == "rejected" and refused.errors[0]["loc"] == REASON_LOC
    assert "reason" in refused.errors[0]["msg"] and credits(provider, number) == 6.25
    [fixed] = submit_items(
        provider.activities, ACCME_ID, [item("C-1", **RECRED, **{XI + "CorrectionReason": " credits were 1 "})], BY
    )
    assert fixed.action == "updated" and credits(provider, number) == 1
    last = events(provider)[-1]
    assert isinstance(last, Activity.Corrected) and last.reason == "credits were 1"
    # Sending the stored facts again (an export re-imported) needs no reason: nothing changes.
    [same] = submit_items(
        provider.activities, ACCME_ID, [activity_item(provider.activities.get_by_number(number, ACCME_ID))], BY
    )
    assert same.action == "unchanged"


def test_the_accme_web_service_carries_the_reason_in_xtensible_info(client, provider, token):
    headers = token("provider", provider=ACCME_ID)
    closed(provider)
    body = {"ACCMEActivities": {"MedicalEducationMetrics": [item("C-1", **RECRED)]}}
    refused = client.post("/accme/activities", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "ACCMEActivities", "MedicalEducationMetrics", 0, *REASON_LOC]
    body["ACCMEActivities"]["MedicalEducationMetrics"][0]["XtensibleInfo"]["CorrectionReason"] = "credit typo"
    saved = client.post("/accme/activities", json=body, headers=headers)
    assert saved.status_code == 201 and saved.json()["activities"][0]["action"] == "updated"
    assert events(provider)[-1].reason == "credit typo"
    exported = client.get("/accme/activities", headers=headers).json()["ACCMEActivities"]["MedicalEducationMetrics"][0]
    assert "CorrectionReason" not in exported["XtensibleInfo"]  # a reason belongs to a change, not to the activity


@pytest.mark.parametrize(
    ("fmt", "field"),
    [
        ("json", "XtensibleInfo.CorrectionReason"),
        ("xml", "XtensibleInfo/CorrectionReason"),
        ("tab", "Correction Reason"),
        ("xlsx", "Correction Reason"),
    ],
)
def test_each_batch_format_carries_the_reason(provider, fmt, field):
    number = closed(provider)
    by = Acting("provider:0004444:batch", Channel.BATCH)
    refused = import_activity_file(
        provider.accme_activities, ACCME_ID, batch.render(fmt, [item("C-1", **RECRED)]), None, by
    )
    assert refused.counts["rejected"] == 1 and refused.errors[0]["field"] == field, refused.errors
    assert credits(provider, number) == 6.25
    with_reason = batch.render(fmt, [item("C-1", **RECRED, **{XI + "CorrectionReason": f"{fmt} fix"})])
    report = import_activity_file(provider.accme_activities, ACCME_ID, with_reason, None, by)
    assert report.counts["updated"] == 1, report.errors
    last = events(provider)[-1]
    assert isinstance(last, Activity.Corrected) and last.reason == f"{fmt} fix" and last.channel == "batch"
    assert import_activity_file(provider.accme_activities, ACCME_ID, with_reason, None, by).counts["unchanged"] == 1


def test_the_batch_upload_route_names_the_row_and_the_reason_column(client, provider, token):
    headers = token("provider", provider=ACCME_ID)
    closed(provider)
    res = client.post(
        f"/api/v1/providers/{ACCME_ID}/activities/batch?filename=a.txt",
        content=batch.render("tab", [item("C-1", **RECRED)]),
        headers=headers,
    )
    assert res.status_code in (200, 422), res.text
    [error] = res.json()["errors"] if "errors" in res.json() else res.json()["report"]["errors"]
    assert error["row"] == "row 2" and error["field"] == "Correction Reason"


def test_the_cli_import_refuses_then_corrects(tmp_path, sqlite_url, monkeypatch):
    system = make_system(sqlite_url)
    register(system)
    number = closed(system)
    monkeypatch.setattr(
        cli_system, "bootstrap", lambda *_: make_system(sqlite_url)
    )  # the command closes the system it is given
    path = tmp_path / "fix.txt"
    path.write_bytes(batch.render("tab", [item("C-1", **RECRED)]))
    refused = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", ACCME_ID])
    assert refused.exit_code == 1 and json.loads(refused.stdout)["errors"][0]["field"] == "Correction Reason"
    path.write_bytes(batch.render("tab", [item("C-1", **RECRED, **{XI + "CorrectionReason": "sheet said 1"})]))
    fixed = CliRunner().invoke(cli.app, ["import", "activities", str(path), "--provider", ACCME_ID])
    assert fixed.exit_code == 0, fixed.output
    system = make_system(sqlite_url)
    assert credits(system, number) == 1 and events(system)[-1].reason == "sheet said 1"
    system.close()


def test_a_repeat_that_changes_a_closed_instance_needs_the_reason(client, provider, token):
    headers = token("provider", provider=ACCME_ID)
    body = {
        "provider_activity_id": "RP",
        "item": item("RP", **{XI + "closeActivityRecord": True}),
        "instances": [{"start_date": "2025-03-01", "end_date": "2025-03-02"}],
    }
    assert (
        client.post(f"/api/v1/providers/{ACCME_ID}/activities/repeat", json=body, headers=headers).json()["activities"][
            0
        ]["action"]
        == "closed"
    )
    body["item"] = item("RP", **RECRED)
    refused = client.post(f"/api/v1/providers/{ACCME_ID}/activities/repeat", json=body, headers=headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["body", "item", *REASON_LOC]
    body["item"] = item("RP", **RECRED, **{XI + "CorrectionReason": "one credit"})
    assert client.post(f"/api/v1/providers/{ACCME_ID}/activities/repeat", json=body, headers=headers).status_code == 201
    assert events(provider, "RP-1")[-1].reason == "one credit"


@pytest.mark.parametrize("fmt", ["json", "xml", "tab", "xlsx"])
def test_a_batch_row_naming_another_provider_is_refused_not_filed_under_the_uploader(provider, fmt):
    by = Acting("provider:0004444:batch", Channel.BATCH)
    theirs = item("T-1", **{XI + "ProviderID": "0005555"})
    report = import_activity_file(
        provider.accme_activities,
        ACCME_ID,
        batch.render(fmt, [theirs, item("T-2", **{XI + "ProviderID": ACCME_ID})]),
        None,
        by,
    )
    assert report.counts["rejected"] == 1 and report.counts["created"] == 1
    assert "ProviderID" in report.errors[0]["field"] or report.errors[0]["field"] == "Provider ID"
    assert [a.provider_activity_id for a in provider.activities.list(ACCME_ID)] == ["T-2"]


def test_two_items_for_one_activity_in_one_submission_are_refused_not_silently_merged(provider):
    results = submit_items(provider.activities, ACCME_ID, [item("Q-1"), item("Q-1", **RECRED)], BY)
    assert [r.action for r in results] == ["created", "rejected"]
    assert "already given by item 0" in results[1].errors[0]["msg"]
    assert credits(provider, results[0].activity_id) == 6.25


@pytest.mark.parametrize("fmt", ["tab", "xml"])
def test_two_rows_for_one_activity_in_one_file_are_refused_naming_the_first(provider, fmt):
    by = Acting("provider:0004444:batch", Channel.BATCH)
    rows = [item("Q-1"), item("Q-2"), item("Q-1", **RECRED)]
    report = import_activity_file(provider.accme_activities, ACCME_ID, batch.render(fmt, rows), None, by, chunk_size=1)
    assert report.counts["created"] == 2 and report.counts["rejected"] == 1
    first = "row 2" if fmt == "tab" else "/ACCMEActivities/MedicalEducationMetrics[1]"
    assert report.errors[0]["reason"].endswith(f"already given in {first} of this file")


def test_an_accme_id_with_another_activitys_provider_id_is_refused(provider):
    number = closed(provider)
    moved = item(
        "NEW-1",
        Lom__general__identifier=[
            {"catalog": "ACCME Activity ID", "entry": number},
            {"catalog": "Provider Activity ID", "entry": "NEW-1"},
        ],
    )
    [result] = submit_items(provider.activities, ACCME_ID, [moved], BY)
    assert result.action == "rejected" and "has the Provider Activity ID C-1, not NEW-1" in result.errors[0]["msg"]
    assert [a.provider_activity_id for a in provider.activities.list(ACCME_ID)] == ["C-1"]


def test_supporters_listed_under_a_no_answer_are_refused_not_summed(provider):
    said_no = item(
        "N-1",
        **{
            "ActivityDescription": {"commercialSupportAmount": [{"supportSource": "Pharma A", "value": 5000}]},
            XI + "InKindSupports": {"InKindSupport": [{"source": "Device B"}]},
        },
    )
    [result] = submit_items(provider.activities, ACCME_ID, [said_no], BY)
    assert result.action == "rejected"
    assert result.errors[0]["loc"] == ["healthcareMetadata", "healthcareEducation", "commercialSupport"]
    provider.projections.catch_up()
    assert provider.annual.program_summary(ACCME_ID, 2025)["commercial_support"]["monetary_total"] == 0


def test_an_update_names_every_field_it_changed_including_ones_the_file_left_out(provider, client, token):
    by = Acting("provider:0004444:batch", Channel.BATCH)
    import_activity_file(provider.accme_activities, ACCME_ID, batch.render("tab", [item("U-1")]), None, by)
    fewer = item("U-1", **RECRED, **{XI + "MeasuredOutcomes": None})  # a file without the outcome columns
    report = import_activity_file(provider.accme_activities, ACCME_ID, batch.render("tab", [fewer]), None, by)
    assert report.activities[0]["action"] == "updated"
    assert report.activities[0]["changed"] == ["Number of AMA PRA Category 1 Credits Designated", "Measured Outcome"]
    again = client.post(
        "/accme/activities",
        json={"ACCMEActivities": {"MedicalEducationMetrics": [item("U-1")]}},
        headers=token("provider", provider=ACCME_ID),
    )
    assert again.json()["activities"][0]["changed"] == [
        ["healthcareMetadata", "healthcareEducation", "credits", "numberOfCredits"],
        ["XtensibleInfo", "MeasuredOutcomes"],
    ]


def test_the_api_correction_takes_the_items_own_reason_when_the_body_gives_none(client, provider, token):
    number = closed(provider)
    body = {"item": item("C-1", **RECRED, **{XI + "CorrectionReason": "said in the item"})}
    res = client.put(
        f"/api/v1/providers/{ACCME_ID}/activities/{number}", json=body, headers=token("provider", provider=ACCME_ID)
    )
    assert res.status_code == 200, res.text
    assert events(provider)[-1].reason == "said in the item" and credits(provider, number) == 1
