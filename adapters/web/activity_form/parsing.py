"""A posted activity form read into the ACCME item (over the stored one when correcting) and the repeat
instances of its rows; a value the form cannot read is refused beside its field."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from adapters.formats.accme.activity_repeats import Instance
from adapters.web.activity_form.fields import INSTANCE_PARTS, MAX_INSTANCE_ROWS
from domain.activity import BOARDS
from domain.errors import InvalidValueError


def moc_boards(form: dict[str, Any]) -> list[str]:
    """The boards ticked on the form, in the order their registrations go in the item."""
    return [b for b in BOARDS if form.get(f"moc_{b}") == "yes"]


def _many(form: dict[str, Any], key: str) -> list[str]:
    value = form.get(key)
    if value in (None, ""):
        return []
    return [v.strip() for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v.strip()]


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
