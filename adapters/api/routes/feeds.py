"""Board feeds over HTTP: per certifying board and per state, paged by an opaque cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from adapters.api.deps import PrincipalDep, acting
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.formats.acknowledgements import AnswersUnreadableError, read_answers
from adapters.http.reads import FeedsDep
from adapters.http.services import CompletionRegistryDep, Settle, SettleDep
from commands.completions import AcknowledgeItems
from domain.learner import CERTIFYING_BOARDS
from projections.feeds import (
    BOARD,
    STATE,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
    feed_name,
    known_code,
)
from services.access import Principal
from services.completions import CompletionRegistry
from services.queries.feeds import FeedQueries

router = APIRouter(
    prefix="/api/v1/feeds", tags=["feeds"], responses=documented(403)
)  # a feed reads only for its board or state

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
AfterQuery = Annotated[
    str | None, Query(max_length=200, description="the `next` of the previous page; from the first item when left out")
]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]


class FeedPage(BaseModel):
    items: list[dict[str, Any]]
    next: str  # always a cursor to resume from; an empty page means caught up


@router.get("/boards/{board}", response_model=FeedPage)
def board_feed(
    feeds: FeedsDep,
    principal: PrincipalDep,
    board: Annotated[str, Path(max_length=20, description=", ".join(CERTIFYING_BOARDS))],
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> Any:
    """Completions with MOC credit for a certifying board, and their deletions, in order from a cursor."""
    return read_feed(feeds, principal, BOARD, board, after, limit)


@router.get("/states/{state}", response_model=FeedPage)
def state_feed(
    feeds: FeedsDep,
    principal: PrincipalDep,
    state: Annotated[str, Path(max_length=20, description="two-letter state code, e.g. TN")],
    after: AfterQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> Any:
    """Completions of learners licensed in a state, and their deletions, in order from a cursor."""
    return read_feed(feeds, principal, STATE, state, after, limit)


class AcknowledgementOutcome(BaseModel):
    index: int
    id: str | None
    result: str  # recorded, unchanged or refused
    errors: list[dict[str, Any]]


class AcknowledgementResults(BaseModel):
    results: list[AcknowledgementOutcome]
    recorded: int
    unchanged: int
    refused: int


ANSWERS_BODY = Body(
    description="a JSON array of answers `{id, status, reason_code, reason}` by feed item id (at most 1,000)",
    examples=[[{"id": "…:1", "status": "rejected", "reason_code": "BOARD_ID", "reason": "board ID not found"}]],
)


@router.post("/boards/{board}/acknowledgements", response_model=AcknowledgementResults, responses=COMMAND)
def acknowledge_board_items(
    completions: CompletionRegistryDep,
    read_models: SettleDep,
    principal: PrincipalDep,
    board: Annotated[str, Path(max_length=20, description=", ".join(CERTIFYING_BOARDS))],
    body: Annotated[Any, ANSWERS_BODY] = None,
) -> Any:
    """A certifying board's answers to items of its feed: `accepted`, or `rejected` with its reason. 200 with a
    result per answer even when some are refused; the same answer again records nothing, a changed one is new."""
    return acknowledge(completions, read_models, principal, BOARD, board, body)


@router.post("/states/{state}/acknowledgements", response_model=AcknowledgementResults, responses=COMMAND)
def acknowledge_state_items(
    completions: CompletionRegistryDep,
    read_models: SettleDep,
    principal: PrincipalDep,
    state: Annotated[str, Path(max_length=20, description="two-letter state code, e.g. TN")],
    body: Annotated[Any, ANSWERS_BODY] = None,
) -> Any:
    """A state board's answers to items of its feed: `received`, or `rejected` with its reason (per-item results)."""
    return acknowledge(completions, read_models, principal, STATE, state, body)


def acknowledge(
    completions: CompletionRegistry, read_models: Settle, principal: Principal, kind: str, raw_code: str, body: Any
) -> dict[str, Any]:
    code = _known(kind, raw_code)
    if not principal.can_acknowledge_feed(kind, code):
        raise Problem(403, f"only the board itself answers the items of the {feed_name(kind, code)} feed")
    try:
        answers = read_answers(kind, body)
    except AnswersUnreadableError as error:
        raise Problem(422, str(error), [{"loc": ["body"], "msg": str(error)}]) from None
    results = completions.handle(AcknowledgeItems(kind=kind, code=code, answers=answers), acting(principal))
    positions = [r.position for r in results if r.position]
    if positions:
        read_models(max(positions))
    out = [
        {
            "index": r.index,
            "id": r.item_id,
            "result": r.outcome,
            "errors": [{"loc": ["body", r.index, *e["loc"]], "msg": e["msg"]} for e in r.errors],
        }
        for r in results
    ]
    return {
        "results": out,
        **{name: sum(1 for r in results if r.outcome == name) for name in ("recorded", "unchanged", "refused")},
    }


def _known(kind: str, raw_code: str) -> str:
    code = raw_code.strip().upper()
    if not known_code(kind, code):
        known = ", ".join(CERTIFYING_BOARDS) if kind == BOARD else "a two-letter US state or territory code"
        what = "certifying board" if kind == BOARD else "state"
        raise Problem(404, f"no {what} feed {raw_code!r}", [{"loc": ["path", kind], "msg": f"expected {known}"}])
    return code


def read_feed(
    feeds: FeedQueries, principal: Principal, kind: str, raw_code: str, after: str | None, limit: int
) -> dict[str, Any]:
    code = _known(kind, raw_code)
    feed = feed_name(kind, code)
    if not principal.can_read_feed(kind, code):
        raise Problem(403, f"this {principal.role.value} token may not read the {feed} feed")
    seq = 0
    if after is not None:
        try:
            seq = decode_cursor(feed, after)
        except InvalidCursorError as error:
            raise Problem(
                422, f"after= is not a cursor of the {feed} feed", [{"loc": ["query", "after"], "msg": str(error)}]
            ) from None
        if seq > feeds.head(feed):
            raise Problem(
                422,
                f"after= is beyond the end of the {feed} feed",
                [{"loc": ["query", "after"], "msg": "a cursor this feed never handed out"}],
            )
    items = feeds.page(feed, seq, limit)
    return {"items": items, "next": items[-1]["cursor"] if items else encode_cursor(feed, seq)}
