"""Board feeds over HTTP: per certifying board and per state, paged by an opaque cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from adapters.api.deps import PrincipalDep
from adapters.api.openapi import documented
from adapters.api.problems import Problem
from adapters.http.reads import FeedsDep
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


def read_feed(
    feeds: FeedQueries, principal: Principal, kind: str, raw_code: str, after: str | None, limit: int
) -> dict[str, Any]:
    code = raw_code.strip().upper()
    if not known_code(kind, code):
        known = ", ".join(CERTIFYING_BOARDS) if kind == BOARD else "a two-letter US state or territory code"
        what = "certifying board" if kind == BOARD else "state"
        raise Problem(404, f"no {what} feed {raw_code!r}", [{"loc": ["path", kind], "msg": f"expected {known}"}])
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
