"""The one retry loop of the services: MAX_ATTEMPTS attempts, a random pause before each but the first,
growing from PAUSE_SECONDS to at most PAUSE_CAP_SECONDS."""

from __future__ import annotations

import pytest

from services import retries


def test_attempts_pause_with_jitter_between_tries_and_stop_after_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    bounds: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", pauses.append)
    monkeypatch.setattr(retries.random, "uniform", lambda low, high: bounds.append(high) or high / 2)
    assert list(retries.attempts()) == list(range(retries.MAX_ATTEMPTS))
    assert len(pauses) == retries.MAX_ATTEMPTS - 1  # none before the first attempt, none after the last
    assert bounds[:3] == [retries.PAUSE_SECONDS, 2 * retries.PAUSE_SECONDS, 4 * retries.PAUSE_SECONDS]
    assert max(bounds) == retries.PAUSE_CAP_SECONDS and bounds == sorted(bounds)
    assert pauses == [b / 2 for b in bounds]


def test_an_attempt_that_succeeds_pauses_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", pauses.append)
    for attempt in retries.attempts():
        if attempt == 2:
            break
    assert len(pauses) == 2
    assert all(0 <= p <= retries.PAUSE_CAP_SECONDS for p in pauses)
