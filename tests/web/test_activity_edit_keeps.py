"""Editing an activity through the web form changes what the form shows and keeps everything else: more
supporters, outcomes and delivery methods than the form shows, learners of other professions, both
measurement types, joint providers whose names hold a comma."""

from __future__ import annotations

from adapters.formats.accme.activities import activity_item, submit_items
from tests.activities.helpers import ACCME_ID, BY, HE, XI, item
from tests.web.helpers import post_form
from tests.web.test_provider_pages import P, provider_pages  # noqa: F401 - the fixture

RICH = {
    "ActivityDescription": {
        "commercialSupportAmount": [
            {"currency": "USD", "supportSource": "Pharma A", "value": 1000},
            {"currency": "USD", "supportSource": "Pharma B", "value": 2000},
        ]
    },
    HE + "commercialSupport": True,
    HE + "activitySponsorship": "joint",
    HE + "credits": {
        "activityCertification": "AMA PRA Category 1",
        "numberOfCredits": 6.25,
        "nonAccreditedProvider": ["Acme Health, Inc."],
    },
    XI + "DeliveryMethods": {"DeliveryMethod": ["In-Person", "Live-Streamed"]},
    XI + "MeasuredOutcomes": [
        {"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective", "Subjective"]},
        {"MeasuredOutcome": "Patient Health", "MeasurementType": ["Objective"]},
    ],
    "ParticipationMetrics": {
        "participantsByCategory": [
            {"category": "physician", "numberOfParticipants": 120},
            {"category": "nurse", "numberOfParticipants": 40},
            {"category": "other", "numberOfParticipants": 30},
        ]
    },
}


def test_an_edit_through_the_form_keeps_what_the_form_does_not_show(provider_pages, web_system):  # noqa: F811
    [made] = submit_items(web_system.activities, ACCME_ID, [item("K-1", **RICH)], BY)
    web_system.projections.wait(web_system.store.head())
    page = f"{P}/activities/{made.activity_id}"
    before = web_system.activities.get_by_number(made.activity_id, ACCME_ID).data
    from adapters.web.activity_form.rendering import form_from_item

    form = form_from_item(activity_item(web_system.activities.get_by_number(made.activity_id, ACCME_ID)))
    saved = post_form(
        provider_pages, page, page, {**{k: v for k, v in form.items() if v not in (None, "")}, "title": "Renamed"}
    )
    assert saved.status_code == 303, saved.text
    after = web_system.activities.get_by_number(made.activity_id, ACCME_ID).data
    assert after["title"] == "Renamed"
    assert {k: v for k, v in after.items() if k != "title"} == {k: v for k, v in before.items() if k != "title"}
    shown = provider_pages.get(page).text
    assert "1 more monetary supporter" in shown and "learner counts of nurse" in shown


def test_an_upload_that_changes_stored_activities_lists_the_fields_it_changed(provider_pages):  # noqa: F811
    import re

    from adapters import batch
    from tests.web.helpers import csrf_of

    uploads = f"{P}/uploads"
    token = csrf_of(provider_pages.get(uploads).text)
    first = provider_pages.post(
        f"{uploads}/activities",
        data={"csrf_token": token},
        files={"file": ("a.txt", batch.render("tab", [item("UP-1")]))},
    )
    assert re.search(r"<strong>1</strong> created", first.text) and "row-changes" not in first.text
    fewer = batch.render("tab", [item("UP-1", **{XI + "MeasuredOutcomes": None})])
    again = provider_pages.post(f"{uploads}/activities", data={"csrf_token": token}, files={"file": ("a.txt", fewer)})
    (row,) = re.findall(
        r'<table class="row-changes">.*?<tbody><tr><td>([^<]+)</td><td>(\d{9})</td><td>([^<]+)</td>',
        again.text,
        re.DOTALL,
    )
    assert row[0] == "row 2" and row[2] == "Measured Outcome"
