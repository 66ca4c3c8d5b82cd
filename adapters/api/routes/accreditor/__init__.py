"""The accreditor's routes (accreditor or auditor tokens only), one module per report: the year-end table with its
reminders, deadlines and data report (`year_end`), the REMS report (`rems`), the MIPS report (`mips`) and the
research extract (`research`); `answers` holds what they share."""

from __future__ import annotations

from fastapi import APIRouter

from adapters.api.routes.accreditor import mips, rems, research, year_end

router = APIRouter()
for part in (year_end, rems, mips, research):
    router.include_router(part.router)
