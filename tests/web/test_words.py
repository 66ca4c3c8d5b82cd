"""PARS's words on the pages: validator phrasing turned into plain words, roles inside sentences, CSV headers."""

from __future__ import annotations

import csv
import io

import pytest
from pydantic import BaseModel, Field, ValidationError

from adapters.http.year_end_csv import year_end_csv
from adapters.web.render import field_errors, friendly, pydantic_errors
from adapters.web.words import in_sentence, words


class _Form(BaseModel):
    name: str = Field(min_length=1)
    code: str = Field(max_length=3)
    count: int = Field(ge=0)


def test_pydantic_phrasing_becomes_plain_words() -> None:
    with pytest.raises(ValidationError) as bad:
        _Form(name="", code="ABCD", count=-1)
    errors = field_errors(pydantic_errors(bad.value), {"name": "name", "code": "code", "count": "count"})
    assert errors == {"name": "this is required", "code": "enter at most 3 characters", "count": "enter 0 or more"}


@pytest.mark.parametrize(
    ("msg", "plain"),
    [
        ("Input should be 'direct' or 'joint'", "choose 'direct' or 'joint'"),
        ("a date is written YYYY-MM-DD (a time after it is ignored); got ''", "this is required"),
        (
            "value is not a valid email address: An email address must have an @-sign.",
            "enter an email address, like name@example.org",
        ),
        ("has no licence in TN", "has no license in TN"),
        ("Input should be a valid dictionary", "this value cannot be used here"),
    ],
)
def test_friendly(msg: str, plain: str) -> None:
    assert friendly(msg) == plain


def test_roles_inside_a_sentence_keep_their_acronyms() -> None:
    assert [in_sentence(r) for r in ("Primary contact", "CEO", "ACCME website contact", "Medical director")] == [
        "primary contact",
        "CEO",
        "ACCME website contact",
        "medical director",
    ]
    assert words("advertising_exhibit_income") == "Advertising and exhibit income" and words("Title") == "Title"


def test_the_year_end_csv_headers_are_words() -> None:
    row = {
        "accme_id": "0001234",
        "name": "Acme",
        "accreditor": "ACCME",
        "deadline": "2026-03-31",
        "days_to_deadline": 3,
        "days_past_deadline": 0,
        "status": "incomplete",
        "late": False,
        "late_count": 0,
        "missing_count": 1,
        "activities_open": 0,
        "activities_ready_to_close": 0,
        "activities_closed": 0,
        "enduring_without_count": 0,
        "steps": dict.fromkeys(
            (
                "agreement",
                "activities_closed",
                "enduring_counts",
                "program_summary",
                "contacts_reviewed",
                "attestation",
            ),
            True,
        ),
    }
    header = next(csv.reader(io.StringIO(year_end_csv([row]))))
    assert header[:3] == ["ACCME ID", "Provider", "Accreditor"] and "Contact information reviewed" in header
    assert not [h for h in header if "_" in h or h.islower()]


def test_the_transcript_file_keeps_an_accented_name() -> None:
    from adapters.http.transcript_pdf import disposition

    header = disposition("transcript-García López.pdf")
    assert 'filename="transcript-Garcia-Lopez.pdf"' in header
    assert "filename*=UTF-8''transcript-Garc%C3%ADa-L%C3%B3pez.pdf" in header
