"""When Python's cyclic garbage collector runs: rarely during a batch, never over what start-up built.

A batch (a completion file, a projection catching up on a page after page) allocates millions of
small containers that live until the batch ends; at the default thresholds (700, 10, 10) the
collector keeps walking them, and every full collection also walks everything start-up made (modules,
the ORM's tables, compiled statements): about a fifth of an import's time (issue 16). Start-up objects
are frozen out of the collector's view once built, and a batch raises the thresholds for its duration
and puts them back afterwards, so reference cycles are still collected, only in larger steps.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: generation 0 is collected after this many net allocations (default 700), the older ones 20x and 100x more rarely
BATCH_THRESHOLDS = (50_000, 20, 100)

_lock = threading.Lock()
_batches = 0  # batches running in this process now (the thresholds are the process's, not a thread's)
_saved: tuple[int, int, int] | None = None


def freeze_after_start_up() -> None:
    """Moves every object start-up built into the permanent generation, so no collection walks them again."""
    gc.collect()
    gc.freeze()


@contextmanager
def batch_collection() -> Iterator[None]:
    """Raises the collector's thresholds while a batch runs, restoring them when the last running batch ends."""
    global _batches, _saved  # noqa: PLW0603 - one collector per process, so one count of running batches
    with _lock:
        if _batches == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*BATCH_THRESHOLDS)
        _batches += 1
    try:
        yield
    finally:
        with _lock:
            _batches -= 1
            if _batches == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
