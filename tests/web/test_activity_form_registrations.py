"""The activity form holds what batch files carry (issue 20 item 2): MOC registration per board, the MOC
attestation, REMS, MIPS, commendation tags, in-kind supporters and joint providers; and an enduring material
is offered "Close" only once its end date has passed."""

from __future__ import annotations

import re
from datetime import date

from commands.completions import RecordCompletion
from tests.web.helpers import BY, post_form
from tests.web.test_activity_close_page import still_needed
from tests.web.test_provider_pages import FULL, P, provider_pages  # noqa: F401 - the fixture
from tests.web.test_sign_in_pages import errors_beside

NEW = f"{P}/activities/new"
REGISTERED = {
    **FULL,
    "provider_activity_id": "M-1",
    "passport": "yes",
    "fee": "No, it’s free",
    "registration": "Open to all",
    "url": "https://cme.example.org/m-1",
    "moc_ABIM": "yes",
    "moc_ABIM_points": "6.25",
    "moc_ABIM_credit_types": "MK; PA",
    "moc_ABIM_claim_date": "2025-04-30",
    "moc_ABIM_practice_areas": "Cardiovascular Disease",
    "moc_ABP": "yes",
    "moc_ABP_points": "6",
    "moc_ABP_credit_types": "Lifelong Learning",
    "moc_ABP_claim_date": "2025-04-30",
    "moc_attestation": "yes",
    "rems_type": "Opioid Analgesic",
    "rems_compliance": "Compliant",
    "rems_identifier": "EG-123456-789",
    "rems_sections": ["Acute Pain Management", "Chronic Pain Management"],
    "mips": "yes",
    "commendation_tags": "C23; C36",
    "in_kind_sources": "Scope Makers Inc\nSim Lab LLC",
    "sponsorship": "joint",
    "joint_providers": "Valley Clinic; Acme Health, Inc.",
}


def test_moc_rems_mips_commendation_in_kind_and_joint_providers_are_saved_and_shown(provider_pages, web_system):  # noqa: F811
    saved = post_form(provider_pages, NEW, NEW, REGISTERED)
    assert saved.status_code == 303, errors_beside(saved.text)
    page = saved.headers["location"]
    number = page.rsplit("/", 1)[1]
    data = web_system.activities.get_by_number(number).data
    assert data["moc"] == [
        {
            "board": "ABIM",
            "points": 6.25,
            "credit_types": ["MK", "PA"],
            "claim_date": "2025-04-30",
            "practice_areas": ["Cardiovascular Disease"],
        },
        {"board": "ABP", "points": 6.0, "credit_types": ["Lifelong Learning"], "claim_date": "2025-04-30"},
    ]
    assert data["moc_attestation"] is True and data["mips"] is True
    assert data["rems"] == {
        "type": "Opioid Analgesic",
        "identifier": "EG-123456-789",
        "compliance": "Compliant",
        "blueprint_sections": ["Acute Pain Management", "Chronic Pain Management"],
    }
    assert data["commendation_tags"] == ["C23", "C36"]
    assert data["in_kind_support"] == [{"source": "Scope Makers Inc"}, {"source": "Sim Lab LLC"}]
    assert data["joint_providers"] == ["Valley Clinic", "Acme Health, Inc."]
    # The activity's page shows it all again, each board's part open.
    shown = provider_pages.get(page).text
    assert re.search(r'<details class="board" open>\s*<summary>ABIM MOC — registered</summary>', shown)
    assert 'id="f-moc_ABIM_points" name="moc_ABIM_points" type="text" value="6.25"' in shown
    assert 'value="MK; PA"' in shown and 'value="2025-04-30"' in shown
    assert re.search(r'<details class="board">\s*<summary>ABS MOC</summary>', shown)
    assert '<option value="Opioid Analgesic" selected>' in shown
    assert (
        'value="Acute Pain Management" checked' in shown
        and 'value="The Need for Comprehensive Pain Education">' in shown
    )
    assert "Scope Makers Inc; Sim Lab LLC" in shown and 'value="C23; C36"' in shown
    # Saving the page as shown changes nothing; unticking a board removes its registration.
    again = post_form(provider_pages, page, page, {**REGISTERED, "moc_ABP": ""})
    assert again.status_code == 303
    assert [r["board"] for r in web_system.activities.get_by_number(number).data["moc"]] == ["ABIM"]
    # With ABIM registered, a completion carrying ABIM MOC points is taken (it was refused when the form could not).
    web_system.projections.wait(web_system.store.head())
    position = web_system.completions.handle(
        RecordCompletion(
            accme_id="0004444",
            learner_id=provider_pages.ids["ana"],
            activity_id=number,
            completion_date=date(2025, 3, 11),
            cme=[{"type": "AMA PRA Category 1", "credits": 6.0}],
            moc=[{"board": "ABIM", "type": "ABIM MOC", "credits": 6.0}],
            credit_id="ccid:0004444:m1",
            consent=True,
        ),
        BY,
    )
    assert position


