"""CompletionRegistry: ACCME learner reports in, per-report results out; rules, idempotence, delete and resubmit."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.bootstrap import System
from domain.activity import Activity
from domain.base import Acting, Channel
from domain.completion import (
    Completion,
    CompletionOutsideWindowError,
    LearnerNotMatchedError,
    reporting_window,
)
from tests.completions.helpers import BY, TODAY, report, setup


def test_reporting_window_keeps_last_year_until_31_march() -> None:
    assert reporting_window(date(2026, 3, 31)) == (date(2025, 1, 1), date(2026, 3, 31))
    assert reporting_window(date(2026, 4, 1)) == (date(2026, 1, 1), date(2026, 4, 1))


def test_add_is_saved_once_and_resubmission_is_a_no_op(any_system: System) -> None:
    ids = setup(any_system)
    first = any_system.completions.submit_learner_reports("0004444", [report(ids["activity"])], BY)
    assert [(r.action, r.learner_id, r.errors) for r in first] == [("added", ids["ana"], [])]
    completion = any_system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1")
    assert completion is not None
    assert completion.cme == [{"type": "AMA PRA Category 1", "credits": 6.0}]
    assert completion.moc == [{"board": "ABIM", "type": "ABIM MOC", "credits": 6.0}]
    assert completion.late is True  # reported 1 June for a completion on 2 March
    head = any_system.store.head()
    again = any_system.completions.submit_learner_reports("0004444", [report(ids["activity"])], BY)
    assert again[0].action == "unchanged" and any_system.store.head() == head


def test_events_carry_no_personal_data(system: System) -> None:
    ids = setup(system)
    system.completions.submit_learner_reports("0004444", [report(ids["activity"])], BY)
    completion = system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1")
    [recorded] = list(system.store.events.get(completion.id))
    fields = set(vars(recorded))
    assert {"learner_id", "activity_id", "credit_id", "accme_id"} <= fields
    assert not fields & {"first_name", "last_name", "birth_date", "npi", "licences", "board_ids"}


@pytest.mark.parametrize(
    ("over", "loc", "words"),
    [
        ({"Activity__Module__CompletedDateTime": "2023-03-02"}, ["Activity", "Module", "CompletedDateTime"], "reporting window"),
        ({"Activity__Module__CompletedDateTime": "2025-04-02"}, ["Activity", "Module", "CompletedDateTime"], "activity"),
        ({"Activity__Module__CreditCertificate__0__CreditReceived__numberOfCredits": 7}, ["Activity", "Module", "CreditCertificate"], "more than"),
        ({"Activity__Module__CreditCertificate__0__CreditReceived__numberOfCredits": 1.1}, ["Activity", "Module", "CreditCertificate", 0, "CreditReceived", "numberOfCredits"], "0.25"),
        ({"Activity__Module__CreditCertificate__1__CreditReceived__activityCertification": "ABP MOC"}, ["Activity", "Module", "CreditCertificate"], "ABP"),
        ({"Member__Name__GivenName": "Anna"}, ["Member"], "not matched"),
        ({"Activity__Module__CreditCertificate__0__CreditID": "c1"}, ["Activity", "Module", "CreditCertificate", 0, "CreditID"], "ccid"),
        ({"XtensibleInfo__LearnerRecordAction": "update"}, ["XtensibleInfo", "LearnerRecordAction"], "add or delete"),
        ({"Activity__ProviderOrganization": "0005555"}, ["Activity", "ProviderOrganization"], "0004444"),
        ({"Activity__Module__ModuleName__moduleID": "12345"}, ["Activity", "Module", "ModuleName", "moduleID"], "9-digit"),
    ],
)
def test_refusals_name_the_field_and_save_nothing(system: System, over, loc, words) -> None:  # type: ignore[no-untyped-def]
    ids = setup(system)
    head = system.store.head()
    [result] = system.completions.submit_learner_reports("0004444", [report(ids["activity"], **over)], BY)
    assert result.action == "rejected"
    assert result.errors[0]["loc"] == loc and words in result.errors[0]["msg"], result.errors
    assert system.store.head() == head


def test_activity_of_another_provider_is_refused(system: System) -> None:
    ids = setup(system)
    [result] = system.completions.submit_learner_reports("0004444", [report(ids["other_activity"])], BY)
    assert result.action == "rejected" and "not an activity of provider 0004444" in result.errors[0]["msg"]


def test_valid_reports_are_saved_beside_refused_ones_in_chunks(system: System) -> None:
    ids = setup(system)
    reports = [report(ids["activity"], credit_id=f"ccid:0004444:c{i}") for i in range(5)]
    reports.insert(2, report(ids["activity"], **{"Member__Name__FamilyName": "Nobody"}))
    results = system.completions.submit_learner_reports("0004444", reports, BY, chunk_size=2)
    assert [r.action for r in results] == ["added", "added", "rejected", "added", "added", "added"]


def test_delete_then_resubmit_and_a_changed_record_is_refused(system: System) -> None:
    ids = setup(system)
    system.completions.submit_learner_reports("0004444", [report(ids["activity"])], BY)
    changed = report(ids["activity"], **{"Activity__Module__CompletedDateTime": "2025-03-01"})
    [refused] = system.completions.submit_learner_reports("0004444", [changed], BY)
    assert refused.action == "rejected" and "delete it, then resubmit" in refused.errors[0]["msg"]
    [deleted] = system.completions.submit_learner_reports("0004444", [report(ids["activity"], action="delete")], BY)
    assert deleted.action == "deleted"
    [back] = system.completions.submit_learner_reports("0004444", [changed], BY)
    assert back.action == "added"
    completion = system.completions.get(ids["ana"], ids["activity"], "ccid:0004444:c1")
    assert completion.completion_date == date(2025, 3, 1) and not completion.deleted


def test_domain_rules_directly(system: System) -> None:
    ids = setup(system)
    activity: Activity = system.activities.get_by_number(ids["activity"])
    by = Acting("provider:0004444:t", Channel.WEB)
    kw = dict(accme_id="0004444", activity=activity, cme=[{"type": "AMA PRA Category 1", "credits": 1}], moc=[], credit_id="ccid:a:b", by=by)
    with pytest.raises(LearnerNotMatchedError):
        Completion.record(learner_id=None, completion_date=date(2025, 3, 1), today=TODAY, **kw)
    with pytest.raises(CompletionOutsideWindowError):
        Completion.record(learner_id=ids["ana"], completion_date=date(2025, 3, 1), today=date(2026, 4, 1), **kw)
    ok = Completion.record(learner_id=ids["ana"], completion_date=date(2025, 3, 1), today=date(2025, 3, 5), **kw)
    assert ok.late is False and ok.id == Completion.create_id(ids["ana"], ids["activity"], "ccid:a:b")
