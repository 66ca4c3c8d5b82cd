"""render_transcript_pdf alone: many pages, names beyond Latin-1, an empty period."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from adapters.formats.transcript_pdf import render_transcript_pdf

LEARNER = {
    "first_name": "Łukasz",
    "last_name": "Nowak-Øyen",
    "licences": [{"state": "NY", "number": "123456"}],
    "npi": None,
    "board_ids": [],
}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def row(n: int) -> dict:
    return {
        "accme_id": "0001234",
        "provider_name": "Acme CME",
        "activity_id": f"{n:09d}",
        "credit_id": f"ccid:a:{n}",
        "completion_date": "2025-05-01",
        "doc": {
            "activity_title": f"Grand rounds {n}",
            "cme": [{"type": "AMA PRA Category 1", "credits": 1.25}],
            "moc": [],
            "late": False,
        },
    }


def test_a_long_transcript_runs_over_pages_with_every_row_and_page_numbers() -> None:
    pdf = render_transcript_pdf(
        LEARNER, [row(n) for n in range(120)], {"AMA PRA Category 1": 150.0}, None, date(2025, 12, 31)
    )
    text = text_of(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages > 2 and f"page {pages} of {pages}" in text
    assert all(f"Grand rounds {n} " in text for n in range(120))
    assert (
        "Lukasz Nowak-Øyen" in text
        and "NY 123456" in text
        and "through 12/31/2025" in text
        and "AMA PRA Category 1 150.00" in text
    )


def test_an_empty_period_says_so() -> None:
    text = text_of(render_transcript_pdf(LEARNER, [], {}, date(2025, 1, 1), date(2025, 1, 31)))
    assert (
        "No completions were reported in this period." in text
        and "No credit in this period." in text
        and "NPI none on record" in text
    )


def test_the_totals_are_never_parted_from_their_heading() -> None:
    """Whatever the number of completions, "Totals by credit type" and every total are on one page."""
    totals = {"AMA PRA Category 1": 10.0, "ABIM MOC": 4.0, "ABP MOC": 2.0}
    for n in range(20, 75):
        pages = PdfReader(
            io.BytesIO(render_transcript_pdf(LEARNER, [row(i) for i in range(n)], totals, None, None))
        ).pages
        holding = [i for i, page in enumerate(pages) if "Totals by credit type" in page.extract_text()]
        assert len(holding) == 1, n
        last = pages[holding[0]].extract_text()
        assert all(f"{kind} {value:.2f}" in last for kind, value in totals.items()), (n, last[-300:])
