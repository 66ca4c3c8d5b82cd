"""Activity batch files over HTTP: upload (ACCME JSON, MEMS XML, tab-delimited, Excel), export, blank templates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from adapters.api.batch_uploads import UPLOAD, file_answer, upload_batch
from adapters.api.deps import AccessDep, PrincipalDep
from adapters.api.schemas import AccmeIdPath
from adapters.batch import EXTENSIONS, excel, tab
from adapters.batch.importer import export_activities, import_activity_file
from adapters.http.batch_files import attachment
from adapters.http.services import AccmeActivitiesDep, SettleDep

router = APIRouter(tags=["activity batches"])
ExportFormat = Literal["json", "xml", "tab", "xlsx"]


@router.post("/api/v1/providers/{accme_id}/activities/batch", **UPLOAD)
async def upload_activity_batch(
    request: Request,
    access: AccessDep,
    read_models: SettleDep,
    activities: AccmeActivitiesDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    filename: Annotated[
        str | None, Query(description="the file's name, checked against its content (optional)")
    ] = None,
) -> dict[str, Any]:
    """Imports a batch file (raw body or multipart `file`); valid rows are stored, invalid rows reported with row, field and reason."""
    # FastAPI documents the annotation as the answer's schema; upload_batch writes that answer as JSON bytes.
    return await upload_batch(  # type: ignore[return-value]
        request,
        access,
        read_models,
        activities,
        principal,
        accme_id,
        filename,
        import_activity_file,
        lambda report: any(n for k, n in report.counts.items() if k not in ("unchanged", "rejected")),
    )


@router.get("/api/v1/providers/{accme_id}/activities/export", **file_answer("json", "xml", "tab", "xlsx"))
def export_activity_batch(
    activities: AccmeActivitiesDep,
    access: AccessDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    format: Annotated[
        ExportFormat,
        Query(description="json (ACCME JSON), xml (MEMS XML), tab (tab-delimited) or xlsx (Excel template)"),
    ] = "json",
) -> Response:
    """The provider's activities as a batch file; uploading it back changes nothing."""
    access.visible(principal, accme_id)
    data = export_activities(activities, accme_id, format)
    return attachment(data, format, f"activities-{accme_id}.{EXTENSIONS[format]}")


@router.get("/api/v1/templates/activities.xlsx", **file_answer("xlsx"))
def activity_template_xlsx() -> Response:
    """A blank Excel activity template: the columns and an Instructions sheet."""
    return attachment(excel.template(), "xlsx", "activities.xlsx")


@router.get("/api/v1/templates/activities.txt", **file_answer("tab"))
def activity_template_tab() -> Response:
    """The header row of a tab-delimited activity file."""
    return attachment(tab.template(), "tab", "activities.txt")
