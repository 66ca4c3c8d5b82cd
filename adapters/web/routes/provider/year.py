"""The annual report of a provider: checklist, program summary, agreement, contact review, attestation."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from adapters.http.reads import AnnualDep, ReadsDep
from adapters.http.services import SettleDep
from adapters.web.forms import posted, see_other, settle
from adapters.web.render import field_errors, loc_errors, pydantic_errors, render
from adapters.web.routes.provider import STEP_NAMES, editable, readable, year_at_hand
from adapters.web.session import PageNotFound, UserDep, WebUser
from adapters.web.words import SUMMARY_FIELDS
from commands.annual import (
    AcceptAgreement,
    Attest,
    ReviewContacts,
    SubmitProgramSummary,
)
from domain.annual_report import AttestationIncompleteError
from domain.errors import DomainError
from services.annual import AnnualReporting

router = APIRouter()


@router.get("/provider/{accme_id}/year")
def year_default(request: Request, user: UserDep, reads: ReadsDep, accme_id: str) -> Response:
    profile = readable(request, user, accme_id)
    year, why = year_at_hand(reads, profile)
    return see_other(f"/provider/{accme_id}/year/{year}", why)


def _year_page(
    request: Request,
    annual: AnnualReporting,
    user: WebUser,
    profile: dict[str, Any],
    year: int,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
    missing: dict[str, Any] | None = None,
) -> Response:
    try:
        checklist = annual.checklist(profile["accme_id"], year, profile["accreditor"])
        summary = annual.program_summary(profile["accme_id"], year)
    except DomainError:
        raise PageNotFound() from None
    deadline = date.fromisoformat(checklist["deadline"])
    return render(
        request,
        "provider/year.html",
        status,
        provider=profile,
        year=year,
        checklist=checklist,
        summary=summary,
        step_names=STEP_NAMES,
        fields=SUMMARY_FIELDS,
        errors=errors or {},
        form=form or summary,
        missing=missing,
        days=(deadline - annual.today()).days,
        can_edit=user.principal.can_edit_provider(profile["accme_id"]),
    )


@router.get("/provider/{accme_id}/year/{year}")
def year_page(request: Request, annual: AnnualDep, user: UserDep, accme_id: str, year: int) -> Response:
    profile = readable(request, user, accme_id)
    return _year_page(request, annual, user, profile, year)


@router.post("/provider/{accme_id}/year/{year}/{step}")
async def year_step(
    request: Request, read_models: SettleDep, annual: AnnualDep, user: UserDep, accme_id: str, year: int, step: str
) -> Response:
    profile = editable(request, user, accme_id)
    form = await posted(request)
    try:
        if step == "agreement":
            cmd: Any = AcceptAgreement(accme_id=accme_id, year=year)
        elif step == "contacts-reviewed":
            cmd = ReviewContacts(accme_id=accme_id, year=year)
        elif step == "attest":
            if form.get("confirm") != "yes":
                return _year_page(
                    request,
                    annual,
                    user,
                    profile,
                    year,
                    {"confirm": "tick “I attest” to attest the report"},
                    status=422,
                )
            cmd = Attest(accme_id=accme_id, year=year)
        elif step == "program-summary":
            values: dict[str, int | None] = {}
            bad_fields = {}
            for key, label in SUMMARY_FIELDS:
                raw = (form.get(key) or "").replace(",", "").replace("$", "").strip()
                if raw == "":
                    values[key] = None
                elif raw.isdigit():
                    values[key] = int(raw)
                else:
                    bad_fields[key] = f"enter {label.lower()} in whole dollars, e.g. 12500 (0 if none)"
            if bad_fields:
                return _year_page(request, annual, user, profile, year, bad_fields, form, 422)
            cmd = SubmitProgramSummary(accme_id=accme_id, year=year, **values)
        else:
            return render(request, "error.html", 404, heading="Page not found", message="There is no such step.")
        outcome = annual.handle(cmd, user.acting)
    except AttestationIncompleteError as incomplete:
        return _year_page(
            request,
            annual,
            user,
            profile,
            year,
            {"_form": "The report cannot be attested yet: the steps marked below are missing."},
            status=409,
            missing=incomplete.missing,
        )
    except ValidationError as bad:
        return _year_page(
            request,
            annual,
            user,
            profile,
            year,
            field_errors(pydantic_errors(bad), {k: k for k, _ in SUMMARY_FIELDS}),
            form,
            422,
        )
    except DomainError as bad:
        return _year_page(
            request,
            annual,
            user,
            profile,
            year,
            field_errors(loc_errors(bad), {k: k for k, _ in SUMMARY_FIELDS}),
            form,
            409,
        )
    settle(read_models, outcome.position)
    done = {
        "agreement": "The annual agreement is accepted.",
        "contacts-reviewed": "Your contacts are marked as reviewed.",
        "attest": "The annual report is attested.",
        "program-summary": "The program summary is saved.",
    }[step]
    return see_other(f"/provider/{accme_id}/year/{year}", done)
