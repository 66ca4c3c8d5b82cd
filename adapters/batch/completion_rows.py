"""The columns of a completion batch row (tab-delimited and Excel) and their mapping to reports.

One row is one learner's completion of one activity, as ACCME's learner upload template has it:
the activity, the learner's identifiers (name + birth month/day + state of licensure, optionally
the licence number; or NPI; or certifying board + board ID), the completion date, CME credits
and MOC points per board, the credit ID and the action (add or delete). A row becomes the same
`ReportCompletion` an ACCME learner-reports record becomes, so every channel obeys the same rules.

A row without a credit ID gets one made from the matched learner's learner_id, the activity and the
completion date (`learner_credit_id`, once the registry has matched the learner): re-uploading the same
file finds the same completions, and no credit ID is derived from a name, birth date or NPI.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from commands.completions import ReportCompletion
from commands.learners import MatchQuery
from domain.completion import CME_CERTIFICATION, DERIVED_CREDIT_ID, MAX_CREDITS, is_quarter_steps, require_credit_id
from domain.errors import InvalidValueError
from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS, name_key
from domain.rems_learner import DEA_REGISTRATIONS, PRACTICE_AREAS, PROFESSIONS, TIMES_IN_PRACTICE, rems_participant

ACTIVITY_ID, FIRST, LAST = "Activity ID", "First Name", "Last Name"
BIRTH_MONTH, BIRTH_DAY = "Birth Month", "Birth Day"
STATE, LICENCE, NPI = "State of Licensure", "License Number", "NPI"
BOARD, BOARD_ID = "Certifying Board", "Board ID"
COMPLETED, CME = "Completion Date", "CME Credits"
CREDIT_ID, ACTION = "Credit ID", "Action"
CONSENT = "Learner Consent"
#: The learner's REMS fields (2025 draft), for REMS-registered activities: column -> field (domain/rems_learner.py).
REMS_COLUMNS = {
    "REMS Profession": "profession",
    "REMS State of Primary Practice": "state",
    "REMS DEA Registration": "dea",
    "REMS Practice Area": "practice_area",
    "REMS Surgical Procedures": "surgical",
    "REMS Time in Practice": "time_in_practice",
    "REMS Local ID": "local_id",
    "REMS Local ID Domain": "local_id_domain",
}
REMS_COLUMN = {f: c for c, f in REMS_COLUMNS.items()}
YES, NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0", "")


def moc_column(board: str) -> str:
    return f"{board} MOC Points"


MOC_COLUMNS = {moc_column(b): b for b in CERTIFYING_BOARDS}
#: MOC points that name no board: they are the row's Certifying Board's (as a learner report's "MOC"
#: certificate is the board of its UniqueID.domain). Read, never written: the template names each board.
MOC_POINTS = "MOC Points"
COLUMNS = (
    ACTIVITY_ID,
    FIRST,
    LAST,
    BIRTH_MONTH,
    BIRTH_DAY,
    STATE,
    LICENCE,
    NPI,
    BOARD,
    BOARD_ID,
    COMPLETED,
    CME,
    *MOC_COLUMNS,
    CREDIT_ID,
    ACTION,
    CONSENT,
    *REMS_COLUMNS,
)
ACCEPTED = (*COLUMNS, MOC_POINTS)
REQUIRED = (ACTIVITY_ID, FIRST, LAST, COMPLETED)
DESCRIPTIONS = {
    ACTIVITY_ID: "the 9-digit ACCME activity ID (required)",
    FIRST: "learner's first name (required)",
    LAST: "learner's last name (required)",
    BIRTH_MONTH: "month of birth, 1-12 (with the day, needed when matching by name and state)",
    BIRTH_DAY: "day of birth, 1-31",
    STATE: "two-letter state of licensure, e.g. TN",
    LICENCE: "state medical licence number (optional; needs the state)",
    NPI: "10-digit National Provider Identifier (optional)",
    BOARD: f"certifying board of the board ID: {', '.join(CERTIFYING_BOARDS)}",
    BOARD_ID: "the learner's ID at that board",
    COMPLETED: "date the learner completed the activity, MM/DD/YYYY (required)",
    CME: f"{CME_CERTIFICATION} credits, steps of 0.25",
    CREDIT_ID: "ccid:x:y (optional: derived from the row when blank, so re-uploads are recognised)",
    ACTION: "Add (default) or Delete",
    CONSENT: "Yes when the learner consented to sharing the record with boards; without it no board receives it",
    "REMS Profession": "REMS activities: the learner's profession, one of: " + "; ".join(PROFESSIONS),
    "REMS State of Primary Practice": "REMS activities: the state where the learner mainly practises (name or code)",
    "REMS DEA Registration": "REMS activities: " + ", ".join(DEA_REGISTRATIONS),
    "REMS Practice Area": "REMS activities: one of: " + "; ".join(PRACTICE_AREAS),
    "REMS Surgical Procedures": "REMS activities: Yes when the learner performs surgical procedures, else No",
    "REMS Time in Practice": "REMS activities: one of: " + "; ".join(TIMES_IN_PRACTICE),
    "REMS Local ID": "REMS activities: the learner's identifier in your systems (optional)",
    "REMS Local ID Domain": "idd:domainname:localidentifiertype (blank: idd:<your ACCME ID>:local)",
    **{column: f"{board} MOC points, steps of 0.25" for column, board in MOC_COLUMNS.items()},
    MOC_POINTS: f"MOC points for the board in {BOARD}, steps of 0.25 (or use that board's own column)",
}

# Other spellings seen in providers' files, folded like `_fold` folds a header.
ALIASES = {
    "consent": CONSENT,
    "learnerconsent": CONSENT,
    "consenttoshare": CONSENT,
    "accmeactivityid": ACTIVITY_ID,
    "activity": ACTIVITY_ID,
    "moduleid": ACTIVITY_ID,
    "learnerfirstname": FIRST,
    "firstname": FIRST,
    "givenname": FIRST,
    "learnerlastname": LAST,
    "lastname": LAST,
    "familyname": LAST,
    "dobmonth": BIRTH_MONTH,
    "birthmonth": BIRTH_MONTH,
    "monthofbirth": BIRTH_MONTH,
    "dobday": BIRTH_DAY,
    "birthday": BIRTH_DAY,
    "dayofbirth": BIRTH_DAY,
    "state": STATE,
    "stateoflicensure": STATE,
    "licensestate": STATE,
    "licencestate": STATE,
    "licensenumber": LICENCE,
    "licencenumber": LICENCE,
    "licenseid": LICENCE,
    "statemedicallicenseid": LICENCE,
    "npi": NPI,
    "npinumber": NPI,
    "certifyingboard": BOARD,
    "board": BOARD,
    "boardid": BOARD_ID,
    "certifyingboardid": BOARD_ID,
    "completiondate": COMPLETED,
    "datecompleted": COMPLETED,
    "completeddate": COMPLETED,
    "cmecredits": CME,
    "amapracategory1credits": CME,
    "credits": CME,
    "cmecredit": CME,
    "mocpoints": MOC_POINTS,
    "moc": MOC_POINTS,
    "moccredits": MOC_POINTS,
    "ccpoints": MOC_POINTS,
    "creditid": CREDIT_ID,
    "action": ACTION,
    "recordaction": ACTION,
    "learnerrecordaction": ACTION,
    **{_b.lower() + "mocpoints": moc_column(_b) for _b in CERTIFYING_BOARDS},
    **{_b.lower() + "moc": moc_column(_b) for _b in CERTIFYING_BOARDS},
}


def _fold(name: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name or "").lower())


def canonical(name: Any) -> str:
    """The column a header names ("Learner First Name" -> "First Name"), or the header as written."""
    return ALIASES.get(_fold(name), " ".join(str(name or "").split()))


def check_header(names: list[str]) -> list[dict[str, Any]]:
    """Errors for unknown, repeated and missing columns: a typo must not drop data silently."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            continue
        if name not in ACCEPTED:
            errors.append(
                {"loc": ["header", position], "msg": f"unknown column {name!r}; the columns are: {', '.join(ACCEPTED)}"}
            )
        elif name in seen:
            errors.append({"loc": ["header", position], "msg": f"column {name!r} appears twice"})
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            errors.append({"loc": ["header", name], "msg": f"the header row has no {name!r} column"})
    return errors


