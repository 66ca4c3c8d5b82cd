"""Batch file cells: how a cell's text (or an Excel value) is read into an item value, and an item value
written back into a cell — the kinds the activity columns (`columns.py`) are made of.

Conventions of the legacy PARS files: dates as MM/DD/YYYY (YYYY-MM-DD is read too), booleans as Yes/No.
A list cell separates its values with `;`. Inside a value, `\\;`, `\\=` and `\\\\` stand for a
literal `;`, `=` and backslash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class CellError(ValueError):
    """Raised when a cell's text is not of its column's kind."""


# --- cell kinds: read (text or an Excel value → item value) and write (item value → cell value) ----


def as_text(value: Any) -> str:
    if value.__class__ is str:  # the common case, first: this runs for every cell of every row
        return value.strip()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.strftime("%m/%d/%Y") if value.time() == datetime.min.time() else value.strftime("%m/%d/%Y %H:%M:%S")
        )
    if isinstance(value, date):
        return value.strftime("%m/%d/%Y")
    return str(value).strip()


def read_text(value: Any) -> str:
    return as_text(value)


def read_providership(value: Any) -> str:
    """direct or joint; the legacy answers (Directly Provided, Jointly Provided) are read as those."""
    text = as_text(value)
    for answer in ("direct", "joint"):
        if text.lower().startswith(answer):
            return answer
    return text


def read_yesno(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = as_text(value).lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise CellError(f"expected Yes or No, got {as_text(value)!r}")


THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = as_text(value).lstrip("$")
    if "," in text:
        # Only thousands separators are dropped: "6,25" (a decimal comma) would otherwise become 625.
        if not THOUSANDS.fullmatch(text):
            raise CellError(f"expected a number with a point for decimals, e.g. 6.25 or 1,500 (got {as_text(value)!r})")
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"expected a number, got {as_text(value)!r}") from None
    if not number.is_finite():
        raise CellError(f"expected a number, got {as_text(value)!r}")
    return number


def read_number(value: Any) -> int | float:
    number = _decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def read_int(value: Any) -> int:
    number = _decimal(value)
    if number != number.to_integral_value():
        raise CellError(f"expected a whole number, got {as_text(value)!r}")
    return int(number)


DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")
DATETIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _parse_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = as_text(value)
    for fmt in DATE_FORMATS + DATETIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise CellError(f"expected a date as MM/DD/YYYY, got {text!r}")


def read_date(value: Any) -> str:
    return _parse_date(value).date().isoformat()


def read_datetime(value: Any) -> str:
    return _parse_date(value).strftime("%Y-%m-%dT%H:%M:%S")


def read_report_date(value: Any) -> str:
    text = as_text(value)
    if re.fullmatch(r"\d{4}", text):
        return text
    return read_date(value)


def write_date(value: Any) -> Any:
    """An ISO date or date-time as a date (a datetime if it has a time); other text unchanged."""
    if not isinstance(value, str):
        return value
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.date() if parsed.time() == datetime.min.time() else parsed
    return value


def write_report_date(value: Any) -> Any:
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}", value) else write_date(value)


def unchanged(value: Any) -> Any:
    return value


# --- list cells --------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("=", "\\=")


def join_list(values: Iterable[str]) -> str:
    return "; ".join(_escape(str(v)) for v in values)


def split_list(value: Any, sep: str = ";") -> list[str]:
    text = as_text(value)
    parts, current, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def read_list(value: Any) -> list[str]:
    return [_unescape(p) for p in split_list(value)]


def read_pairs(value: Any) -> list[tuple[str, str]]:
    pairs = []
    for part in split_list(value):
        halves = split_list(part, "=") if "=" in part else []
        if len(halves) != 2:
            raise CellError(f"expected key=value pairs separated by ';', got {_unescape(part)!r}")
        pairs.append((_unescape(halves[0]), _unescape(halves[1])))
    return pairs


def join_pairs(pairs: Iterable[tuple[Any, Any]]) -> str:
    return "; ".join(f"{_escape(str(a))}={_escape(str(b))}" for a, b in pairs)
