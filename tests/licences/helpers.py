"""Builders for the licence tests: the seed rules, an activity tagged for opioid prescribing, Ana's TN licence."""

from __future__ import annotations

from typing import Any

from adapters.bootstrap import System
from adapters.formats.accme.activities import submit_items
from adapters.licences.seed import seed_commands, seed_rules
from domain.base import Acting, Channel
from tests.activities.helpers import ACCME_ID, XI, item
from tests.completions.helpers import BY, MOC, report

STAFF = Acting("accreditor:tester", Channel.CLI)
OPIOIDS = {
    XI + "HasStateContentTags": True,
    XI + "StateContentTags": {
        "StateContent": [{"StateContentDomain": "Opioids", "StateContentTopic": "Safe prescribing"}]
    },
}


def seed(system: System) -> None:
    for cmd in seed_commands():
        system.licences.handle(cmd, STAFF)


def tagged_activity(system: System, pid: str = "T-1") -> str:
    return submit_items(system.activities, ACCME_ID, [item(pid, **MOC, **OPIOIDS)], BY)[0].activity_id


def tn_rules() -> list[dict[str, Any]]:
    return seed_rules()["TN"]


__all__ = ["report", "seed", "tagged_activity", "tn_rules"]
