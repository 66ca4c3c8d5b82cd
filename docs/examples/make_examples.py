"""Writes the README tour's example files beside this script: run it again when their dates age.

    .venv/bin/python docs/examples/make_examples.py [YEAR]

- `activities.json`: three activities of provider 0001234 in ACCME JSON (a course with ABIM MOC, a
  regularly scheduled series, an internet enduring material listed on CME Passport);
- `physicians.csv`: six physicians for `pars import learners`;
- `completions.txt` (tab-delimited) and `completions.xlsx`: completions of those physicians for those
  activities, matched by name + birth month/day + state of licensure, by NPI or by board ID.

Completions are accepted from 1 January of last year until 31 March, from 1 January of this year
after: the files are dated in YEAR (by default this year's reporting year), early enough to have
passed. The completion files name each activity by its 9-digit ACCME activity ID, which PARS
derives from the provider and the Provider Activity ID, so they are known before the upload.
`tests/cli/test_readme_tour.py` walks the tour with these files against a real `pars serve`; after
making them for another year, change the year the README's tour asks for (`dashboard?year=`) and the
dates of its board feed example to match.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from adapters.batch.completion_files import SHEET
from domain.activity import activity_number_candidate

HERE = Path(__file__).resolve().parent
PROVIDER = "0001234"


def npi(first_nine: str) -> str:
    """A valid NPI: nine digits and the Luhn check digit over 80840 + the nine."""
    total = 0
    for i, digit in enumerate(int(d) for d in reversed(f"80840{first_nine}")):
        if i % 2 == 0:
            digit = digit * 2 - (9 if digit > 4 else 0)
        total += digit
    return f"{first_nine}{(10 - total % 10) % 10}"


#: first, last, birth date, NPI, licences, board IDs (the columns of `pars import learners`)
PHYSICIANS = [
    ("Ana", "García-López", "1972-03-07", npi("123456789"), "TN:MD12345", "ABIM:123456"),
    ("Ben", "Okafor", "1980-11-03", npi("198765432"), "NC:2009-01234", ""),
    ("Chloe", "Nguyen", "1985-06-21", npi("155501234"), "TN:MD55102", "ABIM:204311"),
    ("David", "Brooks", "1969-01-30", npi("166602345"), "KY:34567", "ABP:998877"),
    ("Eva", "Rossi", "1990-09-12", npi("177703456"), "CA:A123456", ""),
    ("Farid", "Haddad", "1977-12-02", npi("188804567"), "TN:MD60021;KY:40112", "ABIM:305522"),
]


def activities(year: int) -> list[dict[str, Any]]:
    course = _activity(
        "TOUR-CARDIO",
        "Cardiology update",
        "Heart failure therapy, new anticoagulants and cardio-oncology for practising internists.",
        "Course",
        date(year, 2, 20),
        date(year, 2, 21),
        6.25,
        place=("Nashville", "TN"),
    )
    course["XtensibleInfo"]["MOCRegistrations"] = {
        "MOCRegistration": [
            {
                "boardName": "ABIM",
                "mocPoints": 6.25,
                "MOCCreditType": ["MK"],
                "CreditClaimDate": date(year, 5, 31).isoformat(),
                "MOCPracticeArea": ["Internal Medicine"],
            }
        ]
    }
    course["XtensibleInfo"]["MOCAttestation"] = True
    series = _activity(
        "TOUR-GRAND-ROUNDS",
        "Pediatric grand rounds",
        "Weekly cases in pediatric infectious disease and asthma care.",
        "Regularly Scheduled Series",
        date(year, 1, 8),
        date(year, 3, 19),
        12,
        place=("Louisville", "KY"),
    )
    online = _activity(
        "TOUR-ANEMIA",
        "Perioperative anemia: an online review",
        "Detecting and treating anemia before surgery, in six short modules.",
        "Internet Enduring Material",
        date(year, 1, 5),
        date(year + 1, 12, 31),
        3,
    )
    online["XtensibleInfo"]["ForPublicList"] = True  # on the CME Passport catalog while it runs
    return [course, series, online]


def _activity(
    pid: str,
    title: str,
    description: str,
    fmt: str,
    start: date,
    end: date,
    credits: float,
    place: tuple[str, str] | None = None,
) -> dict[str, Any]:
    education: dict[str, Any] = {
        "credits": {"activityCertification": "AMA PRA Category 1", "numberOfCredits": credits},
        "startDateTime": start.isoformat(),
        "endDateTime": end.isoformat(),
        "activitySponsorship": "direct",
        "activityFormat": fmt,
        "commercialSupport": False,
    }
    if place:
        education["activityLocation"] = {"city": place[0], "stateOrProvince": place[1], "country": "USA"}
    return {
        "ReportDescription": {"ReportingStartDate": start.isoformat(), "ReportingEndDate": end.isoformat()},
        "Lom": {
            "general": {
                "identifier": [
                    {"catalog": "Provider Activity ID", "entry": pid},
                    {"catalog": "URL", "entry": f"https://cme.acme.example/{pid.lower()}"},
                ],
                "title": title,
                "description": description,
            }
        },
        "healthcareMetadata": {"healthcareEducation": education},
        "ParticipationMetrics": {
            "participantsByCategory": [
                {"category": "physician", "numberOfParticipants": 48},
                {"category": "other", "numberOfParticipants": 12},
            ]
        },
        "XtensibleInfo": {
            "activityRecordAction": "Add",
            "ForPublicList": False,
            "FeeForParticipation": "Yes",
            "ActivityRegistration": "Open to all",
            "DeliveryMethods": {"DeliveryMethod": ["In-Person" if place else "Online"]},
            "MeasuredOutcomes": [{"MeasuredOutcome": "Learner Competence", "MeasurementType": ["Objective"]}],
        },
    }


def activity_id(pid: str) -> str:
    """The 9-digit ACCME activity ID PARS gives the provider's activity `pid` (its first candidate)."""
    return activity_number_candidate(PROVIDER, pid, 0)


