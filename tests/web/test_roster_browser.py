"""The learner summary page in headless Chromium: from the activity page to its learners, each board's answer
shown (a rejection with its reason), filtered by status, downloaded as CSV; another provider's user gets the
not-found page."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from adapters.app import create_app
from adapters.formats.accme.activities import submit_items
from commands.completions import AcknowledgeItems, Acknowledgement, RecordCompletion
from domain.base import Acting, Channel
from tests.activities.helpers import item
from tests.activities.helpers import register as register_provider
from tests.completions.helpers import MOC
from tests.learners.helpers import register as learner
from tests.web import test_browser as shared
from tests.web.conftest import make_web_system
from tests.web.helpers import BY, activate
from tests.web.test_browser import Site, _free_port, sign_in

pytestmark = pytest.mark.browser
browser = shared.browser  # the Chromium fixtures of the browser tests
page = shared.page
ACME, OTHER = "0004444", "0005555"
BOARD = Acting("board:ABIM:t1", Channel.WEB_SERVICE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    import uvicorn

    root = tmp_path_factory.mktemp("roster")
    system = make_web_system(f"sqlite:///{root / 'pars.sqlite'}", root / "mail")
    system.activities.today = lambda: date(2025, 6, 1)
    system.completions.today = lambda: date(2025, 6, 1)
    register_provider(system)
    register_provider(system, OTHER)
    activity = submit_items(system.activities, ACME, [item("A-1", **MOC)], BY)[0].activity_id
    people = system.learners.register_many(
        [
            learner("Ana", "Garcia", "03-07", licences={"TN": "MD12345"}, boards={"ABIM": "123456"}),
            learner("Ben", "Okafor", "11-03", licences={"NC": "2009-01234"}, boards={"ABIM": "654321"}),
        ],
        BY,
    )
    for person, credit in ((people[0], "ccid:0004444:a1"), (people[1], "ccid:0004444:b1")):
        system.completions.handle(
            RecordCompletion(
                accme_id=ACME,
                learner_id=person.learner_id,
                activity_id=activity,
                completion_date=date(2025, 3, 2),
                cme=[{"type": "AMA PRA Category 1", "credits": 6.0}],
                moc=[{"board": "ABIM", "type": "ABIM MOC", "credits": 6.0}],
                credit_id=credit,
                consent=True,
            ),
            BY,
        )
    system.projections.catch_up()
    feed = system.queries.feeds.page("board:ABIM", 0, 10)
    by_credit = {i["credit_id"]: i["id"] for i in feed}
    system.completions.handle(
        AcknowledgeItems(
            kind="board",
            code="ABIM",
            answers=[
                Acknowledgement(by_credit["ccid:0004444:a1"], "accepted"),
                Acknowledgement(by_credit["ccid:0004444:b1"], "rejected", "BID", "board ID not found"),
            ],
        ),
        BOARD,
    )
    activate(system, root / "mail", "pat@acme.org", "provider", provider=ACME)
    activate(system, root / "mail", "olga@other.org", "provider", provider=OTHER)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(system), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    running = Site(system, f"http://127.0.0.1:{port}", root / "mail")
    running.learners = {"activity": activity}
    system.projections.wait(system.store.head(), timeout=20)
    yield running
    server.should_exit = True
    thread.join(timeout=10)
    system.close()


def test_the_provider_sees_each_boards_answer_and_filters_the_rejected(page: Any, site: Site) -> None:
    activity = site.learners["activity"]
    sign_in(page, "pat@acme.org")
    page.goto(f"/provider/{ACME}?year=2025")  # the dashboard counts the boards' answers
    expect(page.locator("#board-records tbody tr")).to_have_text(re.compile(r"ABIM\s*0\s*1\s*1\s*0"))
    page.goto(f"/provider/{ACME}/activities/{activity}")
    page.get_by_role("link", name="Learners and their boards' answers").click()
    page.wait_for_url(re.compile(rf"/activities/{activity}/learners$"))
    rows = page.locator("#roster tbody tr")
    expect(rows).to_have_count(2)
    ana = page.locator('tr[data-credit-id="ccid:0004444:a1"]')
    expect(ana).to_contain_text("Garcia, Ana")
    expect(ana).to_contain_text("Accepted")
    ben = page.locator('tr[data-credit-id="ccid:0004444:b1"]')
    expect(ben).to_contain_text("Rejected")
    expect(ben).to_contain_text("BID: board ID not found")
    page.get_by_label("Board status").select_option("rejected")
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Okafor, Ben")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115 - the downloaded file
    assert "ccid:0004444:b1" in text and "ccid:0004444:a1" not in text and "board ID not found" in text
    page.get_by_role("button", name="Every learner of this activity consented").click()
    expect(page.locator("#consent")).to_contain_text("You attest that every learner")
    assert site.system.completions.activity_consented(activity)


def test_another_providers_user_gets_the_not_found_page(page: Any, site: Site) -> None:
    sign_in(page, "olga@other.org")
    page.wait_for_url(re.compile(r"/provider/"))
    answer = page.goto(f"/provider/{ACME}/activities/{site.learners['activity']}/learners")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert "Garcia" not in page.content()


def test_a_rejected_record_is_corrected_from_the_learners_page(page: Any, site: Site) -> None:
    activity = site.learners["activity"]
    sign_in(page, "pat@acme.org")
    page.wait_for_url(re.compile(r"/provider/"))
    page.goto(f"/provider/{ACME}/activities/{activity}/learners")
    page.get_by_role("link", name="Correct ccid:0004444:b1").click()
    expect(page.get_by_role("alert")).to_contain_text("ABIM rejected this record: BID: board ID not found")
    page.get_by_label("ABIM MOC points").fill("abc")
    page.get_by_role("button", name="Correct and resubmit").click()
    expect(page.locator("#e-points_ABIM")).to_have_text("a number of credits, in steps of 0.25")  # beside its field
    page.get_by_label("ABIM MOC points").fill("5")
    page.get_by_role("button", name="Correct and resubmit").click()
    page.wait_for_url(re.compile(rf"/activities/{activity}/learners$"))
    ben = page.locator('tr[data-credit-id="ccid:0004444:b1"]')
    expect(ben).to_contain_text("Pending")
    expect(ben).to_contain_text("5.0")
    feed = site.system.queries.feeds.page("board:ABIM", 0, 10)
    assert [(i["type"], i["credit_id"]) for i in feed][-2:] == [
        ("deletion", "ccid:0004444:b1"),
        ("completion", "ccid:0004444:b1"),
    ]
