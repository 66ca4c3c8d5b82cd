"""Board and state feeds: a feed's head and a page of its items after a position, with the learners'
names read from the learner directory as the items are read (the feeds read model)."""

from __future__ import annotations

from typing import Any

from projections.feeds import FeedView, with_learners


class FeedQueries:
    def __init__(self, view: FeedView) -> None:
        self.view = view

    def head(self, feed: str) -> int:
        return self.view.head(feed)

    def page(self, feed: str, after: int, limit: int) -> list[dict[str, Any]]:
        return with_learners(self.view, self.view.page(feed, after, limit))
