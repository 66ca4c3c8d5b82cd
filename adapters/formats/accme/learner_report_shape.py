"""The shape ACCME's learner-reports schema (v0_5) gives a document, checked before any report is read:
the properties it requires and, where it closes an object (`additionalProperties: false`), the
properties it allows. A document that does not keep to it is refused with each path, never accepted
with a part left unread. The values themselves are checked where they are read (`parse_report`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

#: Closed objects: (path from the report, the properties the schema allows there).
REPORT_KEYS = ("ReportingOrganization", "Member", "Participants", "Activity", "XtensibleInfo")
CLOSED = {
    (): REPORT_KEYS,
    ("Member", "PersonalInfo"): ("BirthDate",),
    ("Participants",): ("Participant",),
    ("Activity", "RegulatoryInformation"): ("CompliantToRegulation",),
}
#: Required properties (what `parse_report` does not already insist on), by the path of their object.
REQUIRED = {
    (): ("ReportingOrganization", "Member", "Activity", "XtensibleInfo"),
    ("Member",): ("Name",),
    ("Member", "Name"): ("GivenName", "FamilyName"),
    ("Activity",): ("ProviderOrganization", "Module"),
    ("Activity", "Module", "ModuleName"): ("value", "moduleID"),
}
STRINGS = (
    ("ReportingOrganization",),
    ("Member", "Name", "GivenName"),
    ("Member", "Name", "FamilyName"),
    ("Activity", "ProviderOrganization"),
    ("Activity", "Module", "ModuleName", "value"),
)
DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


def _at(value: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _unknown(obj: Any, allowed: tuple[str, ...], loc: list[Any]) -> list[dict[str, Any]]:
    if not isinstance(obj, dict):
        return []
    return [
        {"loc": [*loc, k], "msg": f"{k!r} is not a property of the learner-reports schema here"}
        for k in obj
        if k not in allowed
    ]


def envelope_errors(body: Any) -> list[dict[str, Any]]:
    """What the schema requires of the document around the reports: only `ACCMELearnerReports`, holding only
    `ActivityReports`, holding `DateTimeCreated` (yyyy-mm-ddThh:mm:ss, an offset allowed) and `ActivityReport`."""
    root = ["body"]
    errors = _unknown(body, ("ACCMELearnerReports",), root)
    container = _at(body, ("ACCMELearnerReports",))
    errors += _unknown(container, ("ActivityReports",), [*root, "ACCMELearnerReports"])
    reports = _at(container, ("ActivityReports",))
    loc = [*root, "ACCMELearnerReports", "ActivityReports"]
    errors += _unknown(reports, ("DateTimeCreated", "ActivityReport"), loc)
    if isinstance(reports, dict):
        created = reports.get("DateTimeCreated")
        if created is None:
            errors.append(
                {
                    "loc": [*loc, "DateTimeCreated"],
                    "msg": "DateTimeCreated is required: when the document was made, yyyy-mm-ddThh:mm:ss",
                }
            )
        elif not (isinstance(created, str) and DATE_TIME.fullmatch(created) and _is_date_time(created)):
            errors.append(
                {
                    "loc": [*loc, "DateTimeCreated"],
                    "msg": f"DateTimeCreated is yyyy-mm-ddThh:mm:ss (an offset allowed), not {created!r}",
                }
            )
    return errors


def _is_date_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def report_errors(report: Any) -> list[dict[str, Any]]:
    """Each missing required property and each property the schema does not allow, by path within the report."""
    if not isinstance(report, dict):
        return []  # parse_report says what a report is
    errors: list[dict[str, Any]] = []
    for path, allowed in CLOSED.items():
        errors += _unknown(_at(report, path) if path else report, allowed, list(path))
    for path, names in REQUIRED.items():
        obj = _at(report, path) if path else report
        if isinstance(obj, dict):
            errors += [{"loc": [*path, n], "msg": f"{n} is required"} for n in names if obj.get(n) is None]
        elif path and obj is not None:
            errors.append({"loc": list(path), "msg": "an object is required"})
    completed = _at(report, ("Activity", "Module", "CompletedDateTime"))
    # The schema's date-time (a date alone is read too); nothing after it is cut off unread.
    if (
        isinstance(completed, str)
        and len(completed) > 10
        and not (DATE_TIME.fullmatch(completed) and _is_date_time(completed))
    ):
        errors.append(
            {
                "loc": ["Activity", "Module", "CompletedDateTime"],
                "msg": f"CompletedDateTime is YYYY-MM-DDThh:mm:ss, not {completed!r}",
            }
        )
    for path in STRINGS:
        value = _at(report, path)
        if value is not None and not isinstance(value, str):
            errors.append({"loc": list(path), "msg": f"{path[-1]} is text"})
    return errors
