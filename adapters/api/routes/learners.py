"""The learner directory over HTTP: matching (providers, accreditors), the learner's own record, erasure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Response, status
from pydantic import Field

from adapters.api.deps import PrincipalDep, SystemDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.api.schemas import Strict
from adapters.db.accounts_tables import ACCOUNT_TABLES
from adapters.db.learner_directory_tables import PERSONAL_TABLES
from adapters.http.services import LearnerDirectoryDep, MatcherDep
from commands.accounts import EraseAccounts
from commands.learners import EraseLearner, MatchQuery
from domain.account import Account
from domain.learner import LearnerErasedError
from services.access import Principal, Role

router = APIRouter(prefix="/api/v1/learners", tags=["learners"])

MAX_BATCH = 10_000
LearnerIdPath = Annotated[str, Path(min_length=1, max_length=64, description="the learner_id from the directory")]


class LearnerMatch(Strict):
    """One learner's identifiers: an NPI, a board and board ID, or name + birth date + state (+ licence number)."""

    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    birth_date: str | None = Field(
        default=None, max_length=10, description="MM-DD or YYYY-MM-DD; only month and day are compared"
    )
    state: str | None = Field(default=None, max_length=2, description="state of licensure, e.g. TN")
    licence_number: str | None = Field(default=None, max_length=40)
    npi: str | None = Field(default=None, max_length=10)
    board: str | None = Field(
        default=None, max_length=8, description="ABA, ABIM, ABOHNS, ABOS, ABP, ABPATH, ABPMR, ABS or ABTS"
    )
    board_id: str | None = Field(default=None, max_length=40)


def _may_match(principal: Principal) -> None:
    if principal.role not in (Role.PROVIDER, Role.ACCREDITOR):
        raise Problem(403, f"a {principal.role.value} token cannot use the learner match service")


@router.post("/match")
def match_learners(
    body: Annotated[LearnerMatch | list[LearnerMatch], Body()], matcher: MatcherDep, principal: PrincipalDep
) -> Any:
    """Matches one record (an object) or many (a list) against the learner directory, with a reason when not matched."""
    _may_match(principal)
    records = body if isinstance(body, list) else [body]
    if len(records) > MAX_BATCH:
        raise Problem(
            422, f"at most {MAX_BATCH} records per request", [{"loc": ["body"], "msg": f"{len(records)} records"}]
        )
    queries = [MatchQuery(**record.model_dump()) for record in records]
    for index, query in enumerate(queries):
        query.validate(("body", str(index)) if isinstance(body, list) else ("body",))
    results = [r.as_dict() for r in matcher.match_many(queries)]
    return results if isinstance(body, list) else results[0]


@router.get("/me", responses=documented(403, 404))
def my_record(learners: LearnerDirectoryDep, principal: PrincipalDep) -> dict[str, Any]:
    """The signed-in learner's own directory record (names, birth date, licences, NPI, board IDs)."""
    if principal.role is not Role.LEARNER:
        raise Problem(403, "only a learner token has a record of its own")
    learner_id = learners.resolve(principal.learner or "")
    if learner_id is None:
        raise Problem(
            404, "this learner is not in the learner directory", [{"loc": ["token", "learner"], "msg": "not found"}]
        )
    return learners.get(learner_id).public()


@router.delete("/{learner_id}/personal-data", status_code=status.HTTP_204_NO_CONTENT, responses=COMMAND)
def erase_personal_data(learner_id: LearnerIdPath, system: SystemDep, principal: PrincipalDep) -> Response:
    """Erases a learner's personal data for good (ACCME staff: an accreditor token without a state)."""
    # The whole System: erasure orchestrates two services (the learner directory, then the learner's web
    # accounts found in the accounts read model) and purges the deleted rows from the database's files.
    if not (principal.role is Role.ACCREDITOR and principal.state is None):
        raise Problem(403, "only ACCME staff (an accreditor token without a state) erase learners' personal data")
    already: LearnerErasedError | None = None
    try:
        position: int | None = system.learners.handle(EraseLearner(learner_id=learner_id), acting(principal))
    except LearnerErasedError as error:  # a retry after a request that died midway still erases the accounts
        already, position = error, None
    # The learner's web accounts go too (email and name): found in the accounts read model once it is current.
    system.projections.wait(system.store.head(), names=["accounts"])
    accounts = [
        a["account_id"]
        for a in system.queries.accounts.list_accounts([Account.tenant_of("learner", learner=learner_id)])
    ]
    position = system.accounts.handle(EraseAccounts(account_ids=accounts), acting(principal)) or position
    if already is not None and position is None:  # nothing was left to erase
        raise already
    system.projections.wait(position, names=["learner_directory", "accounts"])
    # The directory rows are deleted now; make them unreadable in the files too (SQLite WAL, PostgreSQL dead tuples).
    system.db.purge_deleted(PERSONAL_TABLES + ACCOUNT_TABLES)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
