"""The flat activity columns shared by the tab-delimited file and the Excel template.

One row is one activity; the header row names the columns, in any order, and columns left out
(or cells left blank) are simply absent from the activity. Conventions of the legacy PARS
files: dates as MM/DD/YYYY (YYYY-MM-DD is read too), booleans as Yes/No.

Single-value columns (JSON path in the ACCME item in brackets):

| column | field |
| --- | --- |
| Record Action | Add, Update or Delete (`XtensibleInfo.activityRecordAction`) |
| Close Activity | Yes/No (`XtensibleInfo.closeActivityRecord`) |
| Correction Reason | why a closed activity is changed; a row that changes a closed activity without one is refused (`XtensibleInfo.CorrectionReason`, a PARS extension, not in schema v0.1.2) |
| ACCME Activity ID / Provider Activity ID / Activity URL | `Lom.general.identifier[]` by catalog |
| Activity Title / Description of Content | `Lom.general.title` / `.description` |
| Activity Format | `healthcareEducation.activityFormat` |
| Start Date / End Date | `healthcareEducation.startDateTime` / `.endDateTime` (MM/DD/YYYY, optionally ` HH:MM:SS`) |
| Reporting Start Date / Reporting End Date | `ReportDescription.*` (YYYY or MM/DD/YYYY) |
| City / State / Country | `healthcareEducation.activityLocation` (state two letters, country ISO-3) |
| Providership | direct or joint (`activitySponsorship`; Directly / Jointly Provided read too) |
| Joint Provider(s) | `credits.nonAccreditedProvider[]`, a list |
| Credit Type / Number of AMA PRA Category 1 Credits Designated | `credits.activityCertification` / `.numberOfCredits` |
| Commercial Support Received? | Yes/No (`commercialSupport`) |
| In-Kind Supporters | `XtensibleInfo.InKindSupports.InKindSupport[].source`, a list |
| Delivery Methods / Commendation Tags | lists |
| Target Professions / Target Specialties | `targetAudience.profession[]` / `.specialty[]` |
| # of Physicians, # of Nurses, …, # of Other Learners | `ParticipationMetrics.participantsByCategory[]`, one column per category |
| Measured Outcome: Learner Competence (and the other outcomes) | `Objective`, `Subjective`, `Objective; Subjective`, or `Yes` (measured, type not given) |
| Show in CME Passport | Yes/No (`ForPublicList`) |
| Fee for Participation / Activity Registration | text |
| MOC Attestation | Yes/No (`XtensibleInfo.MOCAttestation`, a PARS extension) |
| MIPS | Yes/No |
| REMS Type / REMS Identifier (the RPC-assigned ID) / REMS Compliance (Compliant, Related) / REMS Blueprint Sections | `XtensibleInfo.REMS` |
| Interprofessional | Yes/No |
| Provider ID | `XtensibleInfo.ProviderID` |
| Pharmacy Activity Type / Topic / Live Date / Sequence Number, UAN Pharmacy, UAN Pharmacy Tech | the pharmacy fields |
| Has Pharmacy Recertifications / Has Pharmacy Content Tags | true, false or not sure |
| Pharmacy Recertification Requirements | a list of `audience=requirement` |
| Pharmacy Content States / Pharmacy Content Topics | lists |
| Has State Content Tags | Yes/No |
| State Content Tags | a list of `domain=topic` |

Repeated groups are numbered columns (add as many numbers as needed, `1` first):

| columns | field |
| --- | --- |
| Commercial Supporter N, Commercial Support Amount N, Commercial Support Currency N | `ActivityDescription.commercialSupportAmount[]` (amount in whole dollars, currency e.g. USD) |
| MOC Board N, MOC Points N, MOC Credit Types N (a list), MOC Claim Date N, MOC Practice Areas N (a list) | `XtensibleInfo.MOCRegistrations.MOCRegistration[]` (`MOCPracticeArea[]`) |
| Keyword ID N, Keyword Source N, Keyword N | `Lom.general.keyword[]` |
| Content Outline Source N, Content Outline Keys N (a list of `keyword=value`) | `XtensibleInfo.ContentOutlines.ContentOutlineSelections[]` |

Legacy (Template D) headers read as well: Activity Type (= Activity Format), Activity Date (= Start
Date), Reporting Year (both reporting dates); Template and Hours of Instruction are accepted and ignored.

A list cell separates its values with `;`. Inside a value, `\\;`, `\\=` and `\\\\` stand for a
literal `;`, `=` and backslash.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from adapters.batch.cells import (
    CellError,
    as_text,
    join_list,
    join_pairs,
    read_date,
    read_datetime,
    read_int,
    read_list,
    read_number,
    read_pairs,
    read_providership,
    read_report_date,
    read_text,
    read_yesno,
    unchanged,
    write_date,
    write_report_date,
)

# the vocabularies are the domain's, named as the batch files' sections name them
from domain.activity import LEARNER_CATEGORIES as PARTICIPANT_CATEGORIES
from domain.activity import MEASUREMENT_TYPES
from domain.activity import OUTCOMES as MEASURED_OUTCOMES

HE = ("healthcareMetadata", "healthcareEducation")
XI = ("XtensibleInfo",)
GEN = ("Lom", "general")


# --- item paths ----------------------------------------------------------------------------------


def get_path(item: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = item
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def set_path(item: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = item
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


@dataclass(frozen=True)
class Column:
    """A single-value column: its header, the item path, how a cell is read and written."""

    name: str
    path: tuple[str, ...]
    read: Callable[[Any], Any] = read_text
    write: Callable[[Any], Any] = unchanged
    is_list: bool = False


def _list_column(name: str, path: tuple[str, ...]) -> Column:
    return Column(name, path, read_list, join_list, is_list=True)


COLUMNS: list[Column] = [
    Column("Record Action", XI + ("activityRecordAction",)),
    Column("Close Activity", XI + ("closeActivityRecord",), read_yesno),
    Column("Correction Reason", XI + ("CorrectionReason",)),
    Column("Provider ID", XI + ("ProviderID",)),
    Column("Activity Title", GEN + ("title",)),
    Column("Description of Content", GEN + ("description",)),
    Column("Activity Format", HE + ("activityFormat",)),
    Column("Start Date", HE + ("startDateTime",), read_datetime, write_date),
    Column("End Date", HE + ("endDateTime",), read_datetime, write_date),
    Column("Reporting Start Date", ("ReportDescription", "ReportingStartDate"), read_report_date, write_report_date),
    Column("Reporting End Date", ("ReportDescription", "ReportingEndDate"), read_report_date, write_report_date),
    Column("City", HE + ("activityLocation", "city")),
    Column("State", HE + ("activityLocation", "stateOrProvince")),
    Column("Country", HE + ("activityLocation", "country")),
    Column("Providership", HE + ("activitySponsorship",), read_providership),
    _list_column("Joint Provider(s)", HE + ("credits", "nonAccreditedProvider")),
    Column("Credit Type", HE + ("credits", "activityCertification")),
    Column("Number of AMA PRA Category 1 Credits Designated", HE + ("credits", "numberOfCredits"), read_number),
    Column("Commercial Support Received?", HE + ("commercialSupport",), read_yesno),
    _list_column("Delivery Methods", XI + ("DeliveryMethods", "DeliveryMethod")),
    _list_column("Commendation Tags", XI + ("CommendationTags", "CommendationTag")),
    _list_column("Target Professions", HE + ("targetAudience", "profession")),
    _list_column("Target Specialties", HE + ("targetAudience", "specialty")),
    Column("Show in CME Passport", XI + ("ForPublicList",), read_yesno),
    Column("Fee for Participation", XI + ("FeeForParticipation",)),
    Column("Activity Registration", XI + ("ActivityRegistration",)),
    Column("MOC Attestation", XI + ("MOCAttestation",), read_yesno),
    Column("MIPS", XI + ("IsMeritBasedIncentivePaymentSystem",), read_yesno),
    Column("REMS Type", XI + ("REMS", "REMSType")),
    Column("REMS Identifier", XI + ("REMS", "REMSRelatedIdentifier")),
    Column("REMS Compliance", XI + ("REMS", "REMSCompliance")),
    _list_column("REMS Blueprint Sections", XI + ("REMS", "BlueprintSections")),
    Column("Interprofessional", XI + ("isInterprofessional",), read_yesno),
    Column("Pharmacy Activity Type", XI + ("PharmacyActivityType",)),
    Column("Pharmacy Activity Topic", XI + ("PharmacyActivityTopic",)),
    Column("Pharmacy Live Date", XI + ("PharmacyLiveDate",), read_date, write_date),
    Column("Pharmacy Sequence Number", XI + ("PharmacySequenceNumber",)),
    Column("UAN Pharmacy", XI + ("UANPharmacy",)),
    Column("UAN Pharmacy Tech", XI + ("UANPharmacyTech",)),
    Column("Has Pharmacy Recertifications", XI + ("HasPharmacyRecertifications",)),
    Column("Has Pharmacy Content Tags", XI + ("HasPharmacyContentTags",)),
    _list_column("Pharmacy Content States", XI + ("PharmacyContentTags", "PharmacyState")),
    _list_column("Pharmacy Content Topics", XI + ("PharmacyContentTags", "PharmacyContentTopic")),
    Column("Has State Content Tags", XI + ("HasStateContentTags",), read_yesno),
]

#: Columns of fields that ACCME's schema v0.1.2 does not have (PARS extensions), marked so in the templates.
EXTENSION_COLUMNS = frozenset({"Correction Reason", "MOC Attestation"})

IDENTIFIER_COLUMNS = {
    "ACCME Activity ID": "ACCME Activity ID",
    "Provider Activity ID": "Provider Activity ID",
    "Activity URL": "URL",
}

PARTICIPANT_COLUMNS = {
    "physician": "# of Physicians",
    "nurse": "# of Nurses",
    "pharmacist": "# of Pharmacists",
    "pharmacy technician": "# of Pharmacy Technicians",
    "physician assistant": "# of Physician Assistants",
    "psychologist": "# of Psychologists",
    "optometrist": "# of Optometrists",
    "social worker": "# of Social Workers",
    "dentist": "# of Dentists",
    "allied dental staff": "# of Allied Dental Staff",
    "registered dietitians": "# of Registered Dietitians",
    "dietetic technicians registered": "# of Dietetic Technicians Registered",
    "athletic trainers": "# of Athletic Trainers",
    "other": "# of Other Learners",
}
assert set(PARTICIPANT_COLUMNS) == set(PARTICIPANT_CATEGORIES)
OUTCOME_COLUMNS = {outcome: f"Measured Outcome: {outcome}" for outcome in MEASURED_OUTCOMES}

PAIR_COLUMNS = {
    "Pharmacy Recertification Requirements": (
        XI + ("PharmacyRecertificationRequirements",),
        "PharmacyAudience",
        "PharmacyRequirement",
    ),
    "State Content Tags": (XI + ("StateContentTags", "StateContent"), "StateContentDomain", "StateContentTopic"),
}


@dataclass(frozen=True)
class Group:
    """A repeated group of numbered columns (`MOC Board 1`, `MOC Points 1`, …) and the list it fills."""

    path: tuple[str, ...]
    fields: tuple[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]], ...]  # (column prefix, key, read, write)


GROUPS = {
    "supporter": Group(
        ("ActivityDescription", "commercialSupportAmount"),
        (
            ("Commercial Supporter", "supportSource", read_text, unchanged),
            ("Commercial Support Amount", "value", read_number, unchanged),
            ("Commercial Support Currency", "currency", read_text, unchanged),
        ),
    ),
    "moc": Group(
        XI + ("MOCRegistrations", "MOCRegistration"),
        (
            ("MOC Board", "boardName", read_text, unchanged),
            ("MOC Points", "mocPoints", read_number, unchanged),
            ("MOC Credit Types", "MOCCreditType", read_list, join_list),
            ("MOC Claim Date", "CreditClaimDate", read_date, write_date),
            ("MOC Practice Areas", "MOCPracticeArea", read_list, join_list),
        ),
    ),
    "keyword": Group(
        GEN + ("keyword",),
        (
            ("Keyword ID", "id", read_text, unchanged),
            ("Keyword Source", "source", read_text, unchanged),
            ("Keyword", "string", read_text, unchanged),
        ),
    ),
    "outline": Group(
        XI + ("ContentOutlines", "ContentOutlineSelections"),
        (
            ("Content Outline Source", "ContentOutlineSource", read_text, unchanged),
            (
                "Content Outline Keys",
                "ContentOutlineKeys",
                lambda v: [{"ContentKeyword": a, "ContentKeywordValue": b} for a, b in read_pairs(v)],
                lambda keys: join_pairs((k.get("ContentKeyword", ""), k.get("ContentKeywordValue", "")) for k in keys),
            ),
        ),
    ),
}
GROUP_PREFIXES = {
    prefix: (gname, key, read, write) for gname, g in GROUPS.items() for prefix, key, read, write in g.fields
}
NUMBERED = re.compile(r"^(.*\S)\s+(\d+)$")

#: column headers of older files, read as ours
ALIASES = {
    "Activity Type": "Activity Format",
    "Activity Date": "Start Date",
    "# of Other Learners": "# of Other Learners",
    "Number of Physicians": "# of Physicians",
    "Number of Other Learners": "# of Other Learners",
    "Credits": "Number of AMA PRA Category 1 Credits Designated",
    "Description": "Description of Content",
    "Title": "Activity Title",
}


#: legacy (Template D) columns that no longer carry a field: accepted and left unread
LEGACY_IGNORED = {"Template", "Hours of Instruction"}
#: legacy column: the reporting year, read as both reporting dates when those are not given
REPORTING_YEAR = "Reporting Year"


def header(groups: dict[str, int] | None = None) -> list[str]:
    """Every column, in template order, with `groups[name]` numbered copies of each repeated group."""
    counts = {"supporter": 3, "moc": 2, "keyword": 1, "outline": 1} | (groups or {})
    names = ["Record Action", "Close Activity", "Correction Reason", *IDENTIFIER_COLUMNS]
    names += [c.name for c in COLUMNS if c.name not in names]
    names += (
        ["In-Kind Supporters"]
        + list(PARTICIPANT_COLUMNS.values())
        + list(OUTCOME_COLUMNS.values())
        + list(PAIR_COLUMNS)
    )
    for gname, group in GROUPS.items():
        for n in range(1, counts.get(gname, 0) + 1):
            names += [f"{prefix} {n}" for prefix, *_ in group.fields]
    return names


def canonical(name: Any) -> str:
    text = " ".join(str(name or "").split())
    return ALIASES.get(text, text)


def check_header(names: list[str]) -> list[dict[str, Any]]:
    """Errors for headers that name no column (a typo would otherwise drop data silently) or repeat one."""
    known = (
        {c.name for c in COLUMNS}
        | {"In-Kind Supporters", REPORTING_YEAR}
        | LEGACY_IGNORED
        | set(IDENTIFIER_COLUMNS)
        | set(PARTICIPANT_COLUMNS.values())
        | set(OUTCOME_COLUMNS.values())
        | set(PAIR_COLUMNS)
    )
    errors, seen = [], set()
    for position, name in enumerate(names, start=1):
        if not name:
            continue
        numbered = NUMBERED.match(name)
        if name not in known and not (numbered and numbered.group(1) in GROUP_PREFIXES):
            errors.append({"loc": ["row 1", f"column {position}"], "msg": f"unknown column {name!r}"})
        elif name in seen:
            errors.append({"loc": ["row 1", f"column {position}"], "msg": f"column {name!r} appears twice"})
        seen.add(name)
    return errors


def row_to_item(row: dict[str, Any], ref: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ACCME item of one row (cells keyed by canonical header), and the errors of its cells."""
    item: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    cells = {k: v for k, v in row.items() if k and v is not None and v != "" and as_text(v) != ""}

    def read(column: str, reader: Callable[[Any], Any]) -> Any:
        try:
            return reader(cells[column])
        except CellError as e:
            errors.append({"loc": [ref, column], "msg": str(e)})
            return None

    identifiers = [
        {"catalog": catalog, "entry": read(col, read_text)}
        for col, catalog in IDENTIFIER_COLUMNS.items()
        if col in cells
    ]
    if identifiers:
        set_path(item, GEN + ("identifier",), identifiers)
    for column in COLUMNS:
        if column.name in cells:
            value = read(column.name, column.read)
            if value is not None and value != []:
                set_path(item, column.path, value)
    if REPORTING_YEAR in cells and (year := read(REPORTING_YEAR, read_report_date)):
        for key in ("ReportingStartDate", "ReportingEndDate"):
            item.setdefault("ReportDescription", {}).setdefault(key, year)
    participants = []
    for category, col in PARTICIPANT_COLUMNS.items():
        if col in cells and (count := read(col, read_int)) is not None:
            participants.append({"category": category, "numberOfParticipants": count})
    if participants:
        set_path(item, ("ParticipationMetrics", "participantsByCategory"), participants)
    outcomes = []
    for outcome, col in OUTCOME_COLUMNS.items():
        if col in cells and (entry := read(col, partial(_read_outcome, outcome))) is not None:
            outcomes.append(entry)
    if outcomes:
        set_path(item, XI + ("MeasuredOutcomes",), outcomes)
    for col, (path, key_a, key_b) in PAIR_COLUMNS.items():
        if col in cells and (pairs := read(col, read_pairs)):
            set_path(item, path, [{key_a: a, key_b: b} for a, b in pairs])
    supporters = [{"source": s} for s in read("In-Kind Supporters", read_list)] if "In-Kind Supporters" in cells else []
    if supporters:
        set_path(item, XI + ("InKindSupports", "InKindSupport"), supporters)
    groups: dict[str, dict[int, dict[str, Any]]] = {}
    for col in cells:
        numbered = NUMBERED.match(col)
        if numbered and numbered.group(1) in GROUP_PREFIXES:
            gname, key, reader, _ = GROUP_PREFIXES[numbered.group(1)]
            value = read(col, reader)
            if value is not None:
                groups.setdefault(gname, {}).setdefault(int(numbered.group(2)), {})[key] = value
    for gname, entries in groups.items():
        set_path(item, GROUPS[gname].path, [entries[n] for n in sorted(entries)])
    return item, errors


