"""Read models that ignore an event type track it without decoding it, and end where a full replay ends."""

from __future__ import annotations

from adapters.bootstrap import System
from adapters.formats.accme.learner_reports import report_completions
from projections.provider_profile import ProviderProfileProjection
from projections.transcripts import TranscriptProjection
from services.projection_runner import BatchProjectionRunner
from tests.completions.helpers import BY, report, setup


def test_skipping_projections_decode_only_what_they_handle_and_reach_the_same_state(
    any_system: System, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    ids = setup(any_system)
    any_system.completions.handle(
        report_completions(
            "0004444",
            [
                report(ids["activity"]),
                report(
                    ids["activity"],
                    credit_id="ccid:0004444:c2",
                    Activity__Module__CompletedDateTime="2025-03-01T00:00:00",
                ),
            ],
        ),
        BY,
    )
    decoded: dict[str, list[str]] = {}
    mapper = any_system.store.mapper
    original = mapper.to_domain_event

    runner = BatchProjectionRunner(any_system.store, any_system.projections.get(ProviderProfileProjection))
    other = BatchProjectionRunner(any_system.store, any_system.projections.get(TranscriptProjection))
    for each in (runner, other):

        def counting(notification, each=each):  # type: ignore[no-untyped-def]
            decoded.setdefault(each.name, []).append(notification.topic)
            return original(notification)

        monkeypatch.setattr(mapper, "to_domain_event", counting)
        each.catch_up()
    assert decoded["provider_profile"] and all(t.startswith("domain.provider:") for t in decoded["provider_profile"])
    assert decoded["transcripts"] and all(t.startswith("domain.completion:") for t in decoded["transcripts"])
    head = any_system.store.head()
    assert any_system.projections.position("provider_profile") == any_system.projections.position("transcripts") == head
    assert any_system.reads.profiles.get_profile("0004444")["name"] == "CME 0004444"
    assert any_system.reads.completions.count("0004444") == 2


def test_read_models_at_one_position_share_each_page_and_decode_each_event_once(
    any_system: System, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    ids = setup(any_system)
    any_system.completions.handle(
        report_completions(
            "0004444",
            [
                report(ids["activity"]),
                report(
                    ids["activity"],
                    credit_id="ccid:0004444:c2",
                    Activity__Module__CompletedDateTime="2025-03-01T00:00:00",
                ),
            ],
        ),
        BY,
    )
    for runner in any_system.projections.runners.values():  # every read model from scratch, as a rebuild
        runner.projection.view.reset()
    mapper = any_system.store.mapper
    original, decoded = mapper.to_domain_event, []

    def counting(notification):  # type: ignore[no-untyped-def]
        decoded.append(notification.id)
        return original(notification)

    monkeypatch.setattr(mapper, "to_domain_event", counting)
    any_system.projections.catch_up()
    head = any_system.store.head()
    assert all(r.projection.position == head for r in any_system.projections.runners.values())
    assert len(decoded) == len(set(decoded)) <= head  # once at most, however many read models want it
    assert any_system.reads.profiles.get_profile("0004444")["name"] == "CME 0004444"
    assert any_system.reads.completions.count("0004444") == 2
