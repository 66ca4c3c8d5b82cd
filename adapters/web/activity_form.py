"""The activity web form <-> one ACCME JSON item, the shape every activity channel submits.

The form holds what a batch file carries for an activity: its fields, MOC registration per board (points,
credit types, claim date, practice areas) with the MOC attestation, REMS, MIPS, commendation criteria tags,
in-kind supporters and joint providers; a new activity's repeat instances are rows of date inputs. An edit
keeps every field of the stored item that the form does not show, including the entries of a list beyond
the one the form shows (more monetary supporters, outcomes, delivery methods, learners of other professions).
"""

from __future__ import annotations

import copy
import functools
from datetime import date
from typing import Any

from adapters.formats.accme.activity_repeats import Instance
from domain.activity import (
    ABPMR_FROM,
    BOARDS,
    DELIVERY_METHODS,
    FEES,
    FORMATS,
    MEASUREMENT_TYPES,
    OUTCOMES,
    PRACTICE_AREA_BOARDS,
    REGISTRATIONS,
    REMS_COMPLIANCE,
    REMS_TYPES,
)
from domain.errors import InvalidValueError

FORMAT_OPTIONS = [(f, f) for f in FORMATS]
DELIVERY_OPTIONS = [(d, d) for d in DELIVERY_METHODS]
OUTCOME_OPTIONS = [(o, o) for o in OUTCOMES]
MEASUREMENT_OPTIONS = [(m, m) for m in MEASUREMENT_TYPES]
YES_NO = [("yes", "Yes"), ("no", "No")]
#: Exactly the domain's answers, in PARS's words (the value sent is the word stored).
FEE_OPTIONS = [(f, f) for f in FEES]
REGISTRATION_OPTIONS = [(r, {"Limited": "Limited (e.g. members only)"}.get(r, r)) for r in REGISTRATIONS]
REMS_TYPE_OPTIONS = [(t, t) for t in REMS_TYPES]
REMS_COMPLIANCE_OPTIONS = [("Compliant", "REMS-compliant"), ("Related", "REMS-related")]
assert [v for v, _ in REMS_COMPLIANCE_OPTIONS] == list(REMS_COMPLIANCE)
#: A registration's parts on the form (moc_ABIM_points, ...) and in the ACCME item / the domain.
MOC_PARTS = {
    "points": "mocPoints",
    "credit_types": "MOCCreditType",
    "claim_date": "CreditClaimDate",
    "practice_areas": "MOCPracticeArea",
}
MOC_PART_OF = {**{v: k for k, v in MOC_PARTS.items()}, **{k: k for k in MOC_PARTS}, "boardName": "", "board": ""}
#: A repeat instance's inputs, one row each: instance_start_0, instance_end_0, instance_city_0, ...
INSTANCE_PARTS = ("start", "end", "city", "state", "country")
MAX_INSTANCE_ROWS = 200

#: The last part of an error's `loc` (ACCME JSON names and domain names) -> the form field it belongs beside.
FIELDS = {
    "entry": "provider_activity_id",
    "identifier": "provider_activity_id",
    "provider_activity_id": "provider_activity_id",
    "title": "title",
    "description": "description",
    "activityFormat": "format",
    "format": "format",
    "startDateTime": "start_date",
    "ReportingStartDate": "start_date",
    "start_date": "start_date",
    "endDateTime": "end_date",
    "ReportingEndDate": "end_date",
    "end_date": "end_date",
    "DeliveryMethods": "delivery",
    "DeliveryMethod": "delivery",
    "delivery_methods": "delivery",
    "city": "city",
    "stateOrProvince": "state",
    "country": "country",
    "activityLocation": "city",
    "location": "city",
    "numberOfCredits": "credits",
    "credits": "credits",
    "activitySponsorship": "sponsorship",
    "sponsorship": "sponsorship",
    "nonAccreditedProvider": "joint_providers",
    "joint_providers": "joint_providers",
    "commercialSupport": "commercial_support",
    "commercial_support": "commercial_support",
    "supportSource": "support_source",
    "commercialSupportAmount": "support_amount",
    "monetary_support": "support_amount",
    "participantsByCategory": "physicians",
    "learners": "physicians",
    "ParticipationMetrics": "physicians",
    "MeasuredOutcomes": "outcome",
    "outcomes": "outcome",
    "MeasurementType": "outcome_type",
    "ForPublicList": "passport",
    "for_public_list": "passport",
    "FeeForParticipation": "fee",
    "fee": "fee",
    "ActivityRegistration": "registration",
    "registration": "registration",
    "url": "url",
    "reason": "reason",
    "instances": "instances",
    "MOCRegistrations": "moc_attestation",
    "MOCAttestation": "moc_attestation",
    "moc_attestation": "moc_attestation",
    "moc": "moc_attestation",
    "REMS": "rems_type",
    "rems": "rems_type",
    "REMSType": "rems_type",
    "REMSCompliance": "rems_compliance",
    "REMSRelatedIdentifier": "rems_identifier",
    "BlueprintSections": "rems_sections",
    "IsMeritBasedIncentivePaymentSystem": "mips",
    "mips": "mips",
    "CommendationTags": "commendation_tags",
    "commendation_tags": "commendation_tags",
    "InKindSupports": "in_kind_sources",
    "in_kind_support": "in_kind_sources",
}


