"""LearnerDirectory: registers physicians (one or many, without duplicates), reads and erases them.

Duplicates are found in the `learner_directory` read model, which callers bring up to date
first (the CLI catches it up; the API waits for its own writes): the same NPI, or the same
folded name and birth month-day sharing a state licence number or a board ID.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from commands.learners import EraseLearner, LearnerCommand, RegisterLearner
from domain.base import Acting
from domain.errors import DomainError, NotFoundError
from domain.learner import Learner, LearnerErasedError, identifier_key, month_day_key, name_key, npi_is_valid
from projections.learner_directory import LearnerDirectoryView
from services.personal_data import PersonalKeys
from services.store import ParsStore

#: Learners saved per transaction (one store.save of up to this many aggregates).
SAVE_CHUNK_SIZE = 1000


class LearnerNotFoundError(NotFoundError):
    """Raised when no learner has the given learner_id (or NPI)."""


@dataclass(frozen=True)
class LearnerOutcome:
    """One registration's result: created, existing (already in the directory), or refused with an error."""

    index: int
    status: str
    learner_id: str | None = None
    error: DomainError | None = None
    position: int | None = None


def _keys(identity: dict[str, Any]) -> tuple[str, str, set[tuple[str, str]]]:
    """Name key, MMDD, and the (state | board, number) identifiers of a learner."""
    ids = {(lic["state"], identifier_key(lic["number"])) for lic in identity["licences"]}
    ids |= {(b["board"], identifier_key(b["id"])) for b in identity["board_ids"]}
    return name_key(identity["first_name"], identity["last_name"]), month_day_key(identity["birth_month_day"]), ids


def _entry_ids(entry: dict[str, Any]) -> set[tuple[str, str]]:
    return {tuple(p) for p in entry["licences"]} | {tuple(p) for p in entry["board_ids"]}


class LearnerDirectory:
    def __init__(self, store: ParsStore, view: LearnerDirectoryView, keys: PersonalKeys) -> None:
        self.store = store
        self.view = view
        self.keys = keys

    def register_many(
        self,
        cmds: Sequence[RegisterLearner],
        by: Acting,
        *,
        chunk_size: int = SAVE_CHUNK_SIZE,
        progress: Callable[[int], None] | None = None,
        today: date | None = None,
    ) -> list[LearnerOutcome]:
        """One outcome per command, in order; new learners are saved `chunk_size` per transaction."""
        results: list[LearnerOutcome | None] = [None] * len(cmds)
        built: list[tuple[int, Learner]] = []
        for index, cmd in enumerate(cmds):
            try:
                learner = Learner.register(
                    first_name=cmd.first_name,
                    last_name=cmd.last_name,
                    birth_month_day=cmd.birth_month_day,
                    birth_year=cmd.birth_year,
                    licences=[lic.model_dump() for lic in cmd.licences],
                    npi=cmd.npi,
                    board_ids=[b.model_dump() for b in cmd.board_ids],
                    by=by,
                    today=today,
                )
            except DomainError as error:
                results[index] = LearnerOutcome(index, "rejected", error=error)
                continue
            built.append((index, learner))
        # Already in the directory (one batched lookup), or repeated earlier in this batch.
        identities = [(i, learner, vars(learner)) for i, learner in built]
        on_file = {e["learner_id"]: e for e in self.view.by_npis([ln.npi for _, ln, _ in identities if ln.npi])}
        on_file.update(
            {e["learner_id"]: e for e in self.view.by_name_keys(_keys(ident)[0] for _, _, ident in identities)}
        )
        seen_npi: dict[str, str] = {e["npi"]: lid for lid, e in on_file.items() if e["npi"]}
        seen_identity: dict[tuple[str, str], list[tuple[set[tuple[str, str]], str]]] = {}
        for lid, e in on_file.items():
            seen_identity.setdefault((e["name_key"], e["birth_md"]), []).append((_entry_ids(e), lid))
        new: list[tuple[int, Learner]] = []
        for index, learner, identity in identities:
            nkey, md, ids = _keys(identity)
            existing = seen_npi.get(learner.npi) if learner.npi else None
            if existing is None:
                existing = next((lid for other, lid in seen_identity.get((nkey, md), []) if other & ids), None)
            if existing is not None:
                results[index] = LearnerOutcome(index, "existing", existing)
                continue
            if learner.npi:
                seen_npi[learner.npi] = learner.learner_id
            seen_identity.setdefault((nkey, md), []).append((ids, learner.learner_id))
            new.append((index, learner))
        for start in range(0, len(new), chunk_size):
            chunk = new[start : start + chunk_size]
            self.keys.provision(learner.id for _, learner in chunk)  # one transaction for the chunk's keys
            recordings = self.store.save(*(learner for _, learner in chunk))
            position = recordings[-1].notification.id if recordings else None
            for index, learner in chunk:
                results[index] = LearnerOutcome(index, "created", learner.learner_id, position=position)
            if progress:
                progress(len(chunk))
        return [r for r in results if r is not None]

    def handle(self, cmd: LearnerCommand, by: Acting) -> Any:
        """Hands the command to its handler below; what each returns is said there."""
        match cmd:
            case RegisterLearner():
                return self.register(cmd, by)
            case EraseLearner():
                return self.erase(cmd, by)
        raise TypeError(f"{type(cmd).__name__} is not a learner command")

    def register(self, cmd: RegisterLearner, by: Acting) -> LearnerOutcome:
        outcome = self.register_many([cmd], by)[0]
        if outcome.error is not None:
            raise outcome.error
        return outcome

    def get(self, learner_id: str) -> Learner:
        try:
            ident = UUID(learner_id)
        except (ValueError, TypeError, AttributeError):
            raise LearnerNotFoundError(f"no learner {learner_id!r}", loc=("learner_id",)) from None
        try:
            learner: Learner = self.store.repository.get(ident)
        except AggregateNotFoundError:
            raise LearnerNotFoundError(f"no learner {learner_id}", loc=("learner_id",)) from None
        if not isinstance(learner, Learner):
            raise LearnerNotFoundError(f"no learner {learner_id}", loc=("learner_id",))
        return learner

    def counts(self) -> dict[str, int]:
        """Learners registered, erased, and listed in the directory (the learner_directory read model)."""
        return self.view.counts()

    def resolve(self, learner_id_or_npi: str) -> str | None:
        """The learner_id for a learner_id or an NPI (as a learner token carries), or None."""
        value = (learner_id_or_npi or "").strip()
        if npi_is_valid(value):
            found = self.view.by_npis([value])
            return found[0]["learner_id"] if len(found) == 1 else None
        try:
            return str(self.get(value).id)
        except LearnerNotFoundError:
            return None

    def resolve_not_erased(self, learner_id_or_npi: str) -> str | None:
        """Like `resolve`, but None for an erased learner (nobody is invited to an account for them)."""
        learner_id = self.resolve(learner_id_or_npi)
        return learner_id if learner_id is not None and not self.get(learner_id).erased else None

    def erase(self, cmd: EraseLearner, by: Acting) -> int:
        """Destroys the learner's key (their personal data in every stored event) and records Erased."""
        learner_id = cmd.learner_id
        learner = self.get(learner_id)
        learner.erase(by)  # refuses a second erasure
        # The key goes first: once asked, the data is gone even if recording the erasure fails.
        self.keys.destroy(learner.id)
        try:
            recordings = self.store.save(learner)
        except IntegrityError:  # erased concurrently: the other request recorded it
            raise LearnerErasedError(
                f"learner {learner_id}'s personal data was already erased", loc=("learner_id",)
            ) from None
        return recordings[-1].notification.id