@dataclass
class CompletionRecord:
    """One record of a completion file: its row (spreadsheet row, or the report's 1-based number in
    a JSON file) and either the parsed report or its errors ({loc, msg}, loc a column or a JSON path)."""

    row: int
    report: ReportCompletion | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""  # the activity title, when the file gives it

    @property
    def ok(self) -> bool:
        return self.report is not None and not self.errors


class _RowErrors:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def add(self, column: str, msg: str) -> None:
        self.errors.append({"loc": [column], "msg": msg})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any, column: str, errs: _RowErrors) -> float | None:
    if value is None or _text(value) == "":
        return None
    try:
        number = (
            float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else float(_text(value))
        )
    except (ValueError, OverflowError):
        errs.add(column, f"{_text(value)[:40]!r} is not a number of credits")
        return None
    if not is_quarter_steps(number):
        errs.add(column, f"{number:g} is not a number from 0 to {MAX_CREDITS:g} in steps of 0.25")
        return None
    return number


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also takes '²' (int() then raises) and other scripts' digits."""
    return text.isascii() and text.isdigit()


def _whole(value: Any, column: str, low: int, high: int, errs: _RowErrors) -> int | None:
    text = _text(value)
    if text == "":
        return None
    if not _digits(text) or not low <= int(text) <= high:
        errs.add(column, f"{text!r} is not a whole number from {low} to {high}")
        return None
    return int(text)


