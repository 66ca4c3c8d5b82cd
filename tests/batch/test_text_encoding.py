"""One decode for uploaded text files: wholly UTF-8 is UTF-8, wholly Windows-1252 may be read as such,
and mixed encodings are refused naming the line and byte, never stored as mojibake."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import adapters.batch as batch
from adapters.batch.importer import import_activity_file
from adapters.batch.records import BatchFormatError
from adapters.batch.text_encoding import UTF8_MULTIBYTE, decode_text, where
from domain.base import Acting, Channel

TITLE = "Café stewardship — São Paulo"


@given(st.text())
def test_any_utf8_text_reads_back_as_itself(text):
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text


def cp1252_text() -> st.SearchStrategy[str]:
    alphabet = [chr(b) for b in range(256) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)]
    return st.text(st.sampled_from([bytes([ord(c)]).decode("cp1252") for c in alphabet]))


@given(cp1252_text())
def test_wholly_windows_1252_text_reads_back_as_itself(text):
    data = text.encode("cp1252")
    assume(UTF8_MULTIBYTE.search(data) is None)
    assert decode_text(data) == text


@given(st.text(min_size=1), st.text(), st.sampled_from([b"\xe9", b"\x96", b"\xff", b"\xc3"]), st.data())
def test_one_bad_byte_in_utf8_text_is_refused_naming_its_line_and_offset(before, after, bad, data):
    text = before + "é" + after  # the file has UTF-8 text (a multi-byte sequence) somewhere
    encoded = text.encode("utf-8")
    # Put the bad byte between two characters, where it cannot complete a sequence.
    cut = data.draw(st.integers(0, len(text)))
    head = text[:cut].encode("utf-8")
    payload = head + bad + b"\n" + text[cut:].encode("utf-8")
    assume(payload != encoded)
    with pytest.raises(BatchFormatError) as refused:
        decode_text(payload)
    line, column = where(payload, len(head))
    assert f"line {line}, byte {column} (byte offset {len(head)} of the file)" in refused.value.message
    assert refused.value.errors[0]["loc"] == ["file", f"line {line}", f"byte {column}"]


def test_the_reported_mixed_file_is_refused_not_stored_as_mojibake(system):
    from tests.activities.helpers import ACCME_ID, item, register

    register(system)
    good = batch.render("tab", [item("E-1", Lom__general__title=TITLE), item("E-2")])
    lines = good.split(b"\r\n")
    lines[2] = lines[2].replace(b"Cardiology", b"Cardiolog\xeda")  # one Windows-1252 byte in another row
    mixed = b"\r\n".join(lines)
    with pytest.raises(BatchFormatError) as refused:
        import_activity_file(
            system.accme_activities, ACCME_ID, mixed, "a.txt", Acting("provider:0004444:b", Channel.BATCH)
        )
    assert "line 3, byte " in refused.value.message and "0xED" in refused.value.message
    assert system.activities.list(ACCME_ID) == []
    report = import_activity_file(
        system.accme_activities, ACCME_ID, good, "a.txt", Acting("provider:0004444:b", Channel.BATCH)
    )
    assert report.counts["created"] == 2
    assert {a.data["title"] for a in system.activities.list(ACCME_ID)} >= {TITLE}


def test_the_upload_route_answers_422_naming_the_line(client, token, system):
    from tests.activities.helpers import ACCME_ID, item, register

    register(system)
    mixed = batch.render("tab", [item("E-1", Lom__general__title=TITLE)]) + b"\xe9\r\n"
    res = client.post(
        f"/api/v1/providers/{ACCME_ID}/activities/batch?filename=a.txt",
        content=mixed,
        headers=token("provider", provider=ACCME_ID),
    )
    assert res.status_code == 422 and res.headers["content-type"].startswith("application/problem+json")
    assert res.json()["errors"][0]["loc"][:2] == ["file", "line 3"]


def test_a_byte_undefined_in_windows_1252_is_refused_too():
    with pytest.raises(BatchFormatError, match=r"line 2, byte 3 .*0x81"):
        decode_text(b"a\tb\r\nxy\x81z")


def test_format_detection_does_not_refuse_a_character_cut_at_the_sniffing_limit():
    header = batch.render("tab", [])
    pad = b"a" if (65536 - len(header)) % 2 == 0 else b""
    data = header + pad + ("é" * 40000).encode("utf-8")
    assert data[65535:65536] == b"\xc3"  # the 64 KiB the detector reads end inside a character
    assert batch.detect(data) == "tab"
