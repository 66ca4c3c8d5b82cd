"""A batch file answered as a download (templates, the API's activity export, the activity list's search
downloaded by the pages): the format's media type and the file name the browser saves it under."""

from __future__ import annotations

from fastapi.responses import Response

from adapters.batch import MEDIA_TYPES


def attachment(data: bytes, fmt: str, name: str) -> Response:
    return Response(
        data, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
