"""Property: for any sequence of commands, replaying a provider to the instant after each command gives
the answers the live read models gave at that instant (provider, checklist, dashboard, activities)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from tests.audit.as_of_helpers import answers_at, commands, fresh_system, live_answers, prepare


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(sequence=commands)
def test_replaying_to_each_instant_gives_the_live_answers_of_that_instant(
    tmp_path_factory: pytest.TempPathFactory, sequence: list[tuple[Any, ...]]
) -> None:
    with fresh_system(tmp_path_factory, "as_of") as system:
        prepare(system)
        for moment, expected in live_answers(system, sequence):
            assert answers_at(system.as_of, moment) == expected