#: What may follow a date in a cell: nothing, or a time of day ("14:30", "T00:00:00Z", "2:30 PM").
TIME_PART = re.compile(r"(T?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)? ?([AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?)?")


def read_date(value: Any) -> date | None:
    """A date cell: an Excel date, MM/DD/YYYY or YYYY-MM-DD (a time part is ignored); ValueError if not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    head = text.split("T")[0].split(" ")[0]
    if not TIME_PART.fullmatch(text[len(head) :].strip()):  # a time is ignored; anything else is not a date
        raise ValueError(f"{text!r} is not a date (MM/DD/YYYY)")
    for pattern in ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"):
        try:
            return datetime.strptime(head, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (MM/DD/YYYY)")


def legacy_row_credit_id(accme_id: str, activity_id: str, query: MatchQuery, completed: date) -> str:
    """The credit ID rows without one were given before credit IDs came from the learner_id: an unsalted hash
    of the name, birth day and NPI (reversible by trying every NPI). Only looked up, so that completions stored
    from a file back then are still found when it is uploaded again; never given to a new completion."""
    who = name_key(query.first_name or "", query.last_name or "")
    ident = (
        query.npi
        or (f"{query.board}:{query.board_id}" if query.board else "")
        or f"{query.state}:{query.licence_number or ''}"
    )
    digest = hashlib.sha256(
        f"{activity_id}|{who}|{query.birth_date or ''}|{ident}|{completed.isoformat()}".encode()
    ).hexdigest()
    return f"ccid:{accme_id}:row-{digest[:24]}"


def row_to_record(cells: dict[str, Any], row: int, accme_id: str) -> CompletionRecord:
    """One row (column name -> cell) as a record: the report, or every error of the row."""
    errs = _RowErrors()
    action = _text(cells.get(ACTION)).lower() or "add"
    if action not in ("add", "delete"):
        errs.add(ACTION, f"{_text(cells.get(ACTION))!r} is not Add or Delete")
    consent = _text(cells.get(CONSENT)).lower()
    if consent not in YES + NO:
        errs.add(CONSENT, f"{_text(cells.get(CONSENT))!r} is not Yes or No")
    raw_activity = cells.get(ACTIVITY_ID)
    activity_id = _text(raw_activity)
    if isinstance(raw_activity, (int, float)) and _digits(activity_id):
        activity_id = activity_id.zfill(9)  # Excel drops the leading zeros of a number
    if not (len(activity_id) == 9 and _digits(activity_id)):
        errs.add(ACTIVITY_ID, f"{activity_id!r} is not a 9-digit ACCME activity ID" if activity_id else "required")
    first, last = _text(cells.get(FIRST)), _text(cells.get(LAST))
    for column, value in ((FIRST, first), (LAST, last)):
        if not value:
            errs.add(column, "required")
    month = _whole(cells.get(BIRTH_MONTH), BIRTH_MONTH, 1, 12, errs)
    day = _whole(cells.get(BIRTH_DAY), BIRTH_DAY, 1, 31, errs)
    if (month is None) != (day is None) and not any(e["loc"][0] in (BIRTH_MONTH, BIRTH_DAY) for e in errs.errors):
        errs.add(BIRTH_DAY if day is None else BIRTH_MONTH, "give both the month and the day of birth")
    birth = f"{month:02d}-{day:02d}" if month and day else None
    state = _text(cells.get(STATE)).upper() or None
    if state and state not in US_STATES:
        errs.add(STATE, f"{state!r} is not a US state or territory code")
    npi = _text(cells.get(NPI)) or None
    if npi and not (len(npi) == 10 and _digits(npi)):
        errs.add(NPI, f"{npi!r} is not a 10-digit NPI")
    board = _text(cells.get(BOARD)).upper() or None
    board_id = _text(cells.get(BOARD_ID)) or None
    if board and board not in CERTIFYING_BOARDS:
        errs.add(BOARD, f"{board!r} is not a certifying board ({', '.join(CERTIFYING_BOARDS)})")
    if bool(board) != bool(board_id):
        errs.add(BOARD_ID if board else BOARD, "give the certifying board and the board ID together")
    try:
        completed = read_date(cells.get(COMPLETED))
        if completed is None:
            errs.add(COMPLETED, "required")
    except ValueError as e:
        completed = None
        errs.add(COMPLETED, str(e))
    cme_credits = _number(cells.get(CME), CME, errs)
    moc = []
    for column, moc_board in MOC_COLUMNS.items():
        points = _number(cells.get(column), column, errs)
        if points is not None:
            moc.append({"board": moc_board, "type": f"{moc_board} MOC", "credits": points})
    generic = _number(cells.get(MOC_POINTS), MOC_POINTS, errs)
    if generic is not None:
        if board not in CERTIFYING_BOARDS:
            errs.add(
                MOC_POINTS,
                f"MOC points name no board: give the {BOARD} (with its {BOARD_ID}) or use a board's own column, e.g. {moc_column('ABIM')!r}",
            )
        elif any(m["board"] == board for m in moc):
            errs.add(MOC_POINTS, f"the {board} MOC points are given twice, here and in {moc_column(board)!r}")
        else:
            moc.append({"board": board, "type": f"{board} MOC", "credits": generic})
            moc.sort(key=lambda m: CERTIFYING_BOARDS.index(m["board"]))  # the order a board's own column gives
    cme = [{"type": CME_CERTIFICATION, "credits": cme_credits}] if cme_credits is not None else []
    if (
        not cme
        and not moc
        and action == "add"
        and not any(e["loc"][0] in (CME, MOC_POINTS) or e["loc"][0] in MOC_COLUMNS for e in errs.errors)
    ):
        errs.add(CME, "a completion carries CME credits or MOC points")
    query = MatchQuery(
        first_name=first or None,
        last_name=last or None,
        birth_date=birth,
        state=state,
        licence_number=_text(cells.get(LICENCE)) or None,
        npi=npi,
        board=board,
        board_id=board_id,
    )
    if not errs.errors:
        try:
            query.validate()
        except InvalidValueError as e:
            where = {"state": STATE, "birth_date": BIRTH_MONTH, "board": BOARD}.get(e.loc[-1] if e.loc else "", NPI)
            errs.add(where, e.message)
    credit_id = _text(cells.get(CREDIT_ID))
    if credit_id:
        try:
            require_credit_id(credit_id)
        except InvalidValueError as e:
            errs.add(CREDIT_ID, e.message)
    rems = _rems(cells, accme_id, errs) if action == "add" else None
    if errs.errors:
        return CompletionRecord(row, errors=errs.errors)
    assert completed is not None
    legacy = None if credit_id else legacy_row_credit_id(accme_id, activity_id, query, completed)
    report = ReportCompletion(
        action,
        activity_id,
        completed,
        query,
        {credit_id or DERIVED_CREDIT_ID: (cme, moc)},
        legacy_credit_id=legacy,
        consent=consent in YES,
        rems=rems,
    )
    return CompletionRecord(row, report=report)


def _rems(cells: dict[str, Any], accme_id: str, errs: _RowErrors) -> dict[str, Any] | None:
    """The row's REMS learner fields (None when every REMS cell is blank), or errors naming their columns."""
    given = {f: _text(cells.get(c)) for c, f in REMS_COLUMNS.items()}
    if not any(given.values()):
        return None
    surgical = given["surgical"].lower()
    if surgical not in YES + NO:
        errs.add(REMS_COLUMN["surgical"], f"{given['surgical']!r} is not Yes or No")
        return None
    local = None
    if given["local_id"] or given["local_id_domain"]:
        local = {"value": given["local_id"], "domain": given["local_id_domain"] or f"idd:{accme_id}:local"}
    try:
        return rems_participant(
            profession=given["profession"],
            state=given["state"],
            dea=given["dea"],
            practice_area=given["practice_area"],
            surgical=None if surgical == "" else surgical in YES,
            time_in_practice=given["time_in_practice"],
            local_id=local,
        )
    except InvalidValueError as e:
        field_ = str(e.loc[1]) if len(e.loc) > 1 else "profession"
        if field_ == "local_id":
            field_ = "local_id_domain" if e.loc[-1] == "domain" else "local_id"
        errs.add(REMS_COLUMN[field_], e.message)
        return None


