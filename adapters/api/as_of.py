"""`?as_of=`: the read routes answer from the read models replayed to an instant (services/as_of.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from adapters.api.deps import AccessDep, PrincipalDep, ProviderAccess
from adapters.api.problems import Problem
from adapters.api.schemas import IsoInstant
from adapters.http.reads import ReadsDep
from adapters.http.services import Settle, SettleDep
from services.access import Principal
from services.as_of import AsOfReplayer
from services.queries.read_models import ReadModels

AsOfQuery = Annotated[
    IsoInstant | None,
    Query(
        description="ISO-8601 instant (UTC without a zone): answer as the system answered then, replayed from the "
        "provider's events; an instant still to come answers as now"
    ),
]
REPLAY_WAIT_SECONDS = 10.0


class ReadsAt:
    """A route's read models: live, or replayed to an instant (a dependency: `reads_at: ReadsAtDep`)."""

    def __init__(
        self, live: ReadModels, replayer: AsOfReplayer, access: ProviderAccess, settle: Settle, principal: Principal
    ) -> None:
        self.live = live
        self.replayer = replayer
        self.access = access
        self.settle = settle
        self.principal = principal

    def past(self, as_of: datetime | None) -> datetime | None:
        """The instant to replay to; None when the live read models answer (see AsOfReplayer.past)."""
        return self.replayer.past(as_of)

    @contextmanager
    def __call__(
        self, accme_id: str, as_of: datetime | None, needs: Collection[str], years: Iterable[int] = ()
    ) -> Iterator[tuple[ReadModels, dict[str, Any]]]:
        """The read models to answer from, and the provider's profile in them: live, or as of the instant.

        Who may read is decided by the profile as it is now (a token never sees more of the past than of
        the present); a provider not yet registered at the instant is 404."""
        profile = self.access.visible(self.principal, accme_id)
        instant = self.replayer.past(as_of)
        if instant is None:
            yield self.live, profile
            return
        try:  # the replay finds the provider's events through the history read model: let it catch up first
            self.settle.to_head(names=["history"], timeout=REPLAY_WAIT_SECONDS)
        except TimeoutError:
            raise Problem(503, "the history read model is catching up; try again shortly") from None
        reads = self.replayer.replay(accme_id, instant, needs, accreditor=profile["accreditor"], years=years)
        try:
            then = reads.profiles.get_profile(accme_id)
            if then is None:
                raise Problem(
                    404,
                    f"provider {accme_id} was not registered yet at {instant.isoformat()}",
                    [{"loc": ["query", "as_of"], "msg": "before the provider was registered"}],
                )
            yield reads, then
        finally:
            reads.close()


def replayer(request: Request) -> AsOfReplayer:
    return request.app.state.system.as_of


def reads_at(
    live: ReadsDep,
    replayer: Annotated[AsOfReplayer, Depends(replayer)],
    access: AccessDep,
    settle: SettleDep,
    principal: PrincipalDep,
) -> ReadsAt:
    return ReadsAt(live, replayer, access, settle, principal)


ReadsAtDep = Annotated[ReadsAt, Depends(reads_at)]
