"""The activity list's tools over HTTP (issue 20 item 3): sorting by any column, the learners, completions and
MOC columns, and the current search downloaded in the four batch formats."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from adapters.batch import read_file
from adapters.formats.accme.activities import submit_items
from commands.completions import RecordCompletion
from tests.activities.helpers import ACCME_ID, OTHER_ID, item
from tests.completions.helpers import setup
from tests.web.helpers import BY, activate, sign_in

P = f"/provider/{ACCME_ID}"


@pytest.fixture
def listed(pages: Any, web_system: Any, mail_dir: Path) -> Any:
    """Ours: A-1 (ABIM MOC, 150 learners, one completion), Z-9 (no MOC, 150 learners, none) and B-2, which
    ran in 2024 with 10 learners."""
    ids = setup(web_system, running=True)
    web_system.annual.today = web_system.activities.today
    later = item("Z-9")
    later["Lom"]["general"]["title"] = "Anatomy of arrhythmia Z-9"
    earlier = item("B-2")
    earlier["healthcareMetadata"]["healthcareEducation"].update(startDateTime="2024-05-01", endDateTime="2024-05-02")
    earlier["ReportDescription"] = {"ReportingStartDate": "2024-05-01", "ReportingEndDate": "2024-05-02"}
    earlier["ParticipationMetrics"]["participantsByCategory"] = [
        {"category": "physician", "numberOfParticipants": 7},
        {"category": "other", "numberOfParticipants": 3},
    ]
    submit_items(web_system.activities, ACCME_ID, [later, earlier], BY)
    web_system.completions.handle(
        RecordCompletion(
            accme_id=ACCME_ID,
            learner_id=ids["ana"],
            activity_id=ids["activity"],
            completion_date=date(2025, 3, 2),
            cme=[{"type": "AMA PRA Category 1", "credits": 6.0}],
            moc=[{"board": "ABIM", "type": "ABIM MOC", "credits": 6.0}],
            credit_id="ccid:0004444:l1",
            consent=True,
        ),
        BY,
    )
    web_system.projections.wait(web_system.store.head())
    activate(web_system, mail_dir, "ann@cme.org", "provider", provider=ACCME_ID)
    sign_in(pages, "ann@cme.org")
    pages.ids = ids
    return pages


def _rows(html: str) -> list[list[str]]:
    """The list's rows, each as its cells' text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)
    ]


def _ids(html: str) -> list[str]:
    return [row[2] for row in _rows(html)]  # after the tick box and the ACCME ID: the provider's own ID


def test_every_column_sorts_both_ways(listed: Any) -> None:
    by_title = ["Z-9", "A-1", "B-2"]  # Anatomy…, Cardiology update A-1, Cardiology update B-2
    assert _ids(listed.get(f"{P}/activities?sort=title&order=asc").text) == by_title
    assert _ids(listed.get(f"{P}/activities?sort=title&order=desc").text) == by_title[::-1]
    assert _ids(listed.get(f"{P}/activities?sort=provider_activity_id&order=asc").text) == ["A-1", "B-2", "Z-9"]
    assert _ids(listed.get(f"{P}/activities?sort=start_date&order=asc").text)[0] == "B-2"  # began first
    assert _ids(listed.get(f"{P}/activities").text)[-1] == "B-2"  # newest first unless told
    assert _ids(listed.get(f"{P}/activities?sort=learners&order=asc").text)[0] == "B-2"  # 10 learners, not 150
    assert _ids(listed.get(f"{P}/activities?sort=completions&order=desc").text)[0] == "A-1"
    assert _ids(listed.get(f"{P}/activities?sort=moc&order=desc").text)[0] == "A-1"
    for column in ("activity_id", "format", "credits", "status", "end_date"):
        page = listed.get(f"{P}/activities?sort={column}&order=asc")
        assert page.status_code == 200 and sorted(_ids(page.text)) == ["A-1", "B-2", "Z-9"]
    # The sorted column's heading says so, and its link turns the order round; the others' keep the search.
    page = listed.get(f"{P}/activities?q=cardiology&sort=title&order=asc").text
    assert 'aria-sort="ascending"' in page
    assert re.search(r'href="\?q=cardiology&amp;size=50&amp;sort=title&amp;order=desc&amp;page=1"', page)


def test_the_learners_completions_and_moc_columns(listed: Any) -> None:
    rows = {row[2]: row for row in _rows(listed.get(f"{P}/activities?sort=provider_activity_id&order=asc").text)}
    # cells: tick, ACCME ID, your ID, title, format, dates, credits, learners, completions, MOC, status
    assert rows["A-1"][7:10] == ["150", "1", "ABIM"]
    assert rows["B-2"][7:10] == ["10", "0", "—"]
    page = listed.get(f"{P}/activities").text
    assert f'href="{P}/activities/{listed.ids["activity"]}/learners">1</a>' in page


def test_a_bad_sort_is_said(listed: Any) -> None:
    page = listed.get(f"{P}/activities?sort=colour&order=up")
    assert page.status_code == 200 and "Sort: sort by one of the columns" in page.text
    assert sorted(_ids(page.text)) == ["A-1", "B-2", "Z-9"]


@pytest.mark.parametrize("ext", ["json", "xml", "txt", "xlsx"])
def test_the_current_search_downloads_in_each_batch_format(listed: Any, ext: str) -> None:
    answer = listed.get(f"{P}/activities/export.{ext}?q=cardiology&year=2025")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="activities-{ACCME_ID}.{ext}"'
    _, records = read_file(answer.content)
    assert [r.item["Lom"]["general"]["title"] for r in records if r.item] == ["Cardiology update A-1"]
    if ext == "xlsx":
        assert load_workbook(io.BytesIO(answer.content)).active is not None
    if ext == "json":
        assert json.loads(answer.content)
    # The list offers the four, each for the search on screen.
    page = listed.get(f"{P}/activities?q=cardiology&year=2025").text
    assert f'href="{P}/activities/export.{ext}?year=2025&amp;q=cardiology"' in page


def test_a_download_takes_only_usable_filters_and_only_ones_own(listed: Any) -> None:
    bad = listed.get(f"{P}/activities/export.json?year=20x5", follow_redirects=False)
    assert bad.status_code == 303 and bad.headers["location"].endswith("activities?q=&year=20x5&format=&status=")
    assert listed.get(f"{P}/activities/export.pdf").status_code == 404
    other = listed.get(f"/provider/{OTHER_ID}/activities/export.json")
    assert other.status_code == 404 and "B-1" not in other.text
    listed.cookies.clear()
    assert listed.get(f"{P}/activities/export.json", follow_redirects=False).status_code in (302, 303)


def test_uploading_a_download_back_changes_nothing(listed: Any, web_system: Any) -> None:
    from adapters.batch.importer import import_activity_file

    data = listed.get(f"{P}/activities/export.xlsx").content
    report = import_activity_file(web_system.accme_activities, ACCME_ID, data, "activities.xlsx", BY)
    assert report.counts.get("unchanged") == 3 and not report.counts.get("rejected")
