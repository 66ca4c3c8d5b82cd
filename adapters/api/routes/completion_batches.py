"""Completion batch files over HTTP: upload (ACCME learner-reports JSON, tab-delimited, Excel) and blank templates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from adapters.api.batch_uploads import UPLOAD, file_answer, upload_batch
from adapters.api.deps import AccessDep, PrincipalDep
from adapters.api.schemas import AccmeIdPath
from adapters.batch.completion_files import template
from adapters.batch.completion_importer import import_completion_file
from adapters.http.batch_files import attachment
from adapters.http.services import CompletionRegistryDep, SettleDep

router = APIRouter(tags=["completion batches"])


@router.post("/api/v1/providers/{accme_id}/completions/batch", **UPLOAD)
async def upload_completion_batch(
    request: Request,
    access: AccessDep,
    read_models: SettleDep,
    completions: CompletionRegistryDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    filename: Annotated[
        str | None, Query(description="the file's name, checked against its content (optional)")
    ] = None,
) -> dict[str, Any]:
    """Imports a completion file (raw body or multipart `file`); valid rows are stored, invalid rows reported with row, field and reason."""
    # FastAPI documents the annotation as the answer's schema; upload_batch writes that answer as JSON bytes.
    return await upload_batch(  # type: ignore[return-value]
        request,
        access,
        read_models,
        completions,
        principal,
        accme_id,
        filename,
        import_completion_file,
        lambda report: report.position is not None,
    )


@router.get("/api/v1/templates/completions.xlsx", **file_answer("xlsx"))
def completion_template_xlsx() -> Response:
    """A blank Excel completion template: the columns and an Instructions sheet."""
    return attachment(template("xlsx"), "xlsx", "completions.xlsx")


@router.get("/api/v1/templates/completions.txt", **file_answer("tab"))
def completion_template_tab() -> Response:
    """The header row of a tab-delimited completion file."""
    return attachment(template("tab"), "tab", "completions.txt")
