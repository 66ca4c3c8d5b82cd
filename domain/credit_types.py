"""What a reported credit is: CME credit, or MOC credit for one certifying board; never a guess.

A learner report's `CreditCertificate` carries a credit type (`activityCertification`) and the
identifiers of whom the credit is reported to (`UniqueID.domain`: NPI, a board such as ABIM, or a
state). Its credit is
* CME credit when the type is a CME credit type (AMA PRA Category 1, however it is spelled);
* MOC credit for board X when the type names X ("ABIM MOC", "MOC ABIM"; whatever other identifiers of
  the learner the certificate lists), or when the certificate is reported to X alone (domain ABIM) and
  the type is MOC itself ("MOC", "CC", "MOC points") or one of the
  credit types the activity is registered with for X ("MK" for an ABIM registration with MK);
* otherwise unclassifiable: refused with the reason, never filed as CME under an unknown name.

MOC credit still counts as CME for state boards (the feeds send it to the learner's states).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from domain.errors import InvalidValueError
from domain.learner import CERTIFYING_BOARDS

CME_CERTIFICATION = "AMA PRA Category 1"
#: CME credit types, folded (see `fold`), each stored as the canonical name.
CME_TYPES = {
    "amapracategory1": CME_CERTIFICATION,
    "amapracategory1credit": CME_CERTIFICATION,
    "amapracategory1credits": CME_CERTIFICATION,
}
#: Credit types that say "MOC" and nothing more: they need the board from the certificate's domain.
GENERIC_MOC = {
    "moc",
    "mocpoints",
    "mocpoint",
    "moccredit",
    "moccredits",
    "cc",
    "ccpoints",
    "moccc",
    "continuingcertification",
}


class UnclassifiedCreditError(InvalidValueError):
    """The credit type is neither CME credit nor MOC credit for one board the certificate names."""


def fold(text: str) -> str:
    """Case, spaces, punctuation and the trademark sign do not change a credit type."""
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def boards_named(certification: str) -> list[str]:
    """The certifying boards a credit type names as a word ("ABIM MOC", "MOC-ABIM", "ABPath MOC")."""
    words = re.findall(r"[A-Z]+", (certification or "").upper())
    return list(dict.fromkeys(w for w in words if w in CERTIFYING_BOARDS))


def registered_types(activity_moc: Iterable[dict[str, Any]] | None) -> dict[str, dict[str, str]]:
    """{board: {folded credit type: credit type}} of an activity's MOC registrations (`Activity.data["moc"]`)."""
    return {r["board"]: {fold(t): t for t in r.get("credit_types") or []} for r in activity_moc or [] if r.get("board")}


def classify(
    certification: str,
    credits: float,
    domains: Iterable[str],
    registered: dict[str, dict[str, str]] | None,
    loc: tuple[str, ...] = ("certification",),
) -> tuple[str, dict[str, Any]] | None:
    """("cme", {type, credits}) or ("moc", {board, type, credits}); None when only the activity's registered
    credit types can tell (`registered` None: not known yet); UnclassifiedCreditError when nothing can."""
    text = (certification or "").strip()
    key = fold(text)
    reported_to = [d for d in dict.fromkeys((d or "").strip().upper() for d in domains) if d in CERTIFYING_BOARDS]
    if key in CME_TYPES:
        return "cme", {"type": CME_TYPES[key], "credits": credits}
    named = boards_named(text)
    if len(named) > 1:
        raise UnclassifiedCreditError(
            f"credit type {text!r} names more than one certifying board ({', '.join(named)})", loc=loc
        )
    if named:  # the type names its board: that wins over the learner's other identifiers on the certificate
        board = named[0]
        rest = key.replace(board.lower(), "", 1)
        # "ABIM-MOC", "moc abim", "ABIM MOC points" are all "ABIM MOC", so totals by credit type add them up.
        return "moc", {
            "board": board,
            "type": f"{board} MOC" if rest in GENERIC_MOC or not rest else text,
            "credits": credits,
        }
    if len(reported_to) != 1:
        why = (
            f"the certificate is reported to {', '.join(reported_to)}, so its board is ambiguous"
            if reported_to
            else "the certificate is reported to no certifying board (UniqueID.domain)"
        )
        raise UnclassifiedCreditError(
            f"credit type {text!r} is not CME credit ({CME_CERTIFICATION}) and {why}: name the board in the credit type (e.g. 'ABIM MOC')",
            loc=loc,
        )
    board = reported_to[0]
    if key in GENERIC_MOC:
        return "moc", {"board": board, "type": f"{board} MOC", "credits": credits}
    if registered is None:
        return None
    if key in registered.get(board, {}):
        return "moc", {"board": board, "type": f"{board} {text}", "credits": credits}
    known = ", ".join(sorted(registered.get(board, {}).values())) or "none"
    raise UnclassifiedCreditError(
        f"credit type {text!r} is neither CME credit ({CME_CERTIFICATION}) nor MOC credit for {board} "
        f"('MOC', '{board} MOC', or a credit type of the activity's {board} registration: {known})",
        loc=loc,
    )