#: Form fields in a provider's words (the labels of the activity form), for errors that name an ACCME JSON path.
LABELS = {
    "provider_activity_id": "Your activity ID",
    "title": "Title",
    "description": "Description",
    "format": "Activity format",
    "start_date": "Start date",
    "end_date": "End date",
    "delivery": "Delivery method",
    "city": "City",
    "state": "State",
    "country": "Country",
    "credits": "AMA PRA Category 1 credits",
    "sponsorship": "Providership",
    "joint_providers": "Joint providers",
    "commercial_support": "Commercial support",
    "support_source": "Monetary support: source",
    "support_amount": "Monetary support: amount",
    "physicians": "Learner counts",
    "outcome": "Outcome measured",
    "outcome_type": "How the outcome was measured",
    "passport": "CME Passport listing",
    "fee": "Fee for participation",
    "registration": "Registration",
    "url": "Activity web address",
    "moc_attestation": "MOC attestation",
    "rems_type": "REMS",
    "rems_compliance": "REMS compliance",
    "rems_identifier": "RPC-assigned ID",
    "rems_sections": "Blueprint sections",
    "mips": "MIPS",
    "commendation_tags": "Commendation criteria",
    "in_kind_sources": "In-kind supporters",
}


def field_of(loc: Any, boards: list[str] | None = None) -> str | None:
    """The form field an error's `loc` concerns (its deepest part the form knows), or None. A MOC
    registration's part is the board's field (`moc_ABIM_points`): `boards` are the registrations' boards in
    their order (an item loc `..., MOCRegistration, 0, mocPoints` or a domain loc `moc, 0, points`)."""
    parts = [str(p) for p in loc]
    for i, part in enumerate(parts):
        if part in ("MOCRegistration", "moc") and i + 1 < len(parts) and parts[i + 1].isdigit():
            n = int(parts[i + 1])
            if boards is not None and n < len(boards):
                what = MOC_PART_OF.get(parts[i + 2] if i + 2 < len(parts) else "", "")
                return f"moc_{boards[n]}" + (f"_{what}" if what else "")
    own = next((p for p in reversed(parts) if p.startswith(("instance_", "moc_"))), None)
    if own:
        return own
    return next((FIELDS[p] for p in reversed(parts) if p in FIELDS), None)


def errors_of(errors: list[dict[str, Any]], boards: list[str]) -> list[dict[str, Any]]:
    """Errors with each `loc` turned into the form field it concerns, for `render.field_errors`."""
    out = []
    for e in errors:
        target = field_of(e.get("loc", []), boards)
        out.append({**e, "loc": [target] if target else list(e.get("loc", []))})
    return out


@functools.cache
def field_names() -> dict[str, str]:
    """`render.field_errors`'s `fields` for `errors_of`'s errors: the names of ACCME/domain locs, and every
    form field by itself (each board's MOC fields, the rows of repeat instances)."""
    own = [f"moc_{b}" + (f"_{p}" if p else "") for b in BOARDS for p in ("", *MOC_PARTS)]
    own += [f"instance_{p}_{i}" for i in range(MAX_INSTANCE_ROWS) for p in INSTANCE_PARTS]
    return {**FIELDS, **{v: v for v in FIELDS.values()}, **{f: f for f in own}}


