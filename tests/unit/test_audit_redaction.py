"""Auditor-read redaction: no personal parameter's value survives, whatever the spelling or encoding."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from hypothesis import given
from hypothesis import strategies as st

from domain.audit_log import PERSONAL, AuditorRead, is_personal_parameter, redact_query

PERSONAL_NAMES = st.sampled_from(
    [
        "firstName",
        "lastName",
        "npi",
        "NPI",
        "stateMedicalLicenseID",
        "UniqueID",
        "BirthDate",
        "birth_date",
        "first-name",
    ]
)
OTHER_NAMES = st.sampled_from(["year", "format", "completionDateRangeStart", "stateOfLicensure", "as_of", "limit"])
VALUES = st.text(min_size=1, max_size=20).filter(lambda v: v.strip() and "[personal]" not in v)


@given(pairs=st.lists(st.tuples(st.one_of(PERSONAL_NAMES, OTHER_NAMES), VALUES), max_size=8))
def test_personal_values_never_survive_and_the_rest_round_trips(pairs: list[tuple[str, str]]) -> None:
    redacted = redact_query(pairs)
    back = parse_qsl(redacted, keep_blank_values=True)
    assert [k for k, _ in back] == [k for k, _ in pairs]
    for (name, value), (_, kept) in zip(pairs, back, strict=True):
        assert kept == (PERSONAL if is_personal_parameter(name) else value)
    # A version-1 event's raw query string reads back the same way.
    state = {"query": urlencode(pairs)}
    AuditorRead.Recorded.upcast_v1_v2(state)
    assert state["query"] == redacted and state["learner_ids"] == []