def test_a_boards_errors_are_beside_its_fields_and_its_part_opens(provider_pages):  # noqa: F811
    bad = post_form(
        provider_pages,
        NEW,
        NEW,
        {**REGISTERED, "provider_activity_id": "M-2", "moc_ABP_points": "6.3", "moc_ABIM_points": "many"},
    )
    assert bad.status_code == 422
    beside = errors_beside(bad.text)
    assert beside["moc_ABIM_points"] == "enter a number, e.g. 6.25 (got 'many')"
    bad = post_form(provider_pages, NEW, NEW, {**REGISTERED, "provider_activity_id": "M-2", "moc_ABP_points": "6.3"})
    assert errors_beside(bad.text) == {"moc_ABP_points": "MOC points are given in steps of 0.25"}
    assert re.search(r'<details class="board" open>\s*<summary>ABP MOC — registered</summary>', bad.text)
    assert "ABP MOC points: MOC points are given in steps of 0.25" in bad.text  # the summary links to it
    # REMS details without a REMS type are refused beside the type.
    rems = post_form(
        provider_pages, NEW, NEW, {**REGISTERED, "provider_activity_id": "M-3", "rems_type": "", "rems_sections": []}
    )
    assert errors_beside(rems.text) == {"rems_type": "choose the REMS type first (or leave the REMS fields empty)"}


def test_what_a_board_still_needs_to_close_links_to_its_field(provider_pages):  # noqa: F811
    lacking = {**REGISTERED, "provider_activity_id": "M-4", "moc_ABIM_practice_areas": "", "moc_ABP_claim_date": ""}
    saved = post_form(provider_pages, NEW, NEW, lacking)
    page = provider_pages.get(saved.headers["location"]).text
    assert still_needed(page) == [
        "ABIM MOC needs at least one practice area",
        "the MOC credit-claim date is required",
    ]
    assert '<a href="#f-moc_ABIM_practice_areas">' in page and '<a href="#f-moc_ABP_claim_date">' in page


def test_close_is_offered_on_an_enduring_material_only_after_its_end_date(provider_pages):  # noqa: F811
    running = {
        **FULL,
        "provider_activity_id": "E-1",
        "format": "Enduring Material",
        "delivery": "Online",
        "start_date": "2025-01-01",
        "end_date": "2027-12-31",
        "city": "",
        "state": "",
        "country": "",
    }
    page = post_form(provider_pages, NEW, NEW, running).headers["location"]
    text = provider_pages.get(page).text
    assert "Close the activity" not in text
    assert "An enduring material stays open until its end date (2027-12-31) has passed" in text
    ended = post_form(provider_pages, NEW, NEW, {**running, "provider_activity_id": "E-2", "end_date": "2025-05-31"})
    assert "Close the activity" in provider_pages.get(ended.headers["location"]).text
    # A live course is offered Close as before (closing then says what is missing, if anything).
    course = post_form(provider_pages, NEW, NEW, {**FULL, "provider_activity_id": "C-1"})
    assert "Close the activity" in provider_pages.get(course.headers["location"]).text
