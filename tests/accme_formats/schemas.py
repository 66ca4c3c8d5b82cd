"""ACCME's published schemas (verbatim copies of accme/ in `published/`), with the defects that
accme/README.md lists corrected here, in code, so each correction is visible and the copies stay as
published. `validate(kind, document)` returns every violation as (JSON path, message).

Corrections (each names the README item it follows):
- activity: the `required` list of a `MedicalEducationMetrics` item moves from the array to the item,
  spelled `ParticipationMetrics` (the properties' spelling, which we emit); `numberOfParticipants`
  moves into `properties`; the `physician` listed twice in the category enum is listed once; the root's,
  `ACCMEActivities`' and `REMS`' `required` move out of `properties` (REMS requires only `REMSType`: the
  draft describes `REMSRelatedIdentifier` as "if relevant"); `"isInterprofessional "` loses its space.
- learner reports: `UniqueID` is an array of {value, domain} (its description, and the status example).
- transcript: `Certification` and `NPI` move beside `Licensure` under `PersonalInfo`, and the items of
  `Licensure` and `Certification` get the `properties` their fields were written without.
- learner status (learner OpenAPI): the six `$ref`s that do not resolve point at the v0_5 definitions
  they name (`CompletedDateTime` is the Module's; the response is an array, as its example).
- credits by date (transcript OpenAPI): `GivenName` and `FamilyName` move into `learner.properties`.
- date-times described as `YYYY-MM-DDThh:mm:ss` / `YYYY-MM-DDT00:00:00` (no offset) are checked with
  that pattern instead of `format: date-time`, which needs an offset; `DateTimeCreated` may add one.
`format: date` is checked (jsonschema's format checker).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

PUBLISHED = Path(__file__).parent / "published"
NO_OFFSET = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
MAY_OFFSET = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"}


def _load(name: str) -> Any:
    text = (PUBLISHED / name).read_text(encoding="utf-8")
    return yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)


def _dated(schema: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in schema.items() if k != "format"}
    return {**out, **form}


@cache
def activity() -> dict[str, Any]:
    s = copy.deepcopy(_load("accme-pars-activity.schema_v0_1_2.json"))
    root = s["properties"]
    s["required"] = root.pop("required")
    activities = root["ACCMEActivities"]
    activities["required"] = activities["properties"].pop("required")
    metrics = activities["properties"]["MedicalEducationMetrics"]
    item = metrics["items"]
    item["required"] = ["ParticipationMetrics" if r == "participationMetrics" else r for r in metrics.pop("required")]
    props = item["properties"]
    by_category = props["ParticipationMetrics"]["properties"]["participantsByCategory"]["items"]
    by_category["properties"]["numberOfParticipants"] = by_category.pop("numberOfParticipants")
    category = by_category["properties"]["category"]
    category["enum"] = list(dict.fromkeys(category["enum"]))
    he = props["healthcareMetadata"]["properties"]["healthcareEducation"]["properties"]
    for key in ("startDateTime", "endDateTime"):
        he[key] = _dated(he[key], NO_OFFSET)
    xi = props["XtensibleInfo"]["properties"]
    xi["isInterprofessional"] = xi.pop("isInterprofessional ")
    rems = xi["REMS"]
    rems.pop("required", None)
    rems["properties"].pop("required")
    rems["required"] = ["REMSType"]
    return s


@cache
def learner_reports() -> dict[str, Any]:
    s = copy.deepcopy(_load("accme-pars-learner-reports.schema_v0_5.json"))
    reports = s["properties"]["ACCMELearnerReports"]["properties"]["ActivityReports"]
    reports["properties"]["DateTimeCreated"] = _dated(reports["properties"]["DateTimeCreated"], MAY_OFFSET)
    module = reports["properties"]["ActivityReport"]["items"]["properties"]["Activity"]["properties"]["Module"][
        "properties"
    ]
    module["CompletedDateTime"] = _dated(module["CompletedDateTime"], NO_OFFSET)
    certificate = module["CreditCertificate"]["items"]["properties"]
    certificate["UniqueID"]["type"] = "array"
    return s


def _report_part(*path: str) -> dict[str, Any]:
    """A definition inside one learner-reports ActivityReport, by its property names."""
    node = learner_reports()["properties"]["ACCMELearnerReports"]["properties"]["ActivityReports"]["properties"][
        "ActivityReport"
    ]["items"]
    for name in path:
        node = node["items"] if name == "[]" else node["properties"][name]
    return copy.deepcopy(node)


@cache
def learner_status() -> dict[str, Any]:
    api = _load("accme-learner_activity_api.yaml")
    answer = api["paths"]["/learner-activities/status"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    module = ("Activity", "Module")
    where = {  # the $ref paths with the `properties`/`items` steps they leave out
        "moduleID": (*module, "ModuleName", "moduleID"),
        "BirthDate": ("Member", "PersonalInfo", "BirthDate"),
        "CompletedDateTime": (*module, "CompletedDateTime"),
        "CreditID": (*module, "CreditCertificate", "[]", "CreditID"),
        "UniqueID": (*module, "CreditCertificate", "[]", "UniqueID"),
        "Status": (*module, "Status"),
    }
    s = copy.deepcopy(answer)
    for name, ref in s["items"]["properties"].items():
        assert ref["$ref"].endswith("/" + name)
        s["items"]["properties"][name] = _report_part(*where[name])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **s}


@cache
def transcript() -> dict[str, Any]:
    s = copy.deepcopy(_load("accme-pars-learner-transcript.schema_v0_1.json"))
    member = s["properties"]["ACCMETranscripts"]["items"]["properties"]["Member"]["properties"]
    info = member["PersonalInfo"]["properties"]
    licensure = info["Licensure"]
    certification = licensure.pop("Certification")
    npi = licensure.pop("NPI")
    licensure["items"] = {"type": "object", "properties": licensure["items"]}
    certification["items"] = {"type": "object", "properties": certification["items"]}
    info["Certification"], info["NPI"] = certification, npi
    module = s["properties"]["ACCMETranscripts"]["items"]["properties"]["ActivityTranscript"]["items"]["properties"][
        "Activity"
    ]["properties"]["Module"]["properties"]
    module["CompletedDateTime"] = _dated(module["CompletedDateTime"], NO_OFFSET)
    return s


@cache
def credits_by_date() -> dict[str, Any]:
    api = _load("accme-transcript-api.yaml")
    answer = api["paths"]["/GetLearnerTranscriptCreditsByDate"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    s = copy.deepcopy(answer)
    assert s["properties"]["learner"]["properties"] is None
    s["properties"]["learner"]["properties"] = {k: s["properties"].pop(k) for k in ("GivenName", "FamilyName")}
    s["properties"]["totalCredits"].pop("format")  # OpenAPI's "float" is no JSON Schema format
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **s}


SCHEMAS = {
    "activity": activity,
    "learner_reports": learner_reports,
    "learner_status": learner_status,
    "transcript": transcript,
    "credits_by_date": credits_by_date,
}


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(SCHEMAS[kind](), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(kind: str, document: Any) -> list[tuple[str, str]]:
    """Every violation of the corrected schema, as (JSON path, message); [] when the document conforms."""
    return sorted((e.json_path, e.message) for e in validator(kind).iter_errors(document))
