"""Activity batch files over HTTP: upload (ACCME JSON, MEMS XML, tab-delimited, Excel), export, blank templates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from adapters.api.deps import PrincipalDep, SystemDep, require_editor, visible_profile
from adapters.api.problems import Problem
from adapters.api.schemas import AccmeIdPath
from adapters.batch import EXTENSIONS, MEDIA_TYPES, excel, tab
from adapters.batch.importer import export_activities, import_activity_file
from adapters.batch.records import BatchFormatError
from adapters.bootstrap import System
from domain.base import Acting, Channel
from services.access import Principal

router = APIRouter(tags=["activity batches"])
MAX_BYTES = 256 * 1024 * 1024
SETTLE_SECONDS = 10.0
ExportFormat = Literal["json", "xml", "tab", "xlsx"]


@router.post("/api/v1/providers/{accme_id}/activities/batch")
async def upload_activity_batch(
    request: Request,
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    filename: Annotated[str | None, Query(description="the file's name, checked against its content (optional)")] = None,
) -> dict[str, Any]:
    """Imports a batch file (raw body or multipart `file`); valid rows are stored, invalid rows reported with row, field and reason."""
    data, name = await _upload(request, filename)
    return await run_in_threadpool(_import, system, principal, accme_id, data, name)


def _import(system: System, principal: Principal, accme_id: str, data: bytes, name: str | None) -> dict[str, Any]:
    require_editor(system, principal, accme_id)
    try:
        report = import_activity_file(system, accme_id, data, name, Acting(principal.actor, Channel.BATCH))
    except BatchFormatError as error:
        raise Problem(422, error.message, error.errors) from None
    body = report.as_dict()
    body["read_models_current"] = _settle(system, changed=any(n for k, n in report.counts.items() if k not in ("unchanged", "rejected")))
    return body


def _settle(system: System, changed: bool) -> bool:
    """Read-your-writes, within reason: a big batch answers after at most SETTLE_SECONDS even if searches lag."""
    if not changed:
        return True
    try:
        system.projections.wait(system.store.head(), timeout=SETTLE_SECONDS)
    except TimeoutError:
        return False
    return True


async def _upload(request: Request, filename: str | None) -> tuple[bytes, str | None]:
    if int(request.headers.get("content-length") or 0) > MAX_BYTES:
        raise Problem(413, f"a batch file may be at most {MAX_BYTES // (1024 * 1024)} MB")
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        try:
            form = await request.form(max_part_size=MAX_BYTES)
        except Exception as error:  # a broken multipart body is the client's, never a 5xx
            raise Problem(422, f"the multipart body cannot be read: {error}", [{"loc": ["body"], "msg": str(error)}]) from None
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Problem(422, "a multipart upload needs the file in a field named `file`", [{"loc": ["body", "file"], "msg": "field required"}])
        return await upload.read(), filename or upload.filename
    return await request.body(), filename or _disposition_name(request.headers.get("content-disposition", ""))


def _disposition_name(header: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value:
            return value.strip('"')
    return None


@router.get("/api/v1/providers/{accme_id}/activities/export")
def export_activity_batch(
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    format: Annotated[ExportFormat, Query(description="json (ACCME JSON), xml (MEMS XML), tab (tab-delimited) or xlsx (Excel template)")] = "json",
) -> Response:
    """The provider's activities as a batch file; uploading it back changes nothing."""
    visible_profile(system, principal, accme_id)
    data = export_activities(system, accme_id, format)
    return _attachment(data, format, f"activities-{accme_id}.{EXTENSIONS[format]}")


@router.get("/api/v1/templates/activities.xlsx")
def activity_template_xlsx() -> Response:
    """A blank Excel activity template: the columns and an Instructions sheet."""
    return _attachment(excel.template(), "xlsx", "activities.xlsx")


@router.get("/api/v1/templates/activities.txt")
def activity_template_tab() -> Response:
    """The header row of a tab-delimited activity file."""
    return _attachment(tab.template(), "tab", "activities.txt")


def _attachment(data: bytes, fmt: str, name: str) -> Response:
    return Response(data, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
