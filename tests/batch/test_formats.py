"""Reading batch files: detection from content, clear errors naming rows and fields, safe XML."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import adapters.batch as batch
from adapters.batch import columns, excel, tab
from adapters.batch.records import BatchFormatError

ITEM = {
    "Lom": {
        "general": {
            "identifier": [{"catalog": "Provider Activity ID", "entry": "A-1"}],
            "title": "Grand Rounds",
            "description": "Cardiology",
        }
    },
    "healthcareMetadata": {
        "healthcareEducation": {
            "startDateTime": "2025-03-01T00:00:00",
            "endDateTime": "2025-03-01T00:00:00",
            "activityFormat": "Course",
        }
    },
}


def tab_file(*lines: str) -> bytes:
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize("fmt", list(batch.FORMATS))
def test_the_format_is_found_from_the_content_whatever_the_name(fmt):
    data = batch.render(fmt, [ITEM])
    assert batch.detect(data) == fmt
    assert batch.read_file(data, None)[0] == fmt
    assert batch.read_file(data, "upload.bin")[1][0].item == ITEM


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.xml", "json"), ("a.json", "xml"), ("a.xlsx", "tab"), ("a.txt", "xlsx"), ("a.csv", "tab")]
)
def test_a_file_that_is_not_the_format_its_name_claims_is_refused(name, fmt):
    with pytest.raises(BatchFormatError, match=f"{name} is named as"):
        batch.read_file(batch.render(fmt, [ITEM]), name)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"hello world\nno tabs here", "no known format"),
        (b"PK\x03\x04garbage", "damaged"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
        (b'{"ACCMEActivities": {"MedicalEducationMetrics": [', "not valid JSON"),
        (b'{"other": 1}', "no 'ACCMEActivities'"),
        (b"<ACCMEActivities><MedicalEducationMetrics>", "not well-formed XML"),
        (b"<Activities/>", "expected <ACCMEActivities>"),
        (b"Activity Titel\tStart Date\r\nx\t01/02/2025", "unknown or repeated column"),
    ],
)
def test_unreadable_files_get_a_clear_error(data, reason):
    with pytest.raises(BatchFormatError, match=reason):
        batch.read_file(data, None)


def test_xml_entities_are_not_expanded_and_nothing_is_fetched():
    evil = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y SYSTEM "http://127.0.0.1:1/x">]>
<ACCMEActivities><MedicalEducationMetrics><Lom><general><title>&x;&y;</title></general></Lom></MedicalEducationMetrics></ACCMEActivities>"""
    records = batch.read_file(evil)[1]
    assert "root:" not in str(records[0].item)


def test_bad_cells_are_reported_with_row_column_and_reason():
    data = tab_file(
        "Provider Activity ID\tActivity Title\tStart Date\tShow in CME Passport\t# of Physicians\tCommercial Support Amount 1",
        "A-1\tGood\t03/01/2025\tYes\t12\t",
        "A-2\tBad\t13/45/2025\tMaybe\tmany\t$1,000",
        "",
        "A-3\tAlso good\t2025-03-02\tno\t0\t",
    )
    records = tab.parse(data)
    assert [r.ref for r in records] == ["row 2", "row 3", "row 5"]
    assert records[0].item["XtensibleInfo"]["ForPublicList"] is True
    assert records[0].item["ParticipationMetrics"]["participantsByCategory"] == [
        {"category": "physician", "numberOfParticipants": 12}
    ]
    assert (
        records[2].ok
        and records[2].item["healthcareMetadata"]["healthcareEducation"]["startDateTime"] == "2025-03-02T00:00:00"
    )
    assert {tuple(e["loc"]) for e in records[1].errors} == {
        ("row 3", "Start Date"),
        ("row 3", "Show in CME Passport"),
        ("row 3", "# of Physicians"),
    }
    assert "MM/DD/YYYY" in next(e["msg"] for e in records[1].errors if e["loc"][1] == "Start Date")


def test_legacy_encodings_and_quoting_are_read():
    line = 'Provider Activity ID\tActivity Title\r\nA-1\t"Caf\u00e9\tand ""more"""\r\n'
    for data in (line.encode("cp1252"), line.encode("utf-16"), b"\xef\xbb\xbf" + line.encode()):
        [record] = batch.read_file(data, "legacy.txt")[1]
        assert record.item["Lom"]["general"]["title"] == 'Caf\u00e9\tand "more"'


