"""The learner directory, keyed for matching: normalised name + MMDD, NPI, state licence, board ID.

It holds personal data in clear (matching needs it), so a learner's rows are deleted when
the learner is erased; the counts of learners registered and erased stay.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.learner import ERASED, Learner, identifier_key, month_day_key, name_key
from projections.base import ParsProjection, ProjectionView


class LearnerDirectoryView(ProjectionView):
    @abstractmethod
    def put_learner(self, entry: dict[str, Any], tracking: Tracking) -> None:
        """Stores one learner with its lookup keys (entry: learner_id, name_key, birth_md, npi, licences, board_ids, doc)."""

    @abstractmethod
    def delete_learner(self, learner_id: str, tracking: Tracking) -> None:
        """Deletes every row of the learner (erasure) and counts the erasure."""

    @abstractmethod
    def get_learner(self, learner_id: str) -> dict[str, Any] | None:
        """One learner's entry (doc plus keys), or None."""

    @abstractmethod
    def get_learners(self, learner_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The entries of these learners (those still in the directory), in one read."""

    @abstractmethod
    def docs(self, learner_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Only the documents (names, licences) of these learners still in the directory: one query, for lists
        that show names and numbers without matching on the keys."""

    @abstractmethod
    def by_name_keys(self, name_keys: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        """Every learner whose normalised name is one of name_keys (`docs=False`: the keys only, "doc" None — matching needs no more)."""

    @abstractmethod
    def by_npis(self, npis: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        """Every learner with one of these NPIs (`docs=False`: the keys only, "doc" None — matching needs no more)."""

    @abstractmethod
    def by_board_ids(self, pairs: Iterable[tuple[str, str]], *, docs: bool = True) -> list[dict[str, Any]]:
        """Every learner holding one of these (board, normalised board ID) pairs (`docs=False`: the keys only, "doc" None — matching needs no more)."""

    @abstractmethod
    def by_licence_numbers(self, number_keys: Iterable[str], *, docs: bool = True) -> list[dict[str, Any]]:
        """Every learner holding a licence, in any state, whose normalised number is one of number_keys (`docs=False`: the keys only)."""

    @abstractmethod
    def by_learner_ids(self, learner_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The directory documents of these learners (an erased learner has none)."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """{"registered": n, "erased": m, "listed": rows now in the directory}."""


def directory_entry(e: Learner.Registered) -> dict[str, Any]:
    learner_id = str(e.originator_id)
    return {
        "learner_id": learner_id,
        "name_key": name_key(e.first_name, e.last_name),
        "birth_md": month_day_key(e.birth_month_day),
        "npi": e.npi,
        "licences": [(lic["state"], identifier_key(lic["number"])) for lic in e.licences],
        "board_ids": [(b["board"], identifier_key(b["id"])) for b in e.board_ids],
        "doc": {
            "learner_id": learner_id,
            "first_name": e.first_name,
            "last_name": e.last_name,
            "birth_month_day": e.birth_month_day,
            "birth_year": e.birth_year,
            "licences": e.licences,
            "npi": e.npi,
            "board_ids": e.board_ids,
        },
    }


class LearnerDirectoryProjection(ParsProjection[LearnerDirectoryView]):
    name = "learner_directory"
    rebuild_weight = 3
    skips_unhandled = True

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Learner.Registered, tracking: Tracking) -> None:
        if e.first_name == ERASED:  # replaying an erased learner: its Erased event follows and counts it
            self.view.put_learner({"learner_id": str(e.originator_id), "erased": True}, tracking)
            return
        self.view.put_learner(directory_entry(e), tracking)

    @process_event.register
    def _(self, e: Learner.Erased, tracking: Tracking) -> None:
        self.view.delete_learner(str(e.originator_id), tracking)
