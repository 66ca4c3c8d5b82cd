"""What every batch-format parser hands back: one record per activity, or why the file is unreadable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParsedRecord:
    """One activity read from a file: where it was (`ref`), and either its item dict or its errors.

    `ref` is what a person finds the record by: a JSON path (`ACCMEActivities.MedicalEducationMetrics[3]`,
    counted from 0), an XML element path (`/ACCMEActivities/MedicalEducationMetrics[4]`, counted from 1)
    or a spreadsheet row (`row 7`, the header being row 1). Each error is `{"loc": [...], "msg": ...}`
    with the ref first, then the field (JSON key path, XML element path or column name).
    """

    ref: str
    item: dict[str, Any] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.item is not None and not self.errors


class BatchFormatError(Exception):
    """Raised when a file as a whole cannot be read: not the format it claims, no known format, broken syntax."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or [{"loc": ["file"], "msg": message}]


def error(ref: str, field_name: str | None, msg: str) -> dict[str, Any]:
    return {"loc": [ref, field_name] if field_name else [ref], "msg": msg}