#: The columns the example completion files use (a subset of the template's, in its order).
COMPLETION_COLUMNS = [
    "Activity ID",
    "First Name",
    "Last Name",
    "Birth Month",
    "Birth Day",
    "State of Licensure",
    "NPI",
    "Certifying Board",
    "Board ID",
    "Completion Date",
    "CME Credits",
    "ABIM MOC Points",
    "Learner Consent",  # the learners consented to sharing with boards: their records reach the feeds
]


def _row(pid: str, who: int, how: str, completed: date, cme: float, moc: float | None = None) -> list[Any]:
    """A completion row; `how` is the learner's identifiers: "name" (+ birth month/day + state), "npi" or "board"."""
    first, last, birth, npi_, licences, boards = PHYSICIANS[who]
    month, day = int(birth[5:7]), int(birth[8:10])
    state = licences.split(":")[0]
    board, board_id = boards.split(":") if boards else ("", "")
    return [
        activity_id(pid),
        first,
        last,
        month if how == "name" else "",
        day if how == "name" else "",
        state if how == "name" else "",
        npi_ if how == "npi" else "",
        board if how == "board" else "",
        board_id if how == "board" else "",
        completed.strftime("%m/%d/%Y"),
        cme,
        moc if moc is not None else "",
        "Yes",
    ]


def completion_rows(year: int) -> tuple[list[list[Any]], list[list[Any]]]:
    """The tab-delimited file's rows (the course and the series), then the workbook's (the online review)."""
    course, series, online = "TOUR-CARDIO", "TOUR-GRAND-ROUNDS", "TOUR-ANEMIA"
    tab = [
        _row(course, 0, "npi", date(year, 2, 21), 6.25, 6.25),
        _row(course, 2, "board", date(year, 2, 21), 6.25, 6.25),
        _row(course, 5, "name", date(year, 2, 21), 5, 5),
        _row(course, 1, "name", date(year, 2, 21), 6.25),
        _row(series, 3, "name", date(year, 3, 19), 12),
        _row(series, 4, "npi", date(year, 3, 19), 9.5),
    ]
    workbook = [
        _row(online, 0, "npi", date(year, 1, 28), 3),
        _row(online, 1, "npi", date(year, 2, 2), 3),
        _row(online, 3, "board", date(year, 2, 10), 2.5),
    ]
    return tab, workbook


def write(year: int, into: Path = HERE) -> list[Path]:
    made = {
        "activities.json": json.dumps(
            {"ACCMEActivities": {"MedicalEducationMetrics": activities(year)}}, indent=2, ensure_ascii=False
        ).encode()
        + b"\n"
    }
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["first_name", "last_name", "birth_date", "npi", "licenses", "board_ids"])
    writer.writerows(PHYSICIANS)
    made["physicians.csv"] = out.getvalue().encode()
    tab_rows, workbook_rows = completion_rows(year)
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel-tab", lineterminator="\r\n")
    writer.writerow(COMPLETION_COLUMNS)
    writer.writerows(tab_rows)
    made["completions.txt"] = out.getvalue().encode()
    made["completions.xlsx"] = _workbook(workbook_rows, year)
    paths = []
    for name, data in made.items():
        (into / name).write_bytes(data)
        paths.append(into / name)
    return paths


def _workbook(rows: list[list[Any]], year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(COMPLETION_COLUMNS)
    for row in rows:
        sheet.append([str(v) if i in (0, 6, 8) and v != "" else v for i, v in enumerate(row)])  # IDs stay text
    book.properties.created = book.properties.modified = datetime(year, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def reporting_year(today: date) -> int:
    """The year whose completions are accepted all year long: last year until 31 March, then this year."""
    return today.year - 1 if today <= date(today.year, 3, 31) else today.year


if __name__ == "__main__":
    chosen = int(sys.argv[1]) if len(sys.argv) > 1 else reporting_year(date.today())
    for path in write(chosen):
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