def moc_boards(form: dict[str, Any]) -> list[str]:
    """The boards ticked on the form, in the order their registrations go in the item."""
    return [b for b in BOARDS if form.get(f"moc_{b}") == "yes"]


def _many(form: dict[str, Any], key: str) -> list[str]:
    value = form.get(key)
    if value in (None, ""):
        return []
    return [v.strip() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v.strip()]


def where(loc: list[Any]) -> str:
    """`Title (Lom › general › title)`: the form's word for an ACCME JSON path, and the path."""
    path = " › ".join(str(p) for p in loc)
    for part in reversed([str(p) for p in loc]):
        if part in FIELDS:
            return f"{LABELS[FIELDS[part]]} ({path})" if FIELDS[part] in LABELS else path
    return path


def _number(value: str, field: str, *, integer: bool = False) -> float | int | None:
    if value in ("", None):
        return None
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "a whole number" if integer else "a number, e.g. 6.25"
        raise InvalidValueError(f"enter {kind} (got {value!r})", loc=("form", field)) from None
    return number


def item_from_form(form: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ACCME item of a filled form (over `base`, the stored item, when correcting)."""
    item = copy.deepcopy(base) if base else {}
    pid = form.get("provider_activity_id", "")
    general = item.setdefault("Lom", {}).setdefault("general", {})
    identifiers = [i for i in general.get("identifier", []) if i.get("catalog") == "ACCME Activity ID"]
    identifiers.append({"catalog": "Provider Activity ID", "entry": pid})
    if form.get("url"):
        identifiers.append({"catalog": "URL", "entry": form["url"]})
    general.update(
        {"identifier": identifiers, "title": form.get("title", ""), "description": form.get("description", "")}
    )
    start, end = form.get("start_date", ""), form.get("end_date", "")
    item["ReportDescription"] = {"ReportingStartDate": start, "ReportingEndDate": end}
    he = item.setdefault("healthcareMetadata", {}).setdefault("healthcareEducation", {})
    he.update({"startDateTime": start, "endDateTime": end, "activityFormat": form.get("format", "")})
    credits = he.setdefault("credits", {"activityCertification": "AMA PRA Category 1"})
    number = _number(form.get("credits", ""), "credits")
    if number is None:
        credits.pop("numberOfCredits", None)
    else:
        credits["numberOfCredits"] = number
    joint = split_names(form.get("joint_providers", ""))
    if joint:
        credits["nonAccreditedProvider"] = joint
    else:
        credits.pop("nonAccreditedProvider", None)
    location = {
        k: form.get(f)
        for k, f in (("city", "city"), ("stateOrProvince", "state"), ("country", "country"))
        if form.get(f)
    }
    if location:
        he["activityLocation"] = location
    else:
        he.pop("activityLocation", None)
    for key, field in (("activitySponsorship", "sponsorship"),):
        if form.get(field):
            he[key] = form[field]
        else:
            he.pop(key, None)
    if form.get("commercial_support") in ("yes", "no"):
        he["commercialSupport"] = form["commercial_support"] == "yes"
    else:
        he.pop("commercialSupport", None)
    amount = _number(form.get("support_amount", ""), "support_amount")
    # The form shows the first monetary supporter; the others stay as they are (unless the answer is now No).
    more_support = (item.get("ActivityDescription") or {}).get("commercialSupportAmount", [])[1:]
    first = (
        [
            {
                "currency": "USD",
                "supportSource": form.get("support_source", ""),
                **({"value": amount} if amount is not None else {}),
            }
        ]
        if form.get("support_source") or amount is not None
        else []
    )
    if form.get("commercial_support") == "yes" and (first or more_support):
        item["ActivityDescription"] = {"commercialSupportAmount": first + more_support}
    else:
        item.pop("ActivityDescription", None)
    if form.get("commercial_support") == "no":  # "No" means no supporter of either kind
        item.get("XtensibleInfo", {}).pop("InKindSupports", None)
    physicians = _number(form.get("physicians", ""), "physicians", integer=True)
    others = _number(form.get("others", ""), "others", integer=True)
    categories = [
        {"category": c, "numberOfParticipants": n}
        for c, n in (("physician", physicians), ("other", others))
        if n is not None
    ]
    # Learners of other professions (nurses, pharmacists, ...) are not on the form: kept as stored.
    professions = [
        c
        for c in (item.get("ParticipationMetrics") or {}).get("participantsByCategory", [])
        if c.get("category") not in ("physician", "other")
    ]
    item["ParticipationMetrics"] = {"participantsByCategory": categories + professions}
    xi = item.setdefault("XtensibleInfo", {})
    xi["activityRecordAction"] = "Add"
    xi.pop("closeActivityRecord", None)
    stored_methods = (xi.get("DeliveryMethods") or {}).get("DeliveryMethod", [])
    if form.get("delivery"):
        xi["DeliveryMethods"] = {"DeliveryMethod": list(dict.fromkeys([form["delivery"], *stored_methods[1:]]))}
    else:
        xi.pop("DeliveryMethods", None)
    stored_outcomes = xi.get("MeasuredOutcomes") or []
    if form.get("outcome"):
        types = [form["outcome_type"]] if form.get("outcome_type") else []
        before = stored_outcomes[0] if stored_outcomes else {}
        if before.get("MeasuredOutcome") == form["outcome"] and (before.get("MeasurementType") or [""])[0] == form.get(
            "outcome_type", ""
        ):
            types = list(before.get("MeasurementType") or [])  # unchanged: keep both types where both were given
        rest = [o for o in stored_outcomes[1:] if o.get("MeasuredOutcome") != form["outcome"]]
        xi["MeasuredOutcomes"] = [{"MeasuredOutcome": form["outcome"], "MeasurementType": types}, *rest]
    else:
        xi.pop("MeasuredOutcomes", None)
    if form.get("passport") in ("yes", "no"):
        xi["ForPublicList"] = form["passport"] == "yes"
    else:
        xi.pop("ForPublicList", None)
    for key, field in (("FeeForParticipation", "fee"), ("ActivityRegistration", "registration")):
        if form.get(field):
            xi[key] = form[field]
        else:
            xi.pop(key, None)
    _registrations_from_form(form, xi)
    return item


def _registrations_from_form(form: dict[str, Any], xi: dict[str, Any]) -> None:
    """MOC per board, the MOC attestation, REMS, MIPS, commendation tags and in-kind supporters: the form
    shows each whole, so what it holds replaces what was stored."""
    regs = []
    for board in moc_boards(form):
        reg: dict[str, Any] = {
            "boardName": board,
            "MOCCreditType": split_names(form.get(f"moc_{board}_credit_types", "")),
        }
        points = _number(form.get(f"moc_{board}_points", ""), f"moc_{board}_points")
        if points is not None:
            reg["mocPoints"] = points
        if form.get(f"moc_{board}_claim_date"):
            reg["CreditClaimDate"] = form[f"moc_{board}_claim_date"]
        areas = split_names(form.get(f"moc_{board}_practice_areas", ""))
        if areas:
            reg["MOCPracticeArea"] = areas
        regs.append(reg)
    if regs:
        xi["MOCRegistrations"] = {"MOCRegistration": regs}
    else:
        xi.pop("MOCRegistrations", None)
    if form.get("moc_attestation") == "yes":
        xi["MOCAttestation"] = True
    elif regs:
        xi["MOCAttestation"] = False
    else:
        xi.pop("MOCAttestation", None)
    if form.get("rems_type"):
        rems: dict[str, Any] = {"REMSType": form["rems_type"]}
        if form.get("rems_identifier"):
            rems["REMSRelatedIdentifier"] = form["rems_identifier"]
        if form.get("rems_compliance"):
            rems["REMSCompliance"] = form["rems_compliance"]
        sections = _many(form, "rems_sections")
        if sections:
            rems["BlueprintSections"] = sections
        xi["REMS"] = rems
    else:
        for part in ("rems_identifier", "rems_compliance"):
            if form.get(part):
                raise InvalidValueError(
                    "choose the REMS type first (or leave the REMS fields empty)", loc=("form", "rems_type")
                )
        xi.pop("REMS", None)
    if form.get("mips") in ("yes", "no"):
        xi["IsMeritBasedIncentivePaymentSystem"] = form["mips"] == "yes"
    else:
        xi.pop("IsMeritBasedIncentivePaymentSystem", None)
    tags = split_names(form.get("commendation_tags", ""))
    if tags:
        xi["CommendationTags"] = {"CommendationTag": tags}
    else:
        xi.pop("CommendationTags", None)
    in_kind = split_names(form.get("in_kind_sources", ""))
    if in_kind and form.get("commercial_support") != "no":
        xi["InKindSupports"] = {"InKindSupport": [{"source": s} for s in in_kind]}
    else:
        xi.pop("InKindSupports", None)


def form_from_item(item: dict[str, Any]) -> dict[str, Any]:
    """The form's fields from a stored item (for the correction form)."""
    general = item.get("Lom", {}).get("general", {})
    ids = {i.get("catalog"): i.get("entry") for i in general.get("identifier", [])}
    he = item.get("healthcareMetadata", {}).get("healthcareEducation", {})
    loc = he.get("activityLocation", {})
    xi = item.get("XtensibleInfo", {})
    learners = {
        c["category"]: c["numberOfParticipants"]
        for c in item.get("ParticipationMetrics", {}).get("participantsByCategory", [])
    }
    support = (item.get("ActivityDescription", {}).get("commercialSupportAmount") or [{}])[0]
    outcome = (xi.get("MeasuredOutcomes") or [{}])[0]
    yes_no = {True: "yes", False: "no", None: ""}
    return {
        "provider_activity_id": ids.get("Provider Activity ID", ""),
        "url": ids.get("URL", ""),
        "title": general.get("title", ""),
        "description": general.get("description", ""),
        "format": he.get("activityFormat", ""),
        "start_date": str(he.get("startDateTime", ""))[:10],
        "end_date": str(he.get("endDateTime", ""))[:10],  # T00:00:00 sent
        "credits": he.get("credits", {}).get("numberOfCredits", ""),
        "joint_providers": "; ".join(he.get("credits", {}).get("nonAccreditedProvider", [])),
        "city": loc.get("city", ""),
        "state": loc.get("stateOrProvince", ""),
        "country": loc.get("country", ""),
        "sponsorship": he.get("activitySponsorship", ""),
        "commercial_support": yes_no[he.get("commercialSupport")],
        "support_source": support.get("supportSource", ""),
        "support_amount": support.get("value", ""),
        "physicians": learners.get("physician", ""),
        "others": learners.get("other", ""),
        "delivery": (xi.get("DeliveryMethods", {}).get("DeliveryMethod") or [""])[0],
        "outcome": outcome.get("MeasuredOutcome", ""),
        "outcome_type": (outcome.get("MeasurementType") or [""])[0],
        "passport": yes_no[xi.get("ForPublicList")],
        "fee": xi.get("FeeForParticipation", ""),
        "registration": xi.get("ActivityRegistration", ""),
        **_registrations_to_form(xi),
    }


def _registrations_to_form(xi: dict[str, Any]) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for reg in (xi.get("MOCRegistrations") or {}).get("MOCRegistration", []):
        b = reg.get("boardName", "")
        form[f"moc_{b}"] = "yes"
        form[f"moc_{b}_points"] = "" if reg.get("mocPoints") is None else reg["mocPoints"]
        form[f"moc_{b}_credit_types"] = "; ".join(reg.get("MOCCreditType") or [])
        form[f"moc_{b}_claim_date"] = str(reg.get("CreditClaimDate") or "")[:10]
        form[f"moc_{b}_practice_areas"] = "; ".join(reg.get("MOCPracticeArea") or [])
    yes_no = {True: "yes", False: "no", None: ""}
    form["moc_attestation"] = "yes" if xi.get("MOCAttestation") is True else ""
    rems = xi.get("REMS") or {}
    form["rems_type"] = rems.get("REMSType", "")
    form["rems_identifier"] = rems.get("REMSRelatedIdentifier", "")
    form["rems_compliance"] = rems.get("REMSCompliance", "")
    form["rems_sections"] = list(rems.get("BlueprintSections") or [])
    form["mips"] = yes_no[xi.get("IsMeritBasedIncentivePaymentSystem")]
    form["commendation_tags"] = "; ".join((xi.get("CommendationTags") or {}).get("CommendationTag", []))
    form["in_kind_sources"] = "; ".join(
        s.get("source", "") for s in (xi.get("InKindSupports") or {}).get("InKindSupport", [])
    )
    return form


def moc_rows(form: dict[str, Any], errors: dict[str, str], start: str = "") -> list[dict[str, Any]]:
    """Each board's part of the form: whether it is ticked, open (ticked or with an error) and offered
    (ABPMR only for activities from 2025, unless already registered)."""
    rows = []
    for b in BOARDS:
        ticked = form.get(f"moc_{b}") == "yes"
        wrong = any(k == f"moc_{b}" or k.startswith(f"moc_{b}_") for k in errors)
        late_board = b == "ABPMR" and bool(start) and start < ABPMR_FROM.isoformat()
        rows.append(
            {
                "board": b,
                "ticked": ticked,
                "open": ticked or wrong,
                "offered": ticked or wrong or not late_board,
                "practice_areas_needed": b in PRACTICE_AREA_BOARDS,
            }
        )
    return rows


def instance_rows(form: dict[str, Any]) -> list[dict[str, str]]:
    """The repeat instances' rows as posted (instance_start_0, ...), in order; one empty row when there are none."""
    indexes = sorted(
        {int(k.rsplit("_", 1)[1]) for k in form if k.startswith("instance_") and k.rsplit("_", 1)[1].isdigit()}
    )[:MAX_INSTANCE_ROWS]
    rows = [{p: str(form.get(f"instance_{p}_{i}") or "") for p in INSTANCE_PARTS} for i in indexes]
    return rows or [dict.fromkeys(INSTANCE_PARTS, "")]


def instance_form(rows: list[dict[str, str]]) -> dict[str, str]:
    """The rows back as form fields, renumbered from 0 (after a row is added or removed)."""
    return {f"instance_{p}_{i}": row.get(p, "") for i, row in enumerate(rows) for p in INSTANCE_PARTS}


def instances_from_rows(rows: list[dict[str, str]]) -> list[Instance]:
    """The repeat instances of the filled rows (an empty row is skipped); a row without both dates is refused
    beside its start date."""
    instances = []
    for n, row in enumerate(rows):
        if not any(v.strip() for v in row.values()):
            continue
        try:
            start, end = date.fromisoformat(row["start"].strip()), date.fromisoformat(row["end"].strip())
        except ValueError:
            field = "start" if not _is_date(row["start"]) else "end"
            raise InvalidValueError(
                f"instance {n + 1}: enter its start and end dates", loc=("form", f"instance_{field}_{n}")
            ) from None
        instances.append(
            Instance(
                start_date=start,
                end_date=end,
                city=row["city"].strip() or None,
                state=row["state"].strip() or None,
                country=row["country"].strip() or None,
            )
        )
    return instances


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text.strip())
    except ValueError:
        return False
    return True


def split_names(text: str) -> list[str]:
    """Joint providers: separated by ';' or one a line (a name may hold a comma: "Acme Health, Inc.")."""
    return [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]


def kept_beyond_form(item: dict[str, Any]) -> list[str]:
    """What the stored activity holds beyond the one entry the form shows of each list (kept on save)."""
    xi = item.get("XtensibleInfo", {})
    kept = []
    for what, entries in (
        ("monetary supporter", (item.get("ActivityDescription") or {}).get("commercialSupportAmount", [])),
        ("measured outcome", xi.get("MeasuredOutcomes") or []),
        ("delivery method", (xi.get("DeliveryMethods") or {}).get("DeliveryMethod", [])),
    ):
        if len(entries) > 1:
            kept.append(f"{len(entries) - 1} more {what}{'s' if len(entries) > 2 else ''}")
    others = [
        c["category"]
        for c in (item.get("ParticipationMetrics") or {}).get("participantsByCategory", [])
        if c.get("category") not in ("physician", "other")
    ]
    if others:
        kept.append("learner counts of " + ", ".join(others))
    return kept
