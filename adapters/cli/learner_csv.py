"""The learner directory CSV of `pars import learners`: rows to RegisterLearner commands, or row errors.

Columns `first_name,last_name,birth_date,npi,licenses,board_ids`; `birth_date` is YYYY-MM-DD or
MM-DD; `licenses` like `TN:MD12345;NC:2009-01234`; `board_ids` like `ABIM:123456;ABP:998877`.
Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from commands.learners import BoardId, Licence, RegisterLearner
from domain.errors import DomainError

COLUMNS = ("first_name", "last_name", "birth_date", "npi", "licenses", "board_ids")
FULL_DATE = re.compile(r"^(\d{4})-(\d{2}-\d{2})$")

#: Where a domain error's loc points, as a CSV column.
LOC_COLUMNS = {"licences": "licenses", "birth_year": "birth_date", "birth_month_day": "birth_date"}


class LearnerCsvError(ValueError):
    """Raised when the file is not a learner CSV at all (not UTF-8, or columns missing)."""


@dataclass
class RowError:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ParsedRows:
    commands: list[tuple[int, RegisterLearner]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def column_of(error: DomainError) -> str:
    head = error.loc[0] if error.loc else "first_name"
    return LOC_COLUMNS.get(head, head)


def _pairs(value: str, column: str, row: int) -> list[tuple[str, str]]:
    pairs = []
    for item in (part.strip() for part in value.split(";")):
        if not item:
            continue
        code, sep, number = item.partition(":")
        if not sep or not code.strip() or not number.strip():
            example = "TN:MD12345" if column == "licenses" else "ABIM:123456"
            raise DomainError(f"{item!r} is not CODE:NUMBER (e.g. {example})", loc=(column,))
        pairs.append((code.strip(), number.strip()))
    return pairs


def parse_row(row: int, values: dict[str, str]) -> RegisterLearner:
    birth = (values.get("birth_date") or "").strip()
    year: int | None = None
    if full := FULL_DATE.match(birth):
        year, birth = int(full[1]), full[2]
    try:
        return RegisterLearner(
            first_name=values.get("first_name") or "",
            last_name=values.get("last_name") or "",
            birth_month_day=birth,
            birth_year=year,
            npi=(values.get("npi") or "").strip() or None,
            licences=tuple(
                Licence(state=s, number=n) for s, n in _pairs(values.get("licenses") or "", "licenses", row)
            ),
            board_ids=tuple(BoardId(board=b, id=i) for b, i in _pairs(values.get("board_ids") or "", "board_ids", row)),
        )
    except ValidationError as error:  # pragma: no cover - every field is a string here
        raise DomainError(error.errors()[0]["msg"], loc=("first_name",)) from None


def read_learner_csv(data: bytes) -> ParsedRows:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LearnerCsvError(f"the file is not UTF-8 text (byte {error.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise LearnerCsvError(f"missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    reader.fieldnames = header
    parsed = ParsedRows()
    for number, values in enumerate(reader, start=2):
        if not any((v or "").strip() for k, v in values.items() if isinstance(v, str)):
            continue  # blank line
        if None in values:
            parsed.errors.append(
                RowError(number, COLUMNS[-1], f"{len(header) + len(values[None])} values for {len(header)} columns")
            )
            continue
        try:
            parsed.commands.append((number, parse_row(number, values)))
        except DomainError as error:
            parsed.errors.append(RowError(number, column_of(error), error.message))
    return parsed
