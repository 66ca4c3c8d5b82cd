"""Retrying a command that lost a race: a concurrent writer appended first (IntegrityError on save), so the
service reloads what it decides on and decides again, after a random pause.

    for _ in attempts():
        aggregate = load()
        decide(aggregate)
        try:
            recordings = store.save(aggregate)
        except IntegrityError:
            continue  # another writer appended this version first: reload and decide again
        return ...
    raise ConcurrentChangeError(...)  # lost every race
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

#: Attempts at a command that keeps losing a race with concurrent writers before giving up.
MAX_ATTEMPTS = 16
#: Upper bound of the first random pause before a retry; doubled on each further attempt, up to the cap.
PAUSE_SECONDS = 0.01
PAUSE_CAP_SECONDS = 0.2


def attempts() -> Iterator[int]:
    """The numbers of MAX_ATTEMPTS attempts, with a random pause before each but the first ("full jitter":
    between 0 and PAUSE_SECONDS doubled each time, at most PAUSE_CAP_SECONDS), so writers that collided do
    not collide again in lockstep."""
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, min(PAUSE_SECONDS * 2 ** (attempt - 1), PAUSE_CAP_SECONDS)))
        yield attempt