def _read_outcome(outcome: str, value: Any) -> dict[str, Any]:
    text = as_text(value)
    if text.lower() in ("yes", "y", "true"):
        return {"MeasuredOutcome": outcome}
    types = []
    for part in read_list(text):
        match = next((t for t in MEASUREMENT_TYPES if t.lower() == part.lower()), None)
        if match is None:
            raise CellError(f"expected Objective, Subjective, both separated by ';', or Yes; got {part!r}")
        types.append(match)
    return {"MeasuredOutcome": outcome, "MeasurementType": types}


def item_to_row(item: dict[str, Any]) -> dict[str, Any]:
    """The cells of one item keyed by column (numbered groups from 1); write values, not yet text."""
    row: dict[str, Any] = {}
    for ident in get_path(item, GEN + ("identifier",)) or []:
        named = next((c for c, catalog in IDENTIFIER_COLUMNS.items() if catalog == ident.get("catalog")), None)
        if named:
            row[named] = ident.get("entry")
    for column in COLUMNS:
        value = get_path(item, column.path)
        if value is not None:
            row[column.name] = column.write(value)
    for entry in get_path(item, ("ParticipationMetrics", "participantsByCategory")) or []:
        named = PARTICIPANT_COLUMNS.get(str(entry.get("category", "")).lower())
        if named and entry.get("numberOfParticipants") is not None:
            row[named] = entry["numberOfParticipants"]
    for entry in get_path(item, XI + ("MeasuredOutcomes",)) or []:
        named = OUTCOME_COLUMNS.get(entry.get("MeasuredOutcome"))
        if named:
            row[named] = join_list(entry["MeasurementType"]) if entry.get("MeasurementType") else "Yes"
    for col, (path, key_a, key_b) in PAIR_COLUMNS.items():
        if pairs := get_path(item, path):
            row[col] = join_pairs((p.get(key_a, ""), p.get(key_b, "")) for p in pairs)
    if supporters := get_path(item, XI + ("InKindSupports", "InKindSupport")):
        row["In-Kind Supporters"] = join_list(s.get("source", "") for s in supporters)
    for group in GROUPS.values():
        for n, entry in enumerate(get_path(item, group.path) or [], start=1):
            for prefix, key, _, write in group.fields:
                if entry.get(key) is not None:
                    row[f"{prefix} {n}"] = write(entry[key])
    return row


