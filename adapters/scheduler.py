"""Scheduled work of the serving process: the accreditors' scheduled year-end reminders, looked at once at start
and then every hour (`SendScheduledReminders`). Each accreditor's reminders of a year go out once: the schedule
records it, and another process racing on it loses the compare-and-set and sends nothing. Without `pars serve`
running, `pars reminders run` (cron) does the same."""

from __future__ import annotations

import logging
import threading

from adapters.bootstrap import System
from commands.annual import SendScheduledReminders
from domain.base import Acting, Channel

log = logging.getLogger(__name__)
SCHEDULER = Acting("system:scheduled-reminders", Channel.SYSTEM)


def send_due_reminders(system: System) -> list[dict[str, object]]:
    """Sends every accreditor's scheduled reminders due today; one entry per accreditor and year reminded."""
    outcome = system.annual.handle(SendScheduledReminders(base_url=system.settings.public_base()), SCHEDULER)
    return list(outcome.value)


class ReminderScheduler:
    def __init__(self, system: System, every_seconds: float = 3600.0) -> None:
        self.system = system
        self.every = every_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pars-reminder-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for sent in send_due_reminders(self.system):
                    log.info("scheduled %s reminders of %s sent", sent["year"], sent["accreditor"])
            except Exception:  # a failed round is logged and tried again next hour; the server goes on
                log.exception("the scheduled reminders failed")
            self._stop.wait(self.every)
