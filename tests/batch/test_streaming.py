"""Reading an upload takes memory for a chunk of records, not for the whole file: the Python memory
traced while a file is imported stays within twice its size plus a constant (not timed: the
figures come from tracemalloc; bench/uploads.py measures the process's resident set)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from adapters.batch.completion_importer import import_completion_file
from adapters.batch.importer import import_activity_file
from adapters.batch.records import BatchFormatError
from bench.uploads import CountingSystem, write_file
from domain.base import Acting, Channel

BY = Acting("cli:tester", Channel.BATCH)
MB = 1024 * 1024


@pytest.mark.parametrize("kind", ["activities-tab", "activities-xml", "completions-tab"])
def test_importing_a_file_holds_a_chunk_not_the_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "upload"
    write_file(kind, 2 * MB, path)
    size = path.stat().st_size
    importer = import_activity_file if kind.startswith("activities") else import_completion_file
    registry = CountingSystem.accme_activities if kind.startswith("activities") else CountingSystem.completions
    upload = path.read_bytes()  # before tracing starts, as the spooled file is not in Python's memory
    tracemalloc.start()
    try:
        report = importer(registry, "0007777", upload, None, BY, chunk_size=200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.total > 1000 and report.rejected == 0
    assert peak < 2 * size + MB, f"{peak / MB:.1f} MB traced for a {size / MB:.1f} MB file"


@pytest.mark.parametrize("kind", ["activities-xlsx", "completions-xlsx"])
def test_importing_a_workbook_keeps_less_of_a_row_than_the_row_takes_in_the_file(kind: str, tmp_path: Path) -> None:
    """A workbook's rows are compressed (a completion row about 55 bytes, an activity row about 95), so what the
    import keeps of each row until it answers must be smaller still: the report's few bytes a row. Before, the
    activity report kept a dict a row (about 500 bytes, and 150 more to find a Provider Activity ID given twice),
    and openpyxl's reader kept every row's emptied XML element (about 100 bytes), and all of them while it read a
    sheet through to find its size when the file states none (as these files do). Small chunks keep the chunk's
    share of the figure (a few KB an activity) out of the way."""
    path = tmp_path / "upload.xlsx"
    write_file(kind, MB, path)
    size = path.stat().st_size
    importer = import_activity_file if kind.startswith("activities") else import_completion_file
    registry = CountingSystem.accme_activities if kind.startswith("activities") else CountingSystem.completions
    upload = path.read_bytes()
    tracemalloc.start()
    try:
        report = importer(registry, "0007777", upload, None, BY, chunk_size=50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.total > 10_000 and report.rejected == 0
    assert peak < size + MB, f"{peak / MB:.1f} MB traced for a {size / MB:.1f} MB workbook of {report.total} rows"


@pytest.mark.parametrize(
    "kind", ["activities-tab", "activities-xml", "activities-xlsx", "completions-tab", "completions-xlsx"]
)
def test_reading_a_file_holds_one_record_not_the_file(kind: str, tmp_path: Path) -> None:
    """Without the report (whose per-row entries the API answers with), reading costs a constant."""
    from adapters.batch import open_file
    from adapters.batch.completion_files import open_completion_file

    path = tmp_path / "upload"
    write_file(kind, MB // 2 if kind.endswith("xlsx") else 2 * MB, path)
    with path.open("rb") as upload:
        tracemalloc.start()
        try:
            fmt, records = (
                open_file(upload) if kind.startswith("activities") else open_completion_file(upload, None, "0007777")
            )
            count = sum(1 for record in records if record.ok)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert fmt == kind.split("-")[1] and count == len(records) > 1000
    assert peak < 4 * MB, f"{peak / MB:.1f} MB traced reading a {path.stat().st_size / MB:.1f} MB file"


def test_a_file_broken_near_its_end_stores_nothing(tmp_path: Path) -> None:
    """The checking pass reads the whole file before the first chunk is submitted."""
    path = tmp_path / "upload.xml"
    write_file("activities-xml", MB, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # cut short: no closing tags

    class Recording(CountingSystem):
        submitted = 0

        class accme_activities:
            @staticmethod
            def submit_accme_activities(accme_id, items, by):  # type: ignore[no-untyped-def]
                Recording.submitted += len(items)
                return CountingSystem.accme_activities.submit_accme_activities(accme_id, items, by)

    with path.open("rb") as upload, pytest.raises(BatchFormatError, match="not well-formed"):
        import_activity_file(Recording.accme_activities, "0007777", upload, None, BY, chunk_size=10)
    assert Recording.submitted == 0


def test_the_completion_report_answers_as_its_dict(tmp_path: Path) -> None:
    """The compact report (arrays, not a dict a row) is written as JSON with the entries `as_dict` gives."""
    import json

    path = tmp_path / "upload"
    write_file("completions-tab", MB // 4, path)
    report = import_completion_file(CountingSystem.completions, "0007777", path.read_bytes(), None, BY, chunk_size=70)
    body = json.loads(report.as_json(read_models_current=True))
    assert body == {**report.as_dict(), "read_models_current": True}
    assert list(body) == ["format", "total", "counts", "completions", "errors", "read_models_current"]
    assert len(body["completions"]) == report.total > 1000
    assert body["completions"][1] == report.completions[1] == {"row": 3, "action": "unchanged", "credit_ids": []}
    assert report.completions[-1]["row"] == report.total + 1


@pytest.mark.parametrize("kind", ["completions-json", "activities-json"])
def test_a_json_file_is_decoded_a_report_at_a_time(kind: str, tmp_path: Path) -> None:
    """Reports and activities are decoded one at a time (twice: a checking pass, then the records), so the
    file is never held as text and document at once (4-5 times its size before)."""
    path = tmp_path / "upload"
    write_file(kind, 2 * MB, path)
    size = path.stat().st_size
    importer = import_activity_file if kind.startswith("activities") else import_completion_file
    registry = CountingSystem.accme_activities if kind.startswith("activities") else CountingSystem.completions
    upload = path.read_bytes()
    tracemalloc.start()
    try:
        report = importer(registry, "0007777", upload, None, BY, chunk_size=200)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.total > 1000 and report.rejected == 0
    assert peak < 2 * size + MB, f"{peak / MB:.1f} MB traced for a {size / MB:.1f} MB file"


def test_the_activity_report_answers_as_its_dict(tmp_path: Path) -> None:
    """The compact activity report (arrays, not a dict a row) is written as JSON with the entries `as_dict` gives."""
    import json

    from adapters.batch.importer import StoredActivities

    path = tmp_path / "upload"
    write_file("activities-tab", MB // 4, path)
    report = import_activity_file(
        CountingSystem.accme_activities, "0007777", path.read_bytes(), None, BY, chunk_size=70
    )
    body = json.loads(report.as_json(read_models_current=True))
    assert body == {**report.as_dict(), "read_models_current": True}
    assert list(body) == ["format", "total", "counts", "activities", "errors", "read_models_current"]
    assert len(body["activities"]) == report.total >= 1000
    assert (
        body["activities"][1]
        == report.activities[1]
        == {"row": "row 3", "activity_id": "100000001", "action": "unchanged"}
    )
    stored = StoredActivities()
    stored.append("ACCMEActivities.MedicalEducationMetrics[0]", None, "created")
    stored.append("/ACCMEActivities/MedicalEducationMetrics[12]", "012345678", "updated", ["Activity Title", None])
    assert list(stored) == [
        {"row": "ACCMEActivities.MedicalEducationMetrics[0]", "activity_id": None, "action": "created"},
        {
            "row": "/ACCMEActivities/MedicalEducationMetrics[12]",
            "activity_id": "012345678",
            "action": "updated",
            "changed": ["Activity Title", None],
        },
    ]
