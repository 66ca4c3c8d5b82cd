"""Who may do what: the five roles and their scopes, as a policy over a principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

CERTIFYING_BOARDS = ("ABA", "ABIM", "ABOHNS", "ABOS", "ABP", "ABPATH", "ABPMR", "ABS", "ABTS")


class Role(StrEnum):
    ACCREDITOR = "accreditor"
    PROVIDER = "provider"
    BOARD = "board"
    LEARNER = "learner"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Principal:
    """The signed-in party: a role and the one tenant it is scoped to, if any."""

    role: Role
    token_id: str
    provider: str | None = None  # provider users: their ACCME ID
    board: str | None = None  # certifying-board integrations
    state: str | None = None  # state boards; for accreditors, the state whose accreditor they are
    learner: str | None = None  # learners: learner_id or NPI

    @property
    def actor(self) -> str:
        """How events name who acted."""
        scope = self.provider or self.board or self.state or self.learner
        return f"{self.role.value}:{scope}:{self.token_id}" if scope else f"{self.role.value}:{self.token_id}"

    def oversees(self, accreditor: str) -> bool:
        """ACCME staff oversee every provider (ACCME, JA and those of the state accreditors it recognises);
        a state accreditor's staff oversee the providers that state accredits."""
        return self.role is Role.ACCREDITOR and (self.state is None or self.state == accreditor)

    def can_read_provider(self, profile: dict[str, Any]) -> bool:
        if self.role is Role.AUDITOR:
            return True
        if self.role is Role.PROVIDER:
            return self.provider == profile["accme_id"]
        return self.oversees(profile["accreditor"])

    def can_edit_provider(self, accme_id: str) -> bool:
        """Contacts and the provider's own records: the provider's users only."""
        return self.role is Role.PROVIDER and self.provider == accme_id

    def can_register_provider(self, accreditor: str) -> bool:
        return self.oversees(accreditor)

    def can_decide_accreditation(self, profile: dict[str, Any]) -> bool:
        return self.oversees(profile["accreditor"])

    def can_acknowledge_feed(self, kind: str, code: str) -> bool:
        """Only the board itself answers the items of its feed (ACCME staff and auditors read, never answer)."""
        return self.role is Role.BOARD and (self.board if kind == "board" else self.state) == code

    def can_read_feed(self, kind: str, code: str) -> bool:
        """Board feeds: a board integration reads its own feed only (a certifying board its board's,
        a state board its state's); ACCME staff and auditors read every feed (support, oversight);
        a state accreditor's staff oversee providers, not licensees, so they read none."""
        if self.role is Role.BOARD:
            return (self.board if kind == "board" else self.state) == code
        if self.role is Role.ACCREDITOR:
            return self.state is None
        return self.role is Role.AUDITOR