def group_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many numbered copies of each group the rows need."""
    counts: dict[str, int] = {}
    for row in rows:
        for col in row:
            numbered = NUMBERED.match(col)
            if numbered and numbered.group(1) in GROUP_PREFIXES:
                gname = GROUP_PREFIXES[numbered.group(1)][0]
                counts[gname] = max(counts.get(gname, 0), int(numbered.group(2)))
    return counts


def column_for(loc: list[Any]) -> str | None:
    """The column holding the field at a JSON path within an item, for error reports on flat files."""
    path = tuple(str(p) for p in loc if not isinstance(p, int))
    for column in COLUMNS:
        if path[: len(column.path)] == column.path:
            return column.name
    if path[:3] == GEN + ("identifier",):
        return "Provider Activity ID"
    if path[:2] == ("ParticipationMetrics", "participantsByCategory"):
        return "# of Physicians / # of Other Learners"
    if path[:2] == XI + ("MeasuredOutcomes",):
        return "Measured Outcome"
    for col, (cpath, *_) in PAIR_COLUMNS.items():
        if path[: len(cpath)] == cpath:
            return col
    if path[:2] == XI + ("InKindSupports",):
        return "In-Kind Supporters"
    ints = [p for p in loc if isinstance(p, int)]
    for group in GROUPS.values():
        if path[: len(group.path)] == group.path:
            n = ints[0] + 1 if ints else 1
            key = path[len(group.path)] if len(path) > len(group.path) else None
            prefix = next((p for p, k, *_ in group.fields if k == key), group.fields[0][0])
            return f"{prefix} {n}"
    return None
