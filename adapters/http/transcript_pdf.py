"""A transcript as the PDF answer: the ACCME transcript PDF route's and the CME Passport page's."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from fastapi import Response

from adapters.formats.transcript_pdf import render_transcript_pdf
from services.transcripts import Transcript


def pdf_response(t: Transcript, verify_url: str | None = None) -> Response:
    """The PDF to hand to a licensing board: physician, completions, totals by credit type, and a QR code of
    `verify_url` (the transcript's verification) when given."""
    pdf = render_transcript_pdf(t.learner, t.rows, t.totals, t.start, t.end, verify_url=verify_url)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition(f"transcript-{t.learner['last_name']}.pdf")},
    )


def disposition(name: str) -> str:
    """`inline` with the file's name kept whole (RFC 6266 `filename*`, UTF-8: "García-López" stays so) and a
    plain-ASCII `filename` for old clients ("Garcia-Lopez", accents dropped, never the letters)."""
    name = re.sub(r"[\s/\\\"]+", "-", name.strip())
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or "transcript.pdf"
    return f"inline; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"
