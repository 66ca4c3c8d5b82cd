"""What a reported credit is (domain/credit_types.py), as properties: a credit is CME only under a CME credit
type, MOC only for a board its type or its one board domain names, and anything else is refused, never guessed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.credit_types import CME_CERTIFICATION, UnclassifiedCreditError, boards_named, classify, fold
from domain.learner import CERTIFYING_BOARDS

words = st.sampled_from(
    [
        "MOC",
        "moc points",
        "CC",
        "AMA PRA Category 1",
        "AMA PRA Category 1 Credit™",
        "MK",
        "Medical Knowledge",
        "Category 1",
        "Patient Safety",
        "",
        "ABIM",
        "ABP",
        "ABPath",
        "abs",
    ]
)
types = st.lists(words | st.text(max_size=12), min_size=1, max_size=3).map(" ".join)
domains = st.lists(st.sampled_from([*CERTIFYING_BOARDS, "NPI", "TN", "CA", "abim", ""]), max_size=3)
registered = st.dictionaries(
    st.sampled_from(CERTIFYING_BOARDS), st.lists(words, max_size=2).map(lambda ts: {fold(t): t for t in ts}), max_size=3
)


@given(certification=types, reported_to=domains, registrations=st.none() | registered)
def test_a_credit_is_cme_moc_for_a_named_board_pending_or_refused(certification, reported_to, registrations) -> None:  # type: ignore[no-untyped-def]
    boards_of_domain = {d.upper() for d in reported_to} & set(CERTIFYING_BOARDS)
    try:
        result = classify(certification, 1.0, reported_to, registrations)
    except UnclassifiedCreditError as error:
        assert repr(certification.strip()) in error.message  # the refusal quotes what was reported
        return
    if result is None:  # only the activity's registration can tell: asked only before it is known, of one board
        assert registrations is None and len(boards_of_domain) == 1
        return
    kind, credit = result
    if kind == "cme":
        assert credit == {"type": CME_CERTIFICATION, "credits": 1.0} and fold(certification).startswith(
            "amapracategory1"
        )
    else:
        named = boards_named(certification)
        assert credit["board"] in CERTIFYING_BOARDS and credit["board"] in (named or boards_of_domain)
        assert named == [credit["board"]] or (not named and boards_of_domain == {credit["board"]})
        assert credit["board"] in credit["type"].upper()  # the stored type names its board


def test_the_issues_certificate_and_its_neighbours() -> None:
    assert classify("MOC", 1.0, ["ABIM"], None) == ("moc", {"board": "ABIM", "type": "ABIM MOC", "credits": 1.0})
    assert classify("ABIM MOC", 1.0, ["TN"], None) == ("moc", {"board": "ABIM", "type": "ABIM MOC", "credits": 1.0})
    assert classify("abim-moc points", 1.0, [], None) == ("moc", {"board": "ABIM", "type": "ABIM MOC", "credits": 1.0})
    assert classify("MK", 1.0, ["ABIM"], None) is None
    assert classify("MK", 1.0, ["ABIM"], {"ABIM": {"mk": "MK"}}) == (
        "moc",
        {"board": "ABIM", "type": "ABIM MK", "credits": 1.0},
    )
    assert classify("ama pra category 1 credits", 2.0, ["ABIM"], None) == (
        "cme",
        {"type": CME_CERTIFICATION, "credits": 2.0},
    )
