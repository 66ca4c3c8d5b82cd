"""The seed licence rules: one `SetLicenceRules` per state, from `seed_rules.json` (LICENCE-RULES.md's YAML with
each rule's sources, source keys, page dates and the day they were seen, and its `uncertain` flags)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from commands.licences import SetLicenceRules

SEED_FILE = Path(__file__).with_name("seed_rules.json")


def seed_rules() -> dict[str, list[dict[str, Any]]]:
    states: dict[str, list[dict[str, Any]]] = orjson.loads(SEED_FILE.read_bytes())["states"]
    return states


def seed_commands() -> list[SetLicenceRules]:
    return [SetLicenceRules(state=state, rules=tuple(rules)) for state, rules in seed_rules().items()]
