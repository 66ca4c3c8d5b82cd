"""The activity page lists everything closing still needs; a refused close names it all at once."""

from __future__ import annotations

import re

from tests.web.helpers import post_form
from tests.web.test_provider_pages import FULL, P, provider_pages  # noqa: F401 - the fixture
from tests.web.test_sign_in_pages import errors_beside

NEW = f"{P}/activities/new"


def still_needed(html: str) -> list[str]:
    section = re.search(r'<section aria-labelledby="h-missing">.*?</section>', html, re.DOTALL)
    return re.findall(r"<li>(?:<a [^>]*>)?([^<]*)", section[0]) if section else []


def test_the_page_lists_what_closing_needs_and_a_refused_close_names_it_all(provider_pages):  # noqa: F811
    lacking = {
        k: v
        for k, v in FULL.items()
        if k
        not in (
            "outcome",
            "outcome_type",
            "physicians",
            "others",
            "commercial_support",
            "support_source",
            "support_amount",
        )
    }
    saved = post_form(provider_pages, NEW, NEW, lacking)
    page = saved.headers["location"]
    needed = still_needed(provider_pages.get(page).text)
    assert needed == [
        "at least one measured outcome is required",
        "say whether the activity received commercial support",
        "the number of physician learners is required (0 allowed)",
        "the number of other learners is required (0 allowed)",
    ]
    assert 'href="#f-outcome"' in provider_pages.get(page).text
    refused = post_form(provider_pages, page, page + "/close", {})
    assert refused.status_code == 409
    beside = errors_beside(refused.text)
    assert {"outcome", "commercial_support", "physicians"} <= set(beside)
    assert all(n in refused.text for n in needed)
    fixed = post_form(provider_pages, page, page, FULL)
    assert fixed.status_code == 303
    assert still_needed(provider_pages.get(page).text) == [] and "Nothing is missing" in provider_pages.get(page).text
    assert post_form(provider_pages, page, page + "/close", {}).status_code == 303
