"""How far a batch upload has got, for the page's script to poll while the server stores the rows.

Kept in this process's memory (one `pars serve` process answers both the upload and the polls);
keyed by the signed-in account and an id the script chose, so nobody reads another's progress.
Entries are dropped once finished and read, or after an hour.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

UPLOAD_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
KEEP_SECONDS = 3600


class UploadProgress:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], tuple[int, int, bool, float]] = {}

    def reporter(self, account_id: str, upload_id: str | None) -> Callable[[int, int], None] | None:
        """A `progress(done, total)` callback for the importers (None when the upload named no valid id)."""
        if not upload_id or not UPLOAD_ID.match(upload_id):
            return None
        key = (account_id, upload_id)
        self._set(key, 0, 0, False)

        def progress(done: int, total: int) -> None:
            self._set(key, done, total, False)

        return progress

    def finish(self, account_id: str, upload_id: str | None) -> None:
        key = (account_id, upload_id or "")
        with self._lock:
            if key in self._jobs:
                done, total, _, _ = self._jobs[key]
                self._jobs[key] = (total or done, total, True, time.monotonic())

    def read(self, account_id: str, upload_id: str) -> dict[str, int | bool] | None:
        with self._lock:
            now = time.monotonic()
            for key in [k for k, v in self._jobs.items() if now - v[3] > KEEP_SECONDS]:
                del self._jobs[key]
            entry = self._jobs.get((account_id, upload_id))
            if entry is None:
                return None
            if entry[2]:
                del self._jobs[(account_id, upload_id)]
            return {"done": entry[0], "total": entry[1], "finished": entry[2]}

    def _set(self, key: tuple[str, str], done: int, total: int, finished: bool) -> None:
        with self._lock:
            self._jobs[key] = (done, total, finished, time.monotonic())


PROGRESS = UploadProgress()
