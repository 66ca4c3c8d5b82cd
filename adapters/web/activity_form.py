"""The activity web form <-> one ACCME JSON item, the shape every activity channel submits.

The form holds the fields a provider fills for a live course or an enduring material (MOC,
REMS and the rest stay with the batch files and the web service); an edit keeps every field
of the stored item that the form does not show, including the entries of a list beyond the one
the form shows (more supporters, outcomes, delivery methods, learners of other professions).
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from adapters.formats.accme.activities import Instance
from domain.activity import DELIVERY_METHODS, FEES, FORMATS, MEASUREMENT_TYPES, OUTCOMES, REGISTRATIONS
from domain.errors import InvalidValueError

FORMAT_OPTIONS = [(f, f) for f in FORMATS]
DELIVERY_OPTIONS = [(d, d) for d in DELIVERY_METHODS]
OUTCOME_OPTIONS = [(o, o) for o in OUTCOMES]
MEASUREMENT_OPTIONS = [(m, m) for m in MEASUREMENT_TYPES]
YES_NO = [("yes", "Yes"), ("no", "No")]
#: Exactly the domain's answers, in PARS's words (the value sent is the word stored).
FEE_OPTIONS = [(f, f) for f in FEES]
REGISTRATION_OPTIONS = [(r, {"Limited": "Limited (e.g. members only)"}.get(r, r)) for r in REGISTRATIONS]

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
}


def field_of(loc: Any) -> str | None:
    """The form field an error's `loc` concerns (its deepest part the form knows), or None."""
    return next((FIELDS[str(p)] for p in reversed(list(loc)) if str(p) in FIELDS), None)


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
    return item


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
    }


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


def instances_from_text(text: str) -> list[Instance]:
    """Repeat instances, one a line: `start, end[, city, state, country]` (dates as YYYY-MM-DD)."""
    instances = []
    for n, line in enumerate([ln for ln in text.splitlines() if ln.strip()], start=1):
        parts = [p.strip() for p in line.split(",")]
        try:
            start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
        except (ValueError, IndexError):
            raise InvalidValueError(
                f"line {n}: write the start and end dates as YYYY-MM-DD, then city, state and country (got {line.strip()!r})",
                loc=("form", "instances"),
            ) from None
        city, state, country = (parts[2:5] + ["", "", ""])[:3]
        instances.append(
            Instance(start_date=start, end_date=end, city=city or None, state=state or None, country=country or None)
        )
    return instances
