"""The web's "Add an activity" adds: an ID in use is refused with a link to its activity, never replaced."""

from __future__ import annotations

import re

from domain.activity import Activity
from tests.activities.helpers import ACCME_ID
from tests.web.helpers import post_form
from tests.web.test_provider_pages import FULL, P, provider_pages  # noqa: F401 - the fixture
from tests.web.test_sign_in_pages import errors_beside

NEW = f"{P}/activities/new"


def test_the_new_activity_form_refuses_an_id_in_use_and_links_to_it(provider_pages, web_system):  # noqa: F811
    saved = post_form(provider_pages, NEW, NEW, FULL)
    page = saved.headers["location"]
    number = page.rsplit("/", 1)[1]
    assert post_form(provider_pages, page, page + "/close", {}).status_code == 303
    head = web_system.store.head()
    again = post_form(provider_pages, NEW, NEW, {**FULL, "title": "Another course", "credits": "1"})
    assert again.status_code == 422
    assert "already used by activity " + number in errors_beside(again.text)["provider_activity_id"]
    assert re.search(rf'<a href="{P}/activities/{number}">activity {number}</a>', again.text)
    assert web_system.store.head() == head  # nothing stored
    stored = web_system.activities.get_by_number(number, ACCME_ID)
    assert stored.data["credits"] == 6.25 and stored.data["title"] == "Heart failure today" and stored.closed
    # An open activity is not replaced either, and a repeat's instance IDs are checked the same way.
    draft = post_form(
        provider_pages,
        NEW,
        NEW,
        {
            "provider_activity_id": "D-9",
            "title": "Draft",
            "format": "Course",
            "start_date": "2025-03-10",
            "end_date": "2025-03-11",
        },
    )
    assert draft.status_code == 303
    assert post_form(provider_pages, NEW, NEW, {**FULL, "provider_activity_id": "D-9"}).status_code == 422
    assert (
        web_system.activities.get_by_number(draft.headers["location"].rsplit("/", 1)[1], ACCME_ID).data["title"]
        == "Draft"
    )
    first = post_form(
        provider_pages,
        NEW,
        NEW,
        {**FULL, "provider_activity_id": "RR", "instance_start_0": "2025-04-01", "instance_end_0": "2025-04-01"},
    )
    assert first.status_code == 303
    repeat = post_form(
        provider_pages,
        NEW,
        NEW,
        {
            **FULL,
            "provider_activity_id": "RR",
            "title": "Changed",
            "instance_start_0": "2025-04-01",
            "instance_end_0": "2025-04-01",
            "instance_start_1": "2025-05-01",
            "instance_end_1": "2025-05-01",
        },
    )
    assert repeat.status_code == 422 and "already used by activity" in repeat.text
    assert [type(e).__name__ for e in web_system.store.events.get(Activity.create_id(ACCME_ID, "RR-1"))] == [
        "Registered"
    ]


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', html, re.DOTALL)
    assert select, name
    return [html_unescape(v) for v in re.findall(r'<option value="([^"]*)"', select[0]) if v]


def html_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_every_choice_the_form_offers_is_the_domains_and_saves(provider_pages, web_system):  # noqa: F811
    from domain.activity import DELIVERY_METHODS, FEES, FORMATS, MEASUREMENT_TYPES, OUTCOMES, REGISTRATIONS

    page = provider_pages.get(NEW).text
    expected = {
        "format": FORMATS,
        "delivery": DELIVERY_METHODS,
        "outcome": OUTCOMES,
        "outcome_type": MEASUREMENT_TYPES,
        "fee": FEES,
        "registration": REGISTRATIONS,
        "sponsorship": ("direct", "joint"),
    }
    for name, choices in expected.items():
        assert options(page, name) == list(choices), name
    for n, fee in enumerate(FEES):
        listed = {
            **FULL,
            "provider_activity_id": f"F-{n}",
            "passport": "yes",
            "fee": fee,
            "registration": REGISTRATIONS[n % 2],
            "url": "https://cme.example.org/f",
        }
        saved = post_form(provider_pages, NEW, NEW, listed)
        assert saved.status_code == 303, errors_beside(saved.text)
        stored = web_system.activities.get_by_number(saved.headers["location"].rsplit("/", 1)[1], ACCME_ID)
        assert stored.data["fee"] == fee and stored.data["registration"] == REGISTRATIONS[n % 2]
        # The stored answer is shown chosen when the activity is opened again.
        again = provider_pages.get(saved.headers["location"]).text
        assert re.search(r'<select id="f-fee".*?selected>([^<]*)</option>', again, re.DOTALL)[1] == html_escape(fee)
    refused = post_form(
        provider_pages, NEW, NEW, {**FULL, "provider_activity_id": "F-X", "passport": "yes", "fee": "No"}
    )
    assert refused.status_code == 422
    assert errors_beside(refused.text)["fee"].startswith(
        "the fee for participation is one of: Yes; No, it’s free; Variable"
    )
    assert "Input should be" not in refused.text


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)