def test_xml_values_of_the_wrong_type_name_the_element():
    data = b"""<ACCMEActivities>
  <MedicalEducationMetrics><XtensibleInfo><ForPublicList>perhaps</ForPublicList></XtensibleInfo></MedicalEducationMetrics>
  <MedicalEducationMetrics><ParticipationMetrics><participantsByCategory><category>physician</category><numberOfParticipants>2.5</numberOfParticipants></participantsByCategory></ParticipationMetrics><Bogus/></MedicalEducationMetrics>
</ACCMEActivities>"""
    first, second = batch.read_file(data, "a.xml")[1]
    assert first.errors == [
        {
            "loc": ["/ACCMEActivities/MedicalEducationMetrics[1]/XtensibleInfo/ForPublicList"],
            "msg": "expected true or false, got 'perhaps'",
        }
    ]
    assert [e["loc"][-1] for e in second.errors] == [
        "/ACCMEActivities/MedicalEducationMetrics[2]/ParticipationMetrics/participantsByCategory/numberOfParticipants",
        "Bogus",
    ]


def test_json_items_that_are_not_objects_are_rejected_alone_and_the_schema_typo_is_read():
    data = b'{"ACCMEActivities": {"MedicalEducationMetrics": [{"XtensibleInfo": {"isInterprofessional ": true}}, 7]}}'
    good, bad = batch.read_file(data)[1]
    assert good.item == {"XtensibleInfo": {"isInterprofessional": True}}
    assert bad.errors[0]["loc"] == ["ACCMEActivities.MedicalEducationMetrics[1]"]


def test_the_excel_template_is_blank_with_instructions_and_reads_back_empty():
    import io

    from openpyxl import load_workbook

    data = excel.template()
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Activities", "Instructions"]
    assert [c.value for c in workbook["Activities"][1]] == columns.header()
    assert excel.parse(data) == []
    assert tab.template().decode().rstrip("\r\n").split("\t") == columns.header()


def test_a_formula_looking_title_stays_text_in_excel():
    item = {
        "Lom": {
            "general": {
                "identifier": [{"catalog": "Provider Activity ID", "entry": "=1+1"}],
                "title": '=HYPERLINK("x")',
            }
        }
    }
    assert excel.parse(excel.render([item]))[0].item == item


def test_submit_errors_map_back_to_columns():
    assert columns.column_for(["healthcareMetadata", "healthcareEducation", "endDateTime"]) == "End Date"
    assert (
        columns.column_for(["XtensibleInfo", "MOCRegistrations", "MOCRegistration", 1, "mocPoints"]) == "MOC Points 2"
    )


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.sampled_from([b"{", b"[", b"<", b"PK\x03\x04", b"A\tB\r\n"]).flatmap(
            lambda head: st.binary(max_size=200).map(lambda tail: head + tail)
        ),
        st.text(max_size=200).map(lambda t: ("Provider Activity ID\tStart Date\tMOC Points 1\r\n" + t).encode()),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=5),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        ).map(lambda v: json.dumps({"ACCMEActivities": {"MedicalEducationMetrics": v}}).encode()),
    )
)
def test_any_bytes_give_records_or_a_format_error_never_another_exception(data):
    try:
        records = batch.read_file(data, None)[1]
    except BatchFormatError as error:
        assert error.message and error.errors
    else:
        assert all(r.ok or r.errors for r in records)


def test_legacy_template_d_headers_are_read():
    data = tab_file(
        "Template\tProvider Activity ID\tReporting Year\tActivity Title\tActivity Date\tProvidership\tActivity Type\tHours of Instruction\t# of Physicians",
        "D\tL-1\t2019\tOld course\t05/06/2019\tJointly Provided\tLive Course\t3\t40",
    )
    [record] = batch.read_file(data, "legacy.txt")[1]
    assert record.item == {
        "Lom": {
            "general": {"identifier": [{"catalog": "Provider Activity ID", "entry": "L-1"}], "title": "Old course"}
        },
        "ReportDescription": {"ReportingStartDate": "2019", "ReportingEndDate": "2019"},
        "healthcareMetadata": {
            "healthcareEducation": {
                "startDateTime": "2019-05-06T00:00:00",
                "activitySponsorship": "joint",
                "activityFormat": "Live Course",
            }
        },
        "ParticipationMetrics": {"participantsByCategory": [{"category": "physician", "numberOfParticipants": 40}]},
    }


def test_a_decimal_comma_is_refused_and_thousands_separators_are_read():
    from adapters.batch.cells import CellError, read_number

    assert read_number("1,500") == 1500 and read_number("$12,500.50") == 12500.5 and read_number("6.25") == 6.25
    for typed in ("6,25", "12,34,567", "1,5"):
        with pytest.raises(CellError, match="point for decimals"):  # "6,25" credits were read as 625
            read_number(typed)
