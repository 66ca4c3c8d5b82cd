"""Batch uploads of activity and completion files, with progress the page's script polls."""

from __future__ import annotations

from typing import Any, BinaryIO

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from adapters.batch.completion_importer import import_completion_file
from adapters.batch.importer import import_activity_file
from adapters.batch.records import BatchFormatError
from adapters.http.services import AccmeActivitiesDep, CompletionRegistryDep, Settle, SettleDep
from adapters.web.forms import settle_to_head
from adapters.web.render import render
from adapters.web.routes.provider import editable
from adapters.web.session import UserDep, WebUser
from adapters.web.upload_progress import PROGRESS
from domain.base import Acting, Channel
from domain.errors import DomainError, InvalidValueError

router = APIRouter()


@router.get("/provider/{accme_id}/uploads")
def uploads(request: Request, user: UserDep, accme_id: str) -> Response:
    profile = editable(request, user, accme_id)
    return render(request, "provider/uploads.html", provider=profile, report=None, kind=None, errors={})


async def _file(request: Request) -> tuple[BinaryIO, str | None]:
    """The uploaded file as Starlette spooled it to a temporary file (its size limited by `upload_limits`)."""
    form = await request.form(max_files=1)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidValueError("choose a file to upload", loc=("form", "file"))
    return upload.file, upload.filename


def _upload_answer(
    request: Request,
    profile: dict[str, Any],
    kind: str,
    report: dict[str, Any] | None,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    # The page's script asks for the result table alone; without it the whole page comes back.
    name = (
        "provider/upload_result.html" if request.headers.get("x-requested-with") == "pars" else "provider/uploads.html"
    )
    return render(request, name, status, provider=profile, report=report, kind=kind, errors=errors)


@router.post("/provider/{accme_id}/uploads/activities")
async def upload_activities(
    request: Request, read_models: SettleDep, activities: AccmeActivitiesDep, user: UserDep, accme_id: str
) -> Response:
    return await _upload(request, read_models, user, accme_id, "activities", import_activity_file, activities)


@router.post("/provider/{accme_id}/uploads/completions")
async def upload_completions(
    request: Request, read_models: SettleDep, completions: CompletionRegistryDep, user: UserDep, accme_id: str
) -> Response:
    return await _upload(request, read_models, user, accme_id, "completions", import_completion_file, completions)


async def _upload(
    request: Request, read_models: Settle, user: WebUser, accme_id: str, kind: str, importer: Any, registry: Any
) -> Response:
    """A batch file through the same importer as the API's batch route, with progress the page's script polls."""
    profile = editable(request, user, accme_id)
    upload_id = request.headers.get("x-upload-id")
    data = None
    try:
        data, name = await _file(request)
        progress = PROGRESS.reporter(user.account_id, upload_id)
        report = await run_in_threadpool(
            importer, registry, accme_id, data, name, Acting(user.principal.actor, Channel.BATCH), progress
        )
    except (DomainError, BatchFormatError) as bad:
        return _upload_answer(request, profile, kind, None, {f"{kind}_file": bad.message}, 422)
    finally:
        PROGRESS.finish(user.account_id, upload_id)
        if data is not None:
            data.close()
    settle_to_head(read_models)
    return _upload_answer(request, profile, kind, report.as_dict(), {})


@router.get("/provider/{accme_id}/uploads/progress/{upload_id}")
def upload_progress(request: Request, user: UserDep, accme_id: str, upload_id: str) -> Response:
    """Rows stored so far of this user's upload, for the page's progress bar."""
    editable(request, user, accme_id)
    return JSONResponse(PROGRESS.read(user.account_id, upload_id) or {"done": 0, "total": 0, "finished": False})
