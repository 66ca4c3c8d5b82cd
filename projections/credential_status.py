"""Credential status: the index each verifiable credential holds in the revocation Bitstring Status List,
and which indexes are revoked (W3C Bitstring Status List v1.0).

A completion's credential (Open Badges 3.0) names the index its completion stream holds while it stands:
`Recorded` takes the next free index, `Deleted` revokes it, and a `Resubmitted` completion takes a new one
(the old credential, which carried the deleted record's credit, stays revoked: revocation is final). A
learner's CLR transcripts name the index their `Learner.Registered` took; `Learner.Erased` revokes it and
every index of the learner's completions, and a completion recorded for an erased learner is revoked from
the start. Indexes follow the log's order, so a rebuild hands out the same ones: a credential issued
before a rebuild still points at its own bit.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking

from domain.completion import Completion
from domain.learner import Learner
from projections.base import ParsProjection, ProjectionView

#: Entries in one status list: 131,072 bits (16 KB), the specification's minimum, so that the list a
#: credential points at says nothing about whom it belongs to (group privacy).
LIST_SIZE = 131_072


def learner_subject(learner_id: str) -> str:
    """The status subject of a learner's CLR transcripts."""
    return f"learner:{learner_id}"


class CredentialStatusView(ProjectionView):
    @abstractmethod
    def prefetch(self, subjects: Iterable[str], learners: Iterable[str]) -> None:
        """Reads the current index of these subjects and whether these learners are erased, in one query each."""

    @abstractmethod
    def allocate(self, subject: str, learner_id: str, tracking: Tracking) -> None:
        """Gives the subject the next free index (revoked from the start when its learner is erased)."""

    @abstractmethod
    def learner_of(self, subject: str) -> str | None:
        """The learner of a subject that holds an index, or None."""

    @abstractmethod
    def revoke_subject(self, subject: str, tracking: Tracking) -> None:
        """Revokes the subject's current index."""

    @abstractmethod
    def revoke_learner(self, learner_id: str, tracking: Tracking) -> None:
        """Revokes every index of the learner, and any it is given later."""

    @abstractmethod
    def current(self, subject: str) -> tuple[int, bool] | None:
        """The subject's current index and whether it is revoked, or None."""

    @abstractmethod
    def current_of(self, subjects: list[str]) -> dict[str, tuple[int, bool]]:
        """`current` of many subjects in one query (those without an index are left out)."""

    @abstractmethod
    def revoked(self, list_number: int) -> list[int]:
        """The revoked indexes of one status list (list n holds indexes n * LIST_SIZE and up)."""

    @abstractmethod
    def is_revoked(self, index: int) -> bool:
        """Whether the index is revoked (an index never given out is not)."""

    @abstractmethod
    def lists(self) -> int:
        """How many status lists the indexes given out fill (at least one)."""


class CredentialStatusProjection(ParsProjection[CredentialStatusView]):
    name = "credential_status"
    rebuild_weight = 4
    skips_unhandled = True
    processes_pages = True

    def process_page(self, page: Sequence[tuple[Any, Any, Tracking]]) -> None:
        subjects = {
            str(e.originator_id) for _, e, _ in page if isinstance(e, (Completion.Deleted, Completion.Resubmitted))
        }
        learners = {e.learner_id for _, e, _ in page if isinstance(e, Completion.Recorded)}
        learners |= {str(e.originator_id) for _, e, _ in page if isinstance(e, Learner.Registered)}
        self.view.prefetch(subjects, learners)
        for _, domain_event, tracking in page:
            self.handle(domain_event, tracking)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, e: Completion.Recorded, tracking: Tracking) -> None:
        self.view.allocate(str(e.originator_id), e.learner_id, tracking)

    @process_event.register
    def _(self, e: Completion.Resubmitted, tracking: Tracking) -> None:
        subject = str(e.originator_id)
        learner_id = self.view.learner_of(subject)
        if learner_id is None:  # pragma: no cover - Recorded always comes first
            self.view.insert_tracking(tracking)
            return
        self.view.allocate(subject, learner_id, tracking)

    @process_event.register
    def _(self, e: Completion.Deleted, tracking: Tracking) -> None:
        self.view.revoke_subject(str(e.originator_id), tracking)

    @process_event.register
    def _(self, e: Learner.Registered, tracking: Tracking) -> None:
        self.view.allocate(learner_subject(str(e.originator_id)), str(e.originator_id), tracking)

    @process_event.register
    def _(self, e: Learner.Erased, tracking: Tracking) -> None:
        self.view.revoke_learner(str(e.originator_id), tracking)
