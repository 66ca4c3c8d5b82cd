"""The ASCII fast paths of name folding and credit-ID folding give what the per-character rules give."""

from __future__ import annotations

import unicodedata

from domain.completion import _alnum
from domain.learner import fold_name

SAMPLES = ["Chloé", "O'Brien-Smith", "  de la Cruz ", "MARY ANN", "José", "Æsir", "ß", "x1-2.3", "", "İstanbul", "a\tb"]


def slow_fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def test_fold_name_and_alnum_match_the_per_character_rules() -> None:
    for value in SAMPLES + [chr(c) for c in range(128)]:
        assert fold_name(value) == slow_fold(value), value
        assert _alnum(value) == "".join(ch for ch in value.upper() if ch.isalnum()), value
