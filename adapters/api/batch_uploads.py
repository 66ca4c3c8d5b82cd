"""What the activity and completion batch routes share: reading an upload (raw body or multipart
`file`), importing it as the provider's batch, waiting for the read models, and file downloads."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any, BinaryIO

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from adapters.api.deps import ProviderAccess
from adapters.api.openapi import COMMAND, documented
from adapters.api.problems import Problem
from adapters.batch import MEDIA_TYPES
from adapters.batch.records import BatchFormatError, Source
from adapters.http.services import Settle
from domain.base import Acting, Channel
from services.access import Principal

SETTLE_SECONDS = 10.0
SPOOL_IN_MEMORY = 1024 * 1024  # an upload past this goes to a temporary file, never held in memory
BINARY = {"type": "string", "format": "binary"}
#: How an upload route is documented: the file as the raw body or as the multipart field `file` (read by
#: `read_upload`, not by FastAPI, so the request body is described here), and what it can answer besides.
UPLOAD: dict[str, Any] = {
    "openapi_extra": {
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": BINARY},
                "multipart/form-data": {
                    "schema": {"type": "object", "required": ["file"], "properties": {"file": BINARY}}
                },
            },
        }
    },
    "responses": {**documented(413), **COMMAND},
}


def file_answer(*formats: str) -> dict[str, Any]:
    """`response_class` and `responses=` of a route that answers with a file in one of these batch formats."""
    content = {
        MEDIA_TYPES[f].split(";")[0]: {"schema": {} if f == "json" else BINARY} for f in formats
    }  # ACCME JSON: accme/
    return {
        "response_class": Response,
        "responses": {200: {"description": "the file, as an attachment", "content": content}},
    }


async def read_upload(request: Request, filename: str | None) -> tuple[BinaryIO, str | None]:
    """The file (spooled to a temporary file) and its name, from a multipart `file` field or the raw
    body (name from the query or Content-Disposition). Its size is limited by `upload_limits` on the
    bytes received; the caller closes the file."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        try:
            form = await request.form(
                max_files=1
            )  # file parts are spooled by Starlette; other fields stay small (1 MB)
        except HTTPException as error:
            if error.status_code == 413:
                raise  # the body passed the limit
            # Starlette answers a malformed multipart body with its own 400; it is the same 422 as below.
            raise Problem(
                422, f"the multipart body cannot be read: {error.detail}", [{"loc": ["body"], "msg": str(error.detail)}]
            ) from None
        except Exception as error:  # noqa: BLE001 - a broken multipart body is the client's, never a 5xx
            raise Problem(
                422, f"the multipart body cannot be read: {error}", [{"loc": ["body"], "msg": str(error)}]
            ) from None
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Problem(
                422,
                "a multipart upload needs the file in a field named `file`",
                [{"loc": ["body", "file"], "msg": "field required"}],
            )
        return upload.file, filename or upload.filename
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 - handed to the caller, who closes it
    try:
        async for chunk in request.stream():
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    # typeshed types SpooledTemporaryFile as IO[bytes], not the BinaryIO it is at run time.
    return spool, filename or _disposition_name(request.headers.get("content-disposition", ""))  # type: ignore[return-value]


async def upload_batch(
    request: Request,
    access: ProviderAccess,
    read_models: Settle,
    registry: Any,
    principal: Principal,
    accme_id: str,
    filename: str | None,
    importer: Callable[..., Any],
    changed: Callable[[Any], bool],
) -> Response:
    """Who may change the provider is decided before a byte of the file is read; then the file is
    spooled, imported in a worker thread, and closed."""
    await run_in_threadpool(access.require_editor, principal, accme_id)
    data, name = await read_upload(request, filename)
    try:
        return await run_in_threadpool(
            import_batch, access, read_models, registry, principal, accme_id, data, name, importer, changed
        )
    finally:
        data.close()


def import_batch(
    access: ProviderAccess,
    read_models: Settle,
    registry: Any,
    principal: Principal,
    accme_id: str,
    data: Source,
    name: str | None,
    importer: Callable[..., Any],
    changed: Callable[[Any], bool],
) -> Response:
    """`importer(registry, accme_id, data, name, by)` as the provider's batch; a file that cannot be read is a
    422. The answer says whether the read models have caught up with what `changed(report)` stored."""
    access.require_editor(principal, accme_id)
    try:
        report = importer(registry, accme_id, data, name, Acting(principal.actor, Channel.BATCH))
    except BatchFormatError as error:
        raise Problem(422, error.message, error.errors) from None
    current = settle(read_models, changed(report))
    # A report of many rows is written from its arrays, not made into a dict a row first.
    return Response(report.as_json(read_models_current=current), media_type="application/json")


def settle(read_models: Settle, changed: bool) -> bool:
    """Read-your-writes, within reason: a big batch answers after at most SETTLE_SECONDS even if searches lag."""
    if not changed:
        return True
    try:
        read_models.to_head(timeout=SETTLE_SECONDS)
    except TimeoutError:
        return False
    return True


def _disposition_name(header: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename" and value:
            return value.strip('"')
    return None
