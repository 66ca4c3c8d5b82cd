"""Commands of licence requirement tracking: a state's CME rules, and the licences a physician tracks."""

from __future__ import annotations

from datetime import date
from typing import Any

from commands.base import Command


class SetLicenceRules(Command):
    """Adopts or changes the CME rules of one state's physician licences (accreditor staff or the state's board)."""

    state: str
    rules: tuple[dict[str, Any], ...]


class TrackLicence(Command):
    """A physician asks PARS to track a state licence's CME requirements (replaces the state's licence tracked)."""

    learner_id: str
    state: str
    licence_type: str  # MD or DO
    number: str
    issued_on: date | None = None


class UntrackLicence(Command):
    learner_id: str
    state: str


class ChooseGapAlerts(Command):
    """Opts in to (or out of) a mail 90 and 30 days before a tracked licence's cycle ends with requirements unmet."""

    learner_id: str
    on: bool


class SendGapAlerts(Command):
    """Mails every opted-in physician whose tracked licence's cycle ends within 90 (then 30) days unmet, once each."""


LicenceCommand = SetLicenceRules | TrackLicence | UntrackLicence | ChooseGapAlerts | SendGapAlerts
