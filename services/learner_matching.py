"""Learner matching: find exactly one physician of the directory, or say why not.

A record identifies a learner by NPI, by certifying board + board ID, or by first and last
name + month and day of birth + state of licensure (optionally with the licence number).
Names are compared folded (case, accents, hyphens, apostrophes, spacing: `fold_name`);
nothing else is forgiven. When several identifiers are given, every one must agree.
Lookups are batched: one pass over the read model serves a whole batch of records.

Answers never reveal another person's data. A reply is `matched` (with the learner_id),
`several_candidates` or `no_match`, and its message names only which kinds of identifier the
caller gave: it never says which one disagreed with a record (no "the learner with NPI ... has
another name", "has another birth date on record", "has no licence in TN"), so an NPI, a board
ID or a name cannot be probed for the other data on record, nor for whether it is on record at
all beyond what a full match answers. A `no_match` reply is the same as an empty directory's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from commands.learners import MatchQuery
from domain.errors import InvalidValueError
from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS, identifier_key, month_day_key, name_key, require_month_day
from projections.learner_directory import LearnerDirectoryView


class MatchStatus(StrEnum):
    """The reason codes of a match reply; none says which identifier disagreed with a record."""

    MATCHED = "matched"
    NO_MATCH = "no_match"
    SEVERAL_CANDIDATES = "several_candidates"


@dataclass(frozen=True)
class UniqueId:
    """One learner identifier as ACCME's `Member.UniqueID` carries it: an NPI, a certifying board's ID
    or a state licence number. `domain` is NPI, the board or the state; None when it was given bare
    (then it may be any of them, and the birth date or the reports tell the learners apart)."""

    value: str
    domain: str | None = None

    @classmethod
    def parse(cls, text: str, loc: tuple[str, ...] = ("UniqueID",)) -> UniqueId:
        """`DOMAIN:value` (e.g. `TN:MD44120`, `ABIM:123456`, `NPI:1234567893`) or a bare value."""
        domain, sep, value = text.strip().partition(":")
        if not sep:
            return cls(domain.strip())
        domain, value = domain.strip().upper(), value.strip()
        if domain != "NPI" and domain not in CERTIFYING_BOARDS and domain not in US_STATES:
            raise InvalidValueError(
                f"{domain!r} is not NPI, a certifying board ({', '.join(CERTIFYING_BOARDS)}) or a US state code",
                loc=loc,
            )
        if not value:
            raise InvalidValueError(f"no identifier follows {domain}:", loc=loc)
        if domain == "NPI" and not (len(value) == 10 and value.isdigit()):
            raise InvalidValueError("an NPI has 10 digits", loc=loc)
        return cls(value, domain)

    def describe(self) -> str:
        if self.domain is None:
            return f"NPI, board ID or state licence number {self.value}"
        if self.domain == "NPI":
            return f"NPI {self.value}"
        if self.domain in CERTIFYING_BOARDS:
            return f"{self.domain} ID {self.value}"
        return f"{self.domain} licence number {self.value}"


@dataclass(frozen=True)
class MatchResult:
    status: MatchStatus
    learner_id: str | None = None
    msg: str = ""
    #: The identifier that matched, with its domain (a bare one resolved): set by `match_unique_id`.
    identifier: UniqueId | None = None
    # The matched learner's NPI, licence numbers and board IDs (normalised), for checks such as "no credit ID
    # holds them"; never part of a reply.
    identifiers: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def matched(self) -> bool:
        return self.status is MatchStatus.MATCHED

    def as_dict(self) -> dict[str, Any]:
        if self.matched:
            return {"status": self.status.value, "learner_id": self.learner_id}
        return {"status": self.status.value, "msg": self.msg}


def _matched(entry: dict[str, Any]) -> MatchResult:
    identifiers = (
        ([entry["npi"]] if entry.get("npi") else [])
        + [number for _, number in entry["licences"]]
        + [i for _, i in entry["board_ids"]]
    )
    return MatchResult(MatchStatus.MATCHED, entry["learner_id"], identifiers=tuple(identifiers))


def no_match(q: MatchQuery) -> MatchResult:
    """The one reply to every disagreement: the same whichever identifier differed, and whether or not any is on record."""
    return MatchResult(MatchStatus.NO_MATCH, msg=f"no learner in the directory has the {q.given()} given")


def several(q: MatchQuery) -> MatchResult:
    return MatchResult(
        MatchStatus.SEVERAL_CANDIDATES,
        msg=f"more than one learner in the directory has the {q.given()} given; add the licence number, NPI or board ID",
    )


class LearnerMatcher:
    def __init__(self, view: LearnerDirectoryView) -> None:
        self.view = view

    def match(self, query: MatchQuery) -> MatchResult:
        return self.match_many([query])[0]

    def match_many(self, queries: Sequence[MatchQuery]) -> list[MatchResult]:
        """One result per query, in order; each query must be valid (MatchQuery.validate)."""
        by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_npi: dict[str, list[dict[str, Any]]] = defaultdict(list)
        by_board: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        npis = [q.npi.strip() for q in queries if q.npi]
        for entry in self.view.by_npis(npis, docs=False) if npis else []:
            by_npi[entry["npi"]].append(entry)
        boards = [(q.board.upper(), identifier_key(q.board_id)) for q in queries if q.board and q.board_id]
        for entry in self.view.by_board_ids(boards, docs=False) if boards else []:
            for pair in entry["board_ids"]:
                by_board[pair].append(entry)
        # Names are looked up only for the queries `_decide` will match by name: one found by its NPI or board ID
        # is confirmed against that entry (most of a file), so its name's namesakes need not be read.
        names = [
            name_key(q.first_name or "", q.last_name or "")
            for q in queries
            if q.has_name and self._by_name_needed(q, by_npi, by_board)
        ]
        for entry in self.view.by_name_keys(names, docs=False) if names else []:
            by_name[entry["name_key"]].append(entry)
        return [self._decide(q, by_name, by_npi, by_board) for q in queries]

    @staticmethod
    def _by_name_needed(
        q: MatchQuery,
        by_npi: dict[str, list[dict[str, Any]]],
        by_board: dict[tuple[str, str], list[dict[str, Any]]],
    ) -> bool:
        """Whether `_decide` reaches `_by_identity` for this query (the same steps, without deciding)."""
        if q.npi and (by_npi.get(q.npi.strip()) or not q.has_identity):
            return False
        board = (q.board.upper(), identifier_key(q.board_id)) if q.board and q.board_id else None
        return not (board and (by_board.get(board) or not q.has_identity))

    def holders(self, uid: UniqueId) -> list[tuple[UniqueId, dict[str, Any]]]:
        """Every directory entry holding the identifier (keys only), each with the identifier as it
        holds it: a bare value is looked up as an NPI, as every board's ID and as a licence number of any state."""
        value, key, domain = uid.value, identifier_key(uid.value), uid.domain
        found: list[tuple[UniqueId, dict[str, Any]]] = []
        if domain in (None, "NPI") and len(value) == 10 and value.isdigit():
            found += [(UniqueId(value, "NPI"), e) for e in self.view.by_npis([value], docs=False)]
        if domain is None or domain in CERTIFYING_BOARDS:
            boards = CERTIFYING_BOARDS if domain is None else (domain,)
            for e in self.view.by_board_ids([(b, key) for b in boards], docs=False):
                found += [(UniqueId(value, b), e) for b, k in e["board_ids"] if k == key and b in boards]
        if domain is None or domain in US_STATES:
            for e in self.view.by_licence_numbers([key], docs=False):
                found += [(UniqueId(value, st), e) for st, k in e["licences"] if k == key and domain in (None, st)]
        return found

    def match_unique_id(self, uid: UniqueId, birth_date: str | None) -> MatchResult:
        """The one learner holding the identifier and born on that month and day; a miss says which
        identifier was tried and why (never a board or state it guessed for a bare value)."""
        found = self.holders(uid)
        what = uid.describe()
        # One reply whether nobody holds the identifier or its holder was born on another day: the
        # caller learns nothing it did not supply (the identifier it gave is named, never a record's value).
        miss = MatchResult(MatchStatus.NO_MATCH, msg=f"no learner in the directory has {what} and that birth date")
        if birth_date:
            value = birth_date.strip()
            md = month_day_key(require_month_day(value[5:] if len(value) == 10 else value, ("birth_date",)))
            found = [(u, e) for u, e in found if e["birth_md"] == md]
        if not found:
            return miss
        learners = {e["learner_id"] for _, e in found}
        if len(learners) > 1:
            hint = "; give it as NPI:number, BOARD:id or STATE:number" if uid.domain is None else ""
            return MatchResult(MatchStatus.SEVERAL_CANDIDATES, msg=f"more than one learner has {what}{hint}")
        held, entry = found[0]
        return replace(_matched(entry), identifier=held)

    def _decide(
        self,
        q: MatchQuery,
        by_name: dict[str, list[dict[str, Any]]],
        by_npi: dict[str, list[dict[str, Any]]],
        by_board: dict[tuple[str, str], list[dict[str, Any]]],
    ) -> MatchResult:
        if q.npi:
            found = by_npi.get(q.npi.strip(), [])
            if found:
                return self._confirm(found, q)
            if not q.has_identity:
                return no_match(q)
        if q.board and q.board_id:
            found = by_board.get((q.board.upper(), identifier_key(q.board_id)), [])
            if found:
                return self._confirm(found, q)
            if not q.has_identity:
                return no_match(q)
        return self._by_identity(q, by_name)

    def _confirm(self, found: list[dict[str, Any]], q: MatchQuery) -> MatchResult:
        """A learner found by NPI or board ID, checked against the name, birth date and state when given."""
        if len(found) > 1:
            return several(q)
        entry = found[0]
        if q.has_name and entry["name_key"] != name_key(q.first_name or "", q.last_name or ""):
            return no_match(q)
        md = q.month_day()
        if md and entry["birth_md"] != month_day_key(md):
            return no_match(q)
        if q.state and not any(state == q.state.upper() for state, _ in entry["licences"]):
            return no_match(q)
        return _matched(entry)

    def _by_identity(self, q: MatchQuery, by_name: dict[str, list[dict[str, Any]]]) -> MatchResult:
        state = (q.state or "").upper()
        md = month_day_key(q.month_day() or "")
        born = [
            c
            for c in by_name.get(name_key((q.first_name or "").strip(), (q.last_name or "").strip()), [])
            if c["birth_md"] == md and any(s == state for s, _ in c["licences"])
        ]
        if q.licence_number:
            number = identifier_key(q.licence_number)
            born = [c for c in born if (state, number) in c["licences"]]
        if not born:
            return no_match(q)
        if len(born) > 1:
            return several(q)
        return _matched(born[0])
