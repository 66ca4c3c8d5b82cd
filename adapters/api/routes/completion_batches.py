"""Completion batch files over HTTP: upload (ACCME learner-reports JSON, tab-delimited, Excel) and blank templates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from adapters.api.deps import PrincipalDep, SystemDep, require_editor
from adapters.api.problems import Problem
from adapters.api.routes.activity_batches import _attachment, _settle, _upload
from adapters.api.schemas import AccmeIdPath
from adapters.batch.completion_files import template
from adapters.batch.completion_importer import import_completion_file
from adapters.batch.records import BatchFormatError
from adapters.bootstrap import System
from domain.base import Acting, Channel
from services.access import Principal

router = APIRouter(tags=["completion batches"])


@router.post("/api/v1/providers/{accme_id}/completions/batch")
async def upload_completion_batch(
    request: Request,
    system: SystemDep,
    principal: PrincipalDep,
    accme_id: AccmeIdPath,
    filename: Annotated[str | None, Query(description="the file's name, checked against its content (optional)")] = None,
) -> dict[str, Any]:
    """Imports a completion file (raw body or multipart `file`); valid rows are stored, invalid rows reported with row, field and reason."""
    data, name = await _upload(request, filename)
    return await run_in_threadpool(_import, system, principal, accme_id, data, name)


def _import(system: System, principal: Principal, accme_id: str, data: bytes, name: str | None) -> dict[str, Any]:
    require_editor(system, principal, accme_id)
    try:
        report = import_completion_file(system, accme_id, data, name, Acting(principal.actor, Channel.BATCH))
    except BatchFormatError as error:
        raise Problem(422, error.message, error.errors) from None
    body = report.as_dict()
    body["read_models_current"] = _settle(system, changed=report.position is not None)
    return body


@router.get("/api/v1/templates/completions.xlsx")
def completion_template_xlsx() -> Response:
    """A blank Excel completion template: the columns and an Instructions sheet."""
    return _attachment(template("xlsx"), "xlsx", "completions.xlsx")


@router.get("/api/v1/templates/completions.txt")
def completion_template_tab() -> Response:
    """The header row of a tab-delimited completion file."""
    return _attachment(template("tab"), "tab", "completions.txt")
