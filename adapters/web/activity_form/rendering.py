"""The activity form filled from a stored item, each board's MOC part of it, what the item keeps beyond the
form, and the page the form is on."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from adapters.web.activity_form.fields import (
    DELIVERY_OPTIONS,
    FEE_OPTIONS,
    FORMAT_OPTIONS,
    MEASUREMENT_OPTIONS,
    OUTCOME_OPTIONS,
    REGISTRATION_OPTIONS,
    REMS_COMPLIANCE_OPTIONS,
    REMS_TYPE_OPTIONS,
    YES_NO,
)
from adapters.web.activity_form.parsing import instance_rows
from adapters.web.render import render
from domain.activity import ABPMR_FROM, BLUEPRINT_SECTIONS, BOARDS, PRACTICE_AREA_BOARDS


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


def activity_form_page(
    request: Request,
    profile: dict[str, Any],
    form: dict[str, Any],
    errors: dict[str, str],
    *,
    activity: dict[str, Any] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    """The activity form: a new activity's, or one activity's page (`activity` its summary) with its values."""
    return render(
        request,
        "provider/activity_form.html",
        status,
        provider=profile,
        form=form,
        errors=errors,
        activity=activity,
        moc_rows=moc_rows(form, errors, str(form.get("start_date") or "")),
        instance_rows=instance_rows(form),
        rems_types=REMS_TYPE_OPTIONS,
        rems_compliance=REMS_COMPLIANCE_OPTIONS,
        blueprint_sections=BLUEPRINT_SECTIONS,
        formats=FORMAT_OPTIONS,
        deliveries=DELIVERY_OPTIONS,
        outcomes=OUTCOME_OPTIONS,
        measurements=MEASUREMENT_OPTIONS,
        yes_no=YES_NO,
        fees=FEE_OPTIONS,
        registrations=REGISTRATION_OPTIONS,
        **extra,
    )
