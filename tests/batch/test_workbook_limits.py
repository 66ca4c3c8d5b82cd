"""A workbook whose parts expand far beyond their compressed size (a zip bomb) is refused before
openpyxl reads it, with a 422 naming the part; real workbooks are not."""

from __future__ import annotations

import io
import zipfile

import pytest

import adapters.batch as batch
from adapters.batch import archives, excel
from adapters.batch.completion_files import read_completion_file
from adapters.batch.completion_files import render as render_completions
from adapters.batch.records import BatchFormatError
from bench.activities_import import make_items
from tests.annual.conftest import register

SHARED = "xl/sharedStrings.xml"


SHEET = "xl/worksheets/sheet1.xml"
SST = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>%s</t></si></sst>'
SST_REL = (
    b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)
SST_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)


def inflated(workbook: bytes, member: str, size: int) -> bytes:
    """The same, still valid, workbook with `size` bytes of one repeated letter in a string of `member`:
    the sheet's first inline string, or a shared-strings table (as Excel writes) that openpyxl loads whole."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = content.replace(b"</t>", b"A" * size + b"</t>", 1)
            if member == SHARED and info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", SST_REL)
            if member == SHARED and info.filename == "[Content_Types].xml":
                content = content.replace(b"</Types>", SST_TYPE)
            target.writestr(info.filename, content)
        if member == SHARED:
            target.writestr(SHARED, SST % (b"A" * size))
    return out.getvalue()


@pytest.mark.parametrize("member", [SHARED, SHEET])
def test_a_bomb_is_refused_naming_the_part(member):
    bomb = inflated(excel.render(make_items(2)), member, 8 * 1024 * 1024)
    assert len(bomb) < 100_000  # 8 MB of text in a few kilobytes
    with pytest.raises(BatchFormatError) as refused:
        batch.read_file(bomb, "activities.xlsx")
    assert member in refused.value.message and refused.value.errors[0]["loc"] == ["file", member]
    with pytest.raises(BatchFormatError, match=member):
        read_completion_file(bomb, "completions.xlsx", "0004444")


def test_a_workbook_with_a_shared_strings_table_below_the_limits_is_read():
    assert len(batch.read_file(inflated(excel.render(make_items(2)), SHARED, 100_000))[1]) == 2


def test_a_part_over_the_size_limit_is_refused_whatever_its_ratio(monkeypatch: pytest.MonkeyPatch):
    workbook = excel.render(make_items(50))
    size = zipfile.ZipFile(io.BytesIO(workbook)).getinfo(SHEET).file_size
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", size - 1)
    with pytest.raises(BatchFormatError, match=r"sheet1\.xml"):
        batch.read_file(workbook)


def test_real_workbooks_pass_the_limits():
    assert len(batch.read_file(excel.render(make_items(300)))[1]) == 300
    assert read_completion_file(render_completions("xlsx", [], "0004444"), None, "0004444") == ("xlsx", [])


def test_the_upload_route_answers_422_naming_the_part(client, system, token):
    register(system, "0001234", "ACCME", "Acme CME")
    bomb = inflated(excel.render(make_items(2)), SHARED, 8 * 1024 * 1024)
    for route in ("activities", "completions"):
        answer = client.post(
            f"/api/v1/providers/0001234/{route}/batch?filename=big.xlsx",
            headers=token("provider", provider="0001234"),
            content=bomb,
        )
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
        assert SHARED in answer.json()["detail"] and answer.json()["errors"][0]["loc"] == ["file", SHARED]
    assert system.activities.list("0001234") == []
