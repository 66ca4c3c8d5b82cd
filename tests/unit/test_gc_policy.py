"""A batch raises the collector's thresholds for its duration and puts them back, however it ends."""

from __future__ import annotations

import gc

import pytest

from services.gc_policy import BATCH_THRESHOLDS, batch_collection


def test_a_batch_raises_the_thresholds_and_the_last_batch_to_end_restores_them() -> None:
    before = gc.get_threshold()
    with batch_collection():
        assert gc.get_threshold() == BATCH_THRESHOLDS
        with batch_collection():  # nested (or another thread's batch): still raised
            assert gc.get_threshold() == BATCH_THRESHOLDS
        assert gc.get_threshold() == BATCH_THRESHOLDS
    assert gc.get_threshold() == before


def test_a_failing_batch_restores_the_thresholds() -> None:
    before = gc.get_threshold()

    @batch_collection()
    def fails() -> None:
        assert gc.get_threshold() == BATCH_THRESHOLDS
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert gc.get_threshold() == before
