"""The CME transcript as a PDF a physician can hand to a licensing board.

A header naming the physician (licences, NPI, board IDs), the period, one table row per
completion (date, provider, activity, its CME credit and each board's MOC points: one row however
many credit IDs it was reported under), the totals by credit type, and on every page the date it
was generated and its page number. Rows and totals are those of `projections/transcripts.py`
(grouped by `transcript_lines`); a row may carry `provider_name` beside its `accme_id`.

The PDF uses the standard Helvetica font, so it needs no font file on the machine; text outside
Latin-1 (which covers the accented names of Western European languages) is transliterated.
"""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from projections.transcripts import transcript_lines

TITLE = "CME Transcript"
SOURCE = "Continuing medical education credit reported by ACCME-accredited providers to PARS (CME Passport)."


STROKED = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Ħ": "H",
    "ħ": "h",
    "ı": "i",
    "Œ": "OE",
    "œ": "oe",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
}


def _latin1(text: Any) -> str:
    """Text the core fonts can draw: Latin-1 kept, other letters stripped of their accents, the rest '?'."""
    out = []
    for ch in str(text or ""):
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = STROKED.get(ch) or "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 128)
        out.append(base or "?")
    return "".join(out)


def _credits(value: float) -> str:
    return f"{value:.2f}"


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{start:%m/%d/%Y} to {end:%m/%d/%Y}"
    if start:
        return f"from {start:%m/%d/%Y}"
    if end:
        return f"through {end:%m/%d/%Y}"
    return "all reported completions"


class _TranscriptPdf(FPDF):
    def __init__(self, generated: str, physician: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.generated = generated
        self.physician = physician
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, _latin1(f"{self.physician} - CME transcript generated {self.generated}"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"page {self.page_no()} of {{nb}}", align="R")


def _verification_qr(pdf: FPDF, url: str) -> None:
    """The QR code of the transcript's verification, top right of the first page, with a line saying so."""
    code = segno.make(url, error="m")
    png = io.BytesIO()
    code.save(png, kind="png", scale=4, border=2)
    size = 32
    x = pdf.w - pdf.r_margin - size
    pdf.image(png, x=x, y=pdf.t_margin - 3, w=size, h=size, link=url)
    pdf.set_xy(x - 2, pdf.t_margin - 3 + size)
    pdf.set_font("Helvetica", size=7)
    pdf.set_text_color(80, 80, 80)
    pdf.cell(size + 4, 4, "Scan to verify this transcript", align="C", link=url)
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, pdf.t_margin)
    pdf.set_right_margin(pdf.r_margin + size + 4)  # the header's text keeps clear of the code


def render_transcript_pdf(
    learner: dict[str, Any],
    rows: list[dict[str, Any]],
    totals: dict[str, float],
    start: date | None,
    end: date | None,
    *,
    generated: datetime | None = None,
    verify_url: str | None = None,
) -> bytes:
    """The transcript as PDF bytes. `learner` is a learner directory doc (first_name, last_name,
    licences [{state, number}], npi, board_ids [{board, id}])."""
    when = (generated or datetime.now(UTC)).strftime("%m/%d/%Y %H:%M UTC")
    name = f"{learner.get('first_name', '')} {learner.get('last_name', '')}".strip()
    pdf = _TranscriptPdf(when, name)
    pdf.set_title(f"{TITLE}: {_latin1(name)}")
    pdf.set_author("PARS")
    pdf.set_creation_date(generated or datetime.now(UTC))
    pdf.add_page()

    if verify_url:
        _verification_qr(pdf, verify_url)
    pdf.set_font("Helvetica", style="B", size=18)
    pdf.cell(0, 9, TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(0, 4.5, SOURCE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)

    licences = ", ".join(f"{lic['state']} {lic['number']}" for lic in learner.get("licences") or []) or "none on record"
    boards = ", ".join(f"{b['board']} {b['id']}" for b in learner.get("board_ids") or []) or "none on record"
    facts = (
        ("Physician", name),
        ("State licences", licences),
        ("NPI", learner.get("npi") or "none on record"),
        ("Certifying boards", boards),
        ("Period", _period(start, end)),
        ("Generated", when),
    )
    for label, value in facts:
        pdf.set_font("Helvetica", style="B", size=10)
        pdf.cell(38, 6, label)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, _latin1(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if verify_url:
        pdf.set_right_margin(15)
        pdf.set_y(max(pdf.get_y(), pdf.t_margin + 33))
    pdf.ln(4)

    lines = transcript_lines(rows)
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, f"Completions ({len(lines)})", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=9)
    if lines:
        heading = FontFace(emphasis="BOLD", fill_color=(225, 230, 238))
        with pdf.table(col_widths=(20, 45, 75, 46), headings_style=heading, line_height=5, text_align="LEFT") as table:
            table.row(["Date", "Provider", "Activity", "Credits"])
            for line in lines:
                provider = line.get("provider_name") or ""
                credits = "\n".join(f"{_credits(c['credits'])} {c['type']}" for c in [*line["cme"], *line["moc"]])
                table.row(
                    [
                        date.fromisoformat(line["completion_date"]).strftime("%m/%d/%Y"),
                        _latin1(
                            f"{provider} (ACCME ID {line['accme_id']})" if provider else f"ACCME ID {line['accme_id']}"
                        ),
                        _latin1(f"{line['activity_title']} (activity {line['activity_id']})"),
                        _latin1(credits),
                    ]
                )
    else:
        pdf.cell(0, 6, "No completions were reported in this period.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(5)

    # The totals stay with their heading: when heading and table do not fit below the completions, both
    # begin the next page (a heading alone at a page's foot, its table overleaf, reads as no totals).
    needed = 7 + 6 * (len(totals) + 1 if totals else 1) + 2
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=12)
    pdf.cell(0, 7, "Totals by credit type", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=10)
    if totals:
        with pdf.table(
            col_widths=(120, 40),
            width=160,
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 230, 238)),
            align="LEFT",
            line_height=6,
        ) as table:
            table.row(["Credit type", "Total"])
            for kind, value in totals.items():
                table.row([_latin1(kind), _credits(value)])
    else:
        pdf.cell(0, 6, "No credit in this period.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
