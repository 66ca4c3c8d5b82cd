"""A provider's history as sentences a person reads: who did what, through which channel, when
("Pia Lee changed the billing contact to Bo Chen, web form, 3 Nov 2026 14:02")."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from adapters.web.routes.provider.contacts import ROLES
from adapters.web.words import in_sentence

CHANNELS = {
    "web": "web form",
    "batch": "batch upload",
    "web_service": "web service",
    "cli": "command line",
    "system": "PARS itself",
    "kafka": "Kafka",
}

#: The history page's "What" filter: a name, and the event types (see projections.history.type_matches).
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "contacts": (
        "Contacts",
        (
            "Provider.Registered",
            "Provider.ContactAssigned",
            "Provider.ContactRemoved",
            "Provider.StaffContactAdded",
            "Provider.StaffContactRemoved",
        ),
    ),
    "activities": ("Activities", ("Activity", "ActivityNumber", "ActivityCatalog")),
    "completions": ("Learner completions", ("Completion",)),
    "annual": ("Annual report", ("AnnualReport",)),
    "accreditation": ("Accreditation decisions", ("Provider.AccreditationDecisionRecorded",)),
    "tokens": ("API tokens", ("Provider.ApiTokenIssued", "Provider.ApiTokenRevoked")),
    "reads": ("Auditors' reads", ("AuditorRead",)),
}


def when(iso: str) -> str:
    """3 Nov 2026 14:02 (UTC)."""
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%b %Y %H:%M}"


def who(actor: str, names: Mapping[str, str]) -> str:
    """A person's name when the actor is a web user we know; else what the actor is."""
    parts = actor.split(":")
    if parts[-1] in names:
        return names[parts[-1]]
    if parts[0] == "cli":
        return ":".join(parts[1:]) or "Someone at the command line"
    if parts[0] == "system":
        return "PARS"
    if parts[0] == "auditor":
        return "An auditor"
    if parts[0] in ("board", "state") and len(parts) > 2:
        return f"{parts[1]} (token {parts[-1]})"
    if parts[0] == "provider" and len(parts) > 2:
        return f"API token {parts[-1]}"
    return actor


def _role(data: Mapping[str, Any]) -> str:
    return in_sentence(dict(ROLES).get(data.get("role", ""), str(data.get("role", "contact")).replace("_", " ")))


def _contact(data: Mapping[str, Any]) -> str:
    return str((data.get("contact") or data.get("primary_contact") or {}).get("name") or "someone")


def _title(data: Mapping[str, Any]) -> str:
    title = ((data.get("data") or {}).get("title") or data.get("activity_title") or "").strip()
    return f" “{title}”" if title else ""


def _late(data: Mapping[str, Any]) -> str:
    return " (late)" if data.get("late") else ""


def _credits(data: Mapping[str, Any]) -> str:
    total = sum(float(c.get("credits") or 0) for c in data.get("cme") or [])
    return f" for {total:g} credit{'' if total == 1 else 's'}" if total else ""


WHAT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "Provider.Registered": lambda d: (
        f"registered {d.get('name')} (accredited by {d.get('accreditor')}) with {_contact(d)} as primary contact"
    ),
    "Provider.ContactAssigned": lambda d: f"changed the {_role(d)} to {_contact(d)}",
    "Provider.ContactRemoved": lambda d: f"removed the {_role(d)}",
    "Provider.StaffContactAdded": lambda d: f"added {_contact(d)} to the staff contacts",
    "Provider.StaffContactRemoved": lambda d: "removed a staff contact",
    "Provider.AccreditationDecisionRecorded": lambda d: (
        f"recorded the accreditation decision “{d.get('decision')}” of {d.get('decided_on')}"
        + (f", term ending {d['term_ends']}" if d.get("term_ends") else "")
    ),
    "Provider.ApiTokenIssued": lambda d: f"issued the API token “{d.get('label') or d.get('token_id')}”",
    "Provider.ApiTokenRevoked": lambda d: f"revoked API token {d.get('token_id')}",
    "Activity.Registered": lambda d: f"added activity {d.get('number')}{_title(d)}",
    "Activity.Revised": lambda d: f"changed the activity{_title(d)}",
    "Activity.Corrected": lambda d: f"corrected the closed activity{_title(d)}: {d.get('reason')}",
    "Activity.Closed": lambda d: "closed an activity",
    "Activity.Deleted": lambda d: "deleted an activity",
    "ActivityNumber.Claimed": lambda d: f"gave an activity the ACCME activity ID {d.get('number')}",
    "ActivityCatalog.Started": lambda d: "started the activity catalog",
    "ActivityCatalog.ActivitiesAdded": lambda d: (
        f"added {len(d.get('activity_ids') or [])} activit{'y' if len(d.get('activity_ids') or []) == 1 else 'ies'}"
        " to the activity catalog"
    ),
    "AnnualReport.Started": lambda d: f"started the {d.get('year')} annual report",
    "AnnualReport.AgreementAccepted": lambda d: f"accepted the {d.get('year')} annual agreement{_late(d)}",
    "AnnualReport.ProgramSummarySubmitted": lambda d: f"submitted the {d.get('year')} program summary{_late(d)}",
    "AnnualReport.ContactsReviewed": lambda d: f"confirmed the contacts are up to date for {d.get('year')}{_late(d)}",
    "AnnualReport.Attested": lambda d: f"attested the {d.get('year')} annual report{_late(d)}",
    "AnnualReport.Reopened": lambda d: f"reopened the {d.get('year')} annual report: {d.get('reason')}",
    "Completion.Recorded": lambda d: (
        f"reported a learner's completion of activity {d.get('activity_id')}{_title(d)}{_credits(d)}{_late(d)}"
    ),
    "Completion.Deleted": lambda d: "deleted a learner's completion",
    "Completion.Resubmitted": lambda d: f"reported a deleted completion again{_title(d)}{_credits(d)}",
    "AuditorRead.Recorded": lambda d: f"read {d.get('path')}",
}


def sentence(event: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """One event of the history as a sentence."""
    data = event.get("data") or {}
    what = WHAT.get(event["type"])
    done = what(data) if what else "recorded " + _words_of(event["type"])
    channel = CHANNELS.get(event["channel"], str(event["channel"]).replace("_", " "))
    return f"{who(event['actor'], names)} {done}, {channel}, {when(event['time'])}"


def _words_of(event_type: str) -> str:
    """`AnnualReport.AgreementAccepted` → "annual report: agreement accepted"."""
    aggregate, _, name = event_type.partition(".")

    def spaced(camel: str) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", " ", camel).lower()

    return f"{spaced(aggregate)}: {spaced(name)}" if name else spaced(aggregate)


def names_of(accounts: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """{web user's token id: name}: how a page's events name the person (see session.principal_for)."""
    return {f"user-{str(a['account_id']).replace('-', '')[:12]}": str(a["name"]) for a in accounts if a.get("name")}
