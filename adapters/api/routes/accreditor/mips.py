"""The accreditor's MIPS report: the activities of a year registered as MIPS improvement activities across the
providers overseen and their completions by physician, each list a page at a time with the totals (JSON), or every
completion (CSV)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from adapters.api.openapi import documented
from adapters.api.routes.accreditor.answers import JSON_OR_CSV, OversightAskDep
from adapters.http.mips_csv import mips_csv

router = APIRouter(prefix="/api/v1/accreditor", tags=["accreditor"], responses=documented(403))


class MipsActivity(BaseModel):
    accme_id: str
    provider: str
    activity_id: str
    title: str
    format: str | None
    start_date: str
    end_date: str
    credits: float | None = Field(description="AMA PRA Category 1 credits of the activity")
    physician_learners: int
    completions: int = Field(description="completions reported for the activity")


class MipsCompletion(BaseModel):
    accme_id: str
    provider: str
    activity_id: str
    title: str
    completion_date: str
    credits: float


class MipsPhysician(BaseModel):
    learner_id: str
    first_name: str | None
    last_name: str | None
    npi: str | None
    erased: bool = Field(description="the physician's personal data was erased: the completions still count")
    completions: list[MipsCompletion]
    credits: float


class MipsTotals(BaseModel):
    activities: int
    providers: int
    completions: int
    physicians: int
    credits: float


class MipsPublic(BaseModel):
    year: int
    provider: str | None
    activities: list[MipsActivity] = Field(description="a page of the activities (`activities_page`)")
    physicians: list[MipsPhysician] = Field(description="a page of the physicians (`page`), by name")
    totals: MipsTotals = Field(description="over every activity and completion, not the pages alone")
    page: int
    activities_page: int
    page_size: int


@router.get("/mips/{year}", response_model=MipsPublic, responses=JSON_OR_CSV)
def mips(
    asked: OversightAskDep,
    activities_page: Annotated[
        int, Query(ge=1, le=100000, description="the page of the activities (50 a page; the CSV gives every row)")
    ] = 1,
) -> Any:
    """The MIPS report of the year across the providers overseen: each activity registered as a MIPS improvement
    activity that ended in the year, and its completions by physician (so clinicians can be helped to attest)."""
    accreditors, oversight, year, provider = asked.accreditors(), asked.oversight, asked.year, asked.provider
    return asked.answer(
        "mips",
        lambda: oversight.mips(year, accreditors, provider=provider, page=asked.page, activities_page=activities_page),
        lambda: mips_csv(oversight.mips_rows(year, accreditors, provider=provider)),
    )
