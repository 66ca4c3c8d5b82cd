"""The accreditor's REMS report: the REMS-registered activities of a year across the providers overseen, a page at
a time, with their participants and the totals (JSON), or every activity (CSV)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from adapters.api.openapi import documented
from adapters.api.routes.accreditor.answers import JSON_OR_CSV, OversightAskDep
from adapters.http.rems_csv import rems_csv

router = APIRouter(prefix="/api/v1/accreditor", tags=["accreditor"], responses=documented(403))


class RemsParticipants(BaseModel):
    reported: int = Field(description="completions reported with the learner's REMS fields")
    by_profession: dict[str, int]
    registered_prescribers: int = Field(
        description="participants with a DEA registration (individual or institutional)"
    )
    by_practice_type: dict[str, int] = Field(
        description="Primary care, Pain specialist, Non-pain specialist, Not stated"
    )
    by_practice_area: dict[str, int]


class RemsActivity(BaseModel):
    accme_id: str
    provider: str
    activity_id: str
    title: str
    format: str | None
    start_date: str
    end_date: str
    rems_type: str | None
    compliance: str | None = Field(
        description="Compliant (REMS-compliant) or Related (REMS-related); null if not stated"
    )
    blueprint_sections: list[str]
    rpc_id: str | None = Field(description="the RPC-assigned ID of an RPC-funded activity")
    physician_learners: int
    other_learners: int
    participants: RemsParticipants


class RemsTotals(BaseModel):
    activities: int
    providers: int
    by_type: dict[str, int]
    by_compliance: dict[str, int]
    rpc_funded: int
    physician_learners: int
    other_learners: int
    blueprint_coverage: dict[str, int] = Field(description="activities covering each FDA Blueprint section")
    participants: RemsParticipants


class RemsPublic(BaseModel):
    year: int
    rems_type: str | None
    activities: list[RemsActivity] = Field(description="a page of the activities (`page`), by provider and activity")
    totals: RemsTotals = Field(description="over every activity the filters take, not the page alone")
    page: int
    page_size: int


@router.get("/rems/{year}", response_model=RemsPublic, responses=JSON_OR_CSV)
def rems(
    asked: OversightAskDep,
    rems_type: Annotated[
        str | None,
        Query(
            alias="type", pattern="^(Opioid Analgesic|Mycophenolate)$", description="Opioid Analgesic or Mycophenolate"
        ),
    ] = None,
) -> Any:
    """The REMS report of the year across the providers overseen: each REMS-registered activity (type, REMS-compliant
    or related, FDA Blueprint sections, RPC-assigned ID, learners; its participants by profession, registered
    prescribers, practice type and area, from the learners' REMS fields) and the totals (activities counted in the
    year they ended)."""
    accreditors, oversight, year, provider = asked.accreditors(), asked.oversight, asked.year, asked.provider
    return asked.answer(
        "rems",
        lambda: oversight.rems(year, accreditors, rems_type=rems_type, provider=provider, page=asked.page),
        lambda: rems_csv(oversight.rems_rows(year, accreditors, rems_type=rems_type, provider=provider)),
    )