def record_to_row(report: ReportCompletion) -> dict[str, Any]:
    """A report as a row of cells; only the shapes a row can hold (one credit ID, CME as AMA PRA Category 1)."""
    q = report.query
    [(credit_id, (cme, moc))] = report.credits.items()
    credit_id = "" if credit_id == DERIVED_CREDIT_ID else credit_id  # made from the learner when the row is stored
    month_day = q.month_day()
    row: dict[str, Any] = {
        ACTIVITY_ID: report.activity_id,
        FIRST: q.first_name,
        LAST: q.last_name,
        BIRTH_MONTH: int(month_day[:2]) if month_day else None,
        BIRTH_DAY: int(month_day[3:]) if month_day else None,
        STATE: q.state,
        LICENCE: q.licence_number,
        NPI: q.npi,
        BOARD: q.board,
        BOARD_ID: q.board_id,
        COMPLETED: report.completion_date,
        CME: sum(c["credits"] for c in cme) if cme else None,
        CREDIT_ID: credit_id,
        ACTION: report.action.capitalize(),
        CONSENT: "Yes" if report.consent else "No",
    }
    rems = report.rems or {}
    local = rems.get("local_id") or {}
    cells = {**rems, "local_id": local.get("value"), "local_id_domain": local.get("domain")}
    for field_, column in REMS_COLUMN.items():
        value = cells.get(field_)
        row[column] = ("Yes" if value else "No") if isinstance(value, bool) else value
    for m in moc:
        row[moc_column(m["board"])] = m["credits"]
    return row


# --- where a registry error points in a row -------------------------------------------------------

MATCH_COLUMNS = {
    "birth_date_differs": BIRTH_MONTH,
    "licence_not_in_state": STATE,
    "board_id_unknown": BOARD_ID,
    "several_candidates": LICENCE,
    "no_match": LAST,
}


def column_of(loc: list[Any], msg: str) -> str:
    """The column a registry error (loc within an ACCME ActivityReport) is about."""
    tail = loc[-1] if loc else ""
    if tail == "CompletedDateTime":
        return COMPLETED
    if tail == "moduleID":
        return ACTIVITY_ID
    if "CreditID" in loc:
        return CREDIT_ID
    if "CreditCertificate" in loc:
        boards = [b for b in CERTIFYING_BOARDS if re.search(rf"\b{b}\b", msg)]
        return moc_column(boards[0]) if boards and "MOC" in msg else CME
    if loc[:1] == ["Participants"]:
        return REMS_COLUMN["profession"]
    if loc[:1] == ["Member"]:
        status = re.search(r"\((\w+)\)", msg)
        return MATCH_COLUMNS.get(status.group(1) if status else "", LAST)
    return ".".join(str(p) for p in loc) or ACTIVITY_ID
