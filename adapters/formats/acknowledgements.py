"""Boards' acknowledgements as they arrive (a JSON array over HTTP, the same objects on Kafka) read into the
`Acknowledgement`s of an `AcknowledgeItems` command; a malformed entry becomes the `ReportError` that refuses it
alone (its field named), so the others go on."""

from __future__ import annotations

import re
from typing import Any

from commands.completions import Acknowledgement, ReportError
from domain.completion import check_acknowledgement
from domain.errors import InvalidValueError

MAX_ANSWERS = 1000
FIELDS = ("id", "status", "reason_code", "reason")
ITEM_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[1-9][0-9]{0,8}$")


class AnswersUnreadableError(ValueError):
    """The body is not a list of answers at all (nothing is read from it)."""


def read_answers(kind: str, body: Any) -> list[Acknowledgement | ReportError]:
    """Each entry of the array as an Acknowledgement, or the ReportError naming what is wrong with it."""
    if isinstance(body, dict) and set(body) == {"acknowledgements"}:
        body = body["acknowledgements"]
    if not isinstance(body, list) or not body:
        raise AnswersUnreadableError(
            "the body is a JSON array of one or more answers {id, status, reason_code, reason}"
        )
    if len(body) > MAX_ANSWERS:
        raise AnswersUnreadableError(
            f"at most {MAX_ANSWERS:,} answers a request (got {len(body):,}); send the rest next"
        )
    return [read_answer(kind, entry) for entry in body]


def read_answer(kind: str, entry: Any) -> Acknowledgement | ReportError:
    if not isinstance(entry, dict):
        return ReportError([], "an answer is an object {id, status, reason_code, reason}")
    unknown = sorted(str(k) for k in entry if k not in FIELDS)
    if unknown:
        return ReportError([unknown[0]], f"unknown field {unknown[0]!r}; an answer has {', '.join(FIELDS)}")
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id):
        return ReportError(["id"], "id is a feed item's id as the feed gives it (stream id:version)")
    texts: dict[str, str] = {}
    for name in ("status", "reason_code", "reason"):
        value = entry.get(name)
        if value is None and name != "status":
            value = ""
        if not isinstance(value, str):
            return ReportError([name], f"{name} is a string" + (" (required)" if name == "status" else ""))
        texts[name] = value.strip()
    try:
        check_acknowledgement(kind, texts["status"], texts["reason_code"], texts["reason"])
    except InvalidValueError as error:
        return ReportError(list(error.loc), error.message)
    return Acknowledgement(item_id, texts["status"], texts["reason_code"], texts["reason"])
