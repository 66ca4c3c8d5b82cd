"""CompletionRegistry: ACCME learner reports in, per-report results out; rules, idempotence, delete and resubmit."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.bootstrap import System
from adapters.formats.accme.learner_reports import report_completions
from domain.activity import Activity
from domain.base import Acting, Channel
from domain.completion import (
    Completion,
    CompletionOutsideWindowError,
    LearnerNotMatchedError,
    reporting_window,
)
from projections.feeds import FeedProjection
from tests.completions.helpers import BY, TODAY, report, setup


def test_reporting_window_keeps_last_year_until_31_march() -> None:
    assert reporting_window(date(2026, 3, 31)) == (date(2025, 1, 1), date(2026, 3, 31))
    assert reporting_window(date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 4, 1))


def test_add_is_saved_once_and_resubmission_is_a_no_op(any_system: System) -> None:
    ids = setup(any_system)
    first = any_system.completions.handle(report_completions("0004444", [report(ids["activity"])]), BY)
    assert [(r.action, r.learner_id, r.errors) for r in first] == [("added", ids["ana"], [])]
    completion = any_system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1")
    assert completion is not None
    assert completion.cme == [{"type": "AMA PRA Category 1", "credits": 6.0}]
    assert completion.moc == [{"board": "ABIM", "type": "ABIM MOC", "credits": 6.0}]
    assert completion.late is True  # reported 1 June for a completion on 2 March
    head = any_system.store.head()
    again = any_system.completions.handle(report_completions("0004444", [report(ids["activity"])]), BY)
    assert again[0].action == "unchanged" and any_system.store.head() == head


def test_events_carry_no_personal_data(system: System) -> None:
    ids = setup(system)
    system.completions.handle(report_completions("0004444", [report(ids["activity"])]), BY)
    completion = system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1")
    [recorded] = list(system.store.events.get(completion.id))
    fields = set(vars(recorded))
    assert {"learner_id", "activity_id", "credit_id", "accme_id"} <= fields
    assert not fields & {"first_name", "last_name", "birth_date", "npi", "licences", "board_ids"}


@pytest.mark.parametrize(
    ("over", "loc", "words"),
    [
        (
            {"Activity__Module__CompletedDateTime": "2023-03-02"},
            ["Activity", "Module", "CompletedDateTime"],
            "reporting window",
        ),
        (
            {"Activity__Module__CompletedDateTime": "2025-04-02"},
            ["Activity", "Module", "CompletedDateTime"],
            "activity",
        ),
        (
            {"Activity__Module__CreditCertificate__0__CreditReceived__numberOfCredits": 7},
            ["Activity", "Module", "CreditCertificate"],
            "more than",
        ),
        (
            {"Activity__Module__CreditCertificate__0__CreditReceived__numberOfCredits": 1.1},
            ["Activity", "Module", "CreditCertificate", 0, "CreditReceived", "numberOfCredits"],
            "0.25",
        ),
        (
            {"Activity__Module__CreditCertificate__1__CreditReceived__activityCertification": "ABP MOC"},
            ["Activity", "Module", "CreditCertificate", 1, "CreditReceived", "activityCertification"],
            "not registered for ABP",
        ),
        (
            {"Activity__Module__CreditCertificate__1__CreditReceived__numberOfCredits": 6.5},
            ["Activity", "Module", "CreditCertificate", 1, "CreditReceived", "numberOfCredits"],
            "6.5 ABIM MOC points is more than",
        ),
        ({"Member__Name__GivenName": "Anna"}, ["Member"], "not matched"),
        (
            {"Activity__Module__CreditCertificate__0__CreditID": "c1"},
            ["Activity", "Module", "CreditCertificate", 0, "CreditID"],
            "ccid",
        ),
        ({"XtensibleInfo__LearnerRecordAction": "update"}, ["XtensibleInfo", "LearnerRecordAction"], "add or delete"),
        ({"Activity__ProviderOrganization": "0005555"}, ["Activity", "ProviderOrganization"], "0004444"),
        (
            {"Activity__Module__ModuleName__moduleID": "12345"},
            ["Activity", "Module", "ModuleName", "moduleID"],
            "9-digit",
        ),
    ],
)
def test_refusals_name_the_field_and_save_nothing(system: System, over, loc, words) -> None:  # type: ignore[no-untyped-def]
    ids = setup(system)
    head = system.store.head()
    [result] = system.completions.handle(report_completions("0004444", [report(ids["activity"], **over)]), BY)
    assert result.action == "rejected"
    assert result.errors[0]["loc"] == loc and words in result.errors[0]["msg"], result.errors
    assert system.store.head() == head


def test_activity_of_another_provider_is_refused(system: System) -> None:
    ids = setup(system)
    [result] = system.completions.handle(report_completions("0004444", [report(ids["other_activity"])]), BY)
    assert result.action == "rejected" and "not an activity of provider 0004444" in result.errors[0]["msg"]


def test_valid_reports_are_saved_beside_refused_ones_in_chunks(system: System) -> None:
    ids = setup(system)
    reports = [report(ids["activity"], credit_id=f"ccid:0004444:c{i}") for i in range(5)]
    reports.insert(2, report(ids["activity"], Member__Name__FamilyName="Nobody"))
    results = system.completions.report(report_completions("0004444", reports), BY, chunk_size=2)
    assert [r.action for r in results] == ["added", "added", "rejected", "added", "added", "added"]


def test_delete_then_resubmit_and_a_changed_record_is_refused(system: System) -> None:
    ids = setup(system)
    system.completions.handle(report_completions("0004444", [report(ids["activity"])]), BY)
    changed = report(ids["activity"], Activity__Module__CompletedDateTime="2025-03-01")
    [refused] = system.completions.handle(report_completions("0004444", [changed]), BY)
    assert refused.action == "rejected" and "delete it, then resubmit" in refused.errors[0]["msg"]
    [deleted] = system.completions.handle(report_completions("0004444", [report(ids["activity"], action="delete")]), BY)
    assert deleted.action == "deleted"
    [back] = system.completions.handle(report_completions("0004444", [changed]), BY)
    assert back.action == "added"
    completion = system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1")
    assert completion.completion_date == date(2025, 3, 1) and not completion.deleted


def test_domain_rules_directly(system: System) -> None:
    ids = setup(system)
    activity: Activity = system.activities.get_by_number(ids["activity"])
    by = Acting("provider:0004444:t", Channel.WEB)
    kw = {
        "accme_id": "0004444",
        "activity": activity,
        "cme": [{"type": "AMA PRA Category 1", "credits": 1}],
        "moc": [],
        "credit_id": "ccid:a:b",
        "by": by,
    }
    with pytest.raises(LearnerNotMatchedError):
        Completion.record(learner_id=None, completion_date=date(2025, 3, 1), today=TODAY, **kw)
    with pytest.raises(CompletionOutsideWindowError):
        Completion.record(learner_id=ids["ana"], completion_date=date(2025, 3, 1), today=date(2026, 4, 1), **kw)
    ok = Completion.record(learner_id=ids["ana"], completion_date=date(2025, 3, 1), today=date(2025, 3, 5), **kw)
    assert ok.late is False and ok.id == Completion.create_id(ids["ana"], ids["activity"], "ccid:a:b")


# --- what a certificate's credit is (its credit type and the board its UniqueID.domain names) -------------

CERT = ["Activity", "Module", "CreditCertificate"]


def _moc_cert(certification: str, domains: list[dict[str, str]], credit_id: str = "ccid:0004444:m1") -> dict:  # type: ignore[type-arg]
    return {
        "UniqueID": domains,
        "CreditReceived": {"activityCertification": certification, "creditUnit": "Point", "numberOfCredits": 1.0},
        "CreditID": credit_id,
    }


@pytest.mark.parametrize(
    ("certification", "domains", "moc_type"),
    [
        ("MOC", [{"value": "123456", "domain": "ABIM"}], "ABIM MOC"),  # the certificate
        ("moc points", [{"value": "123456", "domain": "abim"}], "ABIM MOC"),
        (
            "MK",
            [{"value": "123456", "domain": "ABIM"}, {"value": "MD12345", "domain": "TN"}],
            "ABIM MK",
        ),  # a credit type of the registration
        ("MOC ABIM", [{"value": "MD12345", "domain": "TN"}], "ABIM MOC"),
        ("ABIM Medical Knowledge", [{"value": "MD12345", "domain": "TN"}], "ABIM Medical Knowledge"),
        ("ABIM MOC", [{"value": "123456", "domain": "ABIM"}], "ABIM MOC"),
    ],
)
def test_a_board_domain_certificate_carrying_moc_is_moc_for_that_board(
    any_system: System, certification, domains, moc_type
) -> None:  # type: ignore[no-untyped-def]
    ids = setup(any_system)
    r = report(ids["activity"], Activity__Module__CreditCertificate=[_moc_cert(certification, domains)])
    [result] = any_system.completions.handle(report_completions("0004444", [r]), BY)
    assert result.action == "added", result.errors
    completion = any_system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:m1")
    assert completion.cme == [] and completion.moc == [{"board": "ABIM", "type": moc_type, "credits": 1.0}]
    any_system.projections.catch_up()
    [item] = any_system.projections.get(FeedProjection).view.page("board:ABIM", 0, 10)
    assert item["doc"]["credit_id"] == "ccid:0004444:m1" and item["doc"]["points"] == 1.0
    [state] = any_system.projections.get(FeedProjection).view.page(
        "state:TN", 0, 10
    )  # MOC still counts as CME for the learner's state
    assert state["doc"]["moc"] == completion.moc


@pytest.mark.parametrize(
    ("certification", "domains", "words"),
    [
        ("MOC", [{"value": "MD12345", "domain": "TN"}], "no certifying board"),
        ("Medical Knowledge", [{"value": "123456", "domain": "ABIM"}], "neither CME credit"),
        ("Category 1", [{"value": "MD12345", "domain": "TN"}], "is not CME credit"),
        ("MOC", [{"value": "123456", "domain": "ABIM"}, {"value": "9", "domain": "ABP"}], "ambiguous"),
        ("ABIM ABP MOC", [{"value": "123456", "domain": "ABIM"}], "more than one"),
    ],
)
def test_a_certificate_that_cannot_be_classified_is_refused_naming_its_path(
    system: System, certification, domains, words
) -> None:  # type: ignore[no-untyped-def]
    ids = setup(system)
    head = system.store.head()
    good = {
        "UniqueID": [{"value": "MD12345", "domain": "TN"}],
        "CreditReceived": {
            "activityCertification": "AMA PRA Category 1",
            "creditUnit": "Point",
            "numberOfCredits": 1.0,
        },
        "CreditID": "ccid:0004444:m0",
    }
    r = report(ids["activity"], Activity__Module__CreditCertificate=[good, _moc_cert(certification, domains)])
    [result] = system.completions.handle(report_completions("0004444", [r]), BY)
    assert result.action == "rejected"
    assert result.errors[0]["loc"] == [*CERT, 1, "CreditReceived", "activityCertification"], result.errors
    assert words in result.errors[0]["msg"] and certification in result.errors[0]["msg"]
    assert system.store.head() == head


def test_cme_credit_types_are_stored_by_their_one_name(system: System) -> None:
    ids = setup(system)
    r = report(
        ids["activity"],
        Activity__Module__CreditCertificate__0__CreditReceived__activityCertification="AMA PRA Category 1 Credit™",
    )
    [result] = system.completions.handle(report_completions("0004444", [r]), BY)
    assert result.action == "added", result.errors
    assert system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1").cme == [
        {"type": "AMA PRA Category 1", "credits": 6.0}
    ]


def test_two_entries_of_one_board_cannot_pass_its_points_between_them(system: System) -> None:
    ids = setup(system)
    twice = [_moc_cert("ABIM MOC", [{"value": "123456", "domain": "ABIM"}]) for _ in range(2)]
    for cert in twice:
        cert["CreditReceived"]["numberOfCredits"] = 4.0  # 8 points for an activity registered with 6
    [result] = system.completions.handle(
        report_completions("0004444", [report(ids["activity"], Activity__Module__CreditCertificate=twice)]), BY
    )
    assert result.action == "rejected" and "8 ABIM MOC points is more than" in result.errors[0]["msg"]


def test_a_deletion_names_credit_ids_whatever_credit_type_its_certificates_carry(system: System) -> None:
    ids = setup(system)
    system.completions.handle(report_completions("0004444", [report(ids["activity"])]), BY)
    odd = report(
        ids["activity"],
        action="delete",
        Activity__Module__CreditCertificate__0__CreditReceived__activityCertification="Category 1",
    )
    [deleted] = system.completions.handle(report_completions("0004444", [odd]), BY)
    assert deleted.action == "deleted", deleted.errors


def test_one_reports_credit_ids_share_the_activitys_credits(system: System) -> None:
    ids = setup(system)
    r = report(ids["activity"])
    r["Activity"]["Module"]["CreditCertificate"][1] = {
        **r["Activity"]["Module"]["CreditCertificate"][0],
        "CreditID": "ccid:0004444:c2",
    }
    head = system.store.head()
    [result] = system.completions.handle(
        report_completions("0004444", [r]), BY
    )  # 6 + 6 CME credits of a 6.25-credit activity
    assert result.action == "rejected" and "12 credits is more than" in result.errors[0]["msg"]
    assert result.errors[0]["loc"] == ["Activity", "Module", "CreditCertificate"]
    assert system.store.head() == head
    r["Activity"]["Module"]["CreditCertificate"][1]["CreditReceived"] = {
        "activityCertification": "ABIM MOC",
        "creditUnit": "Point",
        "numberOfCredits": 6,
    }
    [ok] = system.completions.handle(
        report_completions("0004444", [r]), BY
    )  # CME under one credit ID, MOC under another
    assert ok.action == "added" and ok.credit_ids == ["ccid:0004444:c1", "ccid:0004444:c2"]
