"""Feed cursors: opaque, round-trip exactly, and are refused by any other feed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.geography import US_STATES
from domain.learner import CERTIFYING_BOARDS
from projections.feeds import InvalidCursorError, decode_cursor, encode_cursor

feeds = st.one_of(
    st.sampled_from([f"board:{b}" for b in CERTIFYING_BOARDS]), st.sampled_from([f"state:{s}" for s in US_STATES])
)
seqs = st.integers(min_value=0, max_value=10**15)


@given(feed=feeds, seq=seqs)
def test_a_cursor_round_trips_and_is_url_safe(feed: str, seq: int) -> None:
    cursor = encode_cursor(feed, seq)
    assert decode_cursor(feed, cursor) == seq
    assert cursor.isascii() and not set(cursor) - set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )


@given(feed=feeds, other=feeds, seq=seqs)
def test_a_cursor_of_another_feed_is_refused(feed: str, other: str, seq: int) -> None:
    if feed != other:
        with pytest.raises(InvalidCursorError, match="another feed"):
            decode_cursor(other, encode_cursor(feed, seq))


@given(
    garbage=st.one_of(
        st.text(max_size=40), st.binary(max_size=30).map(lambda b: encode_cursor("board:ABIM", 1)[:4] + b.hex())
    )
)
def test_garbage_is_refused_with_invalid_cursor_only(garbage: str) -> None:
    """Anything but InvalidCursorError would be a 5xx; what is accepted is a seq the feed can page from."""
    try:
        seq = decode_cursor("board:ABIM", garbage)
    except InvalidCursorError:
        return
    assert isinstance(seq, int) and 0 <= seq < 10**18
