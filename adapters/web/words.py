"""PARS's words for our internal names, on the pages (JSON keys and the API's fields keep their names)."""

from __future__ import annotations

from typing import Any

#: The program summary's figures, as the annual report's form labels them.
SUMMARY_FIELDS = [
    ("advertising_exhibit_income", "Advertising and exhibit income"),
    ("registration_fees", "Registration fees (incl. subscriptions)"),
    ("government_grants", "Government monetary grants"),
    ("private_donations", "Private monetary donations"),
]
#: A short name of each year-end step, for a table's column on a page (the column's title and the year-end CSV
#: say each step in full: adapters/http/year_end_csv.py STEP_HEADINGS).
STEP_TITLES = {
    "agreement": "Agreement",
    "activities_closed": "Activities closed",
    "enduring_counts": "Enduring counts",
    "program_summary": "Program summary",
    "contacts_reviewed": "Contacts reviewed",
    "attestation": "Attestation",
}

#: Internal names that a list on a page may hold (a checklist's missing items), in PARS's words.
WORDS: dict[str, str] = {
    **dict(SUMMARY_FIELDS),
    "agreement": "Annual agreement",
    "activities_closed": "Activities closed",
    "enduring_counts": "Enduring-material learner counts",
    "program_summary": "Program summary",
    "contacts_reviewed": "Contact information reviewed",
    "attestation": "Attestation",
    "web_service": "web service",
    "ready_to_close": "ready to close",
}


def words(value: Any) -> Any:
    """`value` in PARS's words when it is one of our names; other text as it is."""
    return WORDS.get(value, value) if isinstance(value, str) else value


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Primary contact" → "primary contact", while an acronym keeps its capitals
    ("CEO", "ACCME website contact"): "Add the CEO", never "Add the ceo"."""
    first, _, rest = label.partition(" ")
    if len(first) > 1 and first.isupper():
        return label
    return f"{first.lower()} {rest}".rstrip()
