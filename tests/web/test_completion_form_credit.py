"""The provider's completion form keeps what was typed (a blank credits field is not 0, MOC points without their
board are not dropped, a board without its points does not copy the CME credits); the physician's page shows one
line per completion."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.formats.accme.learner_reports import report_completions
from tests.completions.helpers import NPI
from tests.web.helpers import post_form
from tests.web.test_provider_pages import P, provider_pages  # noqa: F401  (the signed-in provider's client)
from tests.web.test_sign_in_pages import errors_beside

FORM = f"{P}/completions/new"


def fields(pages: Any, **over: str) -> dict[str, str]:
    return {
        "npi": NPI,
        "activity_id": pages.ids["activity"],
        "completion_date": "2025-03-02",
        "credits": "6",
        "credit_id": "ccid:0004444:f1",
        **over,
    }


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"credits": ""}, "credits", "required"),
        ({"moc_credits": "2"}, "moc_board", "choose the board"),
        ({"moc_board": "ABIM"}, "moc_credits", "enter the ABIM MOC points"),
        ({"moc_board": "ABIM", "moc_credits": "two"}, "moc_credits", "as a number"),
    ],
)
def test_the_form_refuses_what_it_would_have_changed(provider_pages, web_system, over, field, words) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    head = web_system.store.head()
    answer = post_form(provider_pages, FORM, FORM, fields(provider_pages, **over))
    assert answer.status_code == 422 and words in errors_beside(answer.text)[field], errors_beside(answer.text)
    assert web_system.store.head() == head


def test_moc_points_with_their_board_are_recorded_as_typed(provider_pages, web_system) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert (
        post_form(provider_pages, FORM, FORM, fields(provider_pages, moc_board="ABIM", moc_credits="4")).status_code
        == 303
    )
    completion = web_system.completions.get(
        provider_pages.ids["ana"], provider_pages.ids["activity"], "ccid:0004444:f1"
    )
    assert completion.cme == [{"type": "AMA PRA Category 1", "credits": 6.0}] and completion.moc == [
        {"board": "ABIM", "type": "ABIM MOC", "credits": 4.0}
    ]


def test_the_physicians_page_shows_one_line_per_completion(pages, web_system, mail_dir) -> None:  # type: ignore[no-untyped-def]
    from tests.completions.helpers import BY, report, setup
    from tests.web.helpers import activate, sign_in

    ids = setup(web_system, running=True)
    r = report(ids["activity"])
    r["Activity"]["Module"]["CreditCertificate"][1]["CreditID"] = "ccid:0004444:c2"  # CME under c1, ABIM MOC under c2
    [result] = web_system.completions.handle(report_completions("0004444", [r]), BY)
    assert result.action == "added", result.errors
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    page = pages.get("/passport").text
    assert "<caption>1 completion, newest first</caption>" in page
    # One row; the title again only in its credentials' download links (one a credit ID), for screen readers.
    assert page.count("<td>Cardiology update A-1 <small>") == 1 and "ABIM MOC" in page and "AMA PRA Category 1" in page
