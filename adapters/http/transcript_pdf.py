"""A transcript as the PDF answer: the ACCME transcript PDF route's and the CME Passport page's."""

from __future__ import annotations

from fastapi import Response

from adapters.formats.transcript_pdf import render_transcript_pdf
from services.transcripts import Transcript


def pdf_response(t: Transcript) -> Response:
    """The PDF to hand to a licensing board: physician, completions, totals by credit type."""
    pdf = render_transcript_pdf(t.learner, t.rows, t.totals, t.start, t.end)
    name = f"transcript-{t.learner['last_name']}".encode("ascii", "ignore").decode() or "transcript"
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}.pdf"'}
    )
