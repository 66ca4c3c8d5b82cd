"""Pages from Jinja2 templates (autoescaped), and errors placed beside the field that caused them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError

from adapters.web.activity_form.fields import where
from adapters.web.forms import FLASH_COOKIE
from adapters.web.session import context, remember_anon
from adapters.web.words import STEP_TITLES, in_sentence, words
from domain.errors import DomainError

HERE = Path(__file__).parent
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["money"] = lambda v: "—" if v is None else f"${v:,.0f}"
templates.filters["credits"] = lambda v: f"{float(v):g}"
templates.filters["where"] = where
templates.filters["words"] = words
templates.filters["in_sentence"] = in_sentence
templates.filters["us"] = lambda v: re.sub(r"\b([Ll])icence", r"\1icense", str(v))  # rules' own notes, for US users
templates.globals["step_titles"] = STEP_TITLES


class Problems(dict[str, str]):
    """A page's errors {form field: message}, and the error summary at the top of the page (the GOV.UK
    pattern: "There is a problem", each error a link to its field). The form macros call `at` as they draw
    an invalid field, so the summary names each field by its label and links to its id, in page order,
    on every form; errors no field showed (`_form`, a field the page lacks) are listed without a link."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(errors)
        self.placed: dict[str, tuple[str, str]] = {}  # name -> (element id, label)

    def at(self, name: str, element_id: str, label: str) -> str:
        self.placed.setdefault(name, (element_id, label))
        return ""

    def summary(self) -> list[tuple[str | None, str]]:
        """(link target or None, text) for each error: the form's own first, then the fields as drawn."""
        items: list[tuple[str | None, str]] = [(None, self["_form"])] if self.get("_form") else []
        for name, (element_id, label) in self.placed.items():
            items.append((element_id, f"{label}: {self[name]}"))
        items += [(None, msg) for name, msg in self.items() if name != "_form" and name not in self.placed and msg]
        return items


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    flash = request.cookies.get(FLASH_COOKIE)
    if flash and not values.get("notice"):
        values["notice"] = unquote(flash)
    if isinstance(values.get("errors"), Mapping) and not isinstance(values["errors"], Problems):
        values["errors"] = Problems(values["errors"])
    html = templates.get_template(name).render(context(request, **values))
    response = HTMLResponse(html, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    remember_anon(request, response)
    response.headers.update(PAGE_HEADERS)
    return response


#: Pages load only their own script and style, are never framed by another site, and send no
#: Referer elsewhere (a set-password page's address holds its one-time token).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def field_errors(
    errors: Iterable[Mapping[str, Any]], fields: Mapping[str, str] | None = None, default: str = "_form"
) -> dict[str, str]:
    """{form field: message} from problem-style errors `{loc, msg}`: the deepest part of `loc` that names
    a form field wins (after `fields`, which renames API/ACCME names to the form's), else `default`."""
    fields = fields or {}
    out: dict[str, str] = {}
    for error in errors:
        target = default
        for part in reversed([str(p) for p in error.get("loc", [])]):
            if part in fields:
                target = fields[part]
                break
        msg = friendly(str(error["msg"]))
        out[target] = f"{out[target]}; {msg}" if target in out else msg
    return out


#: Pydantic's words for a malformed value, in a provider's words.
FRIENDLY = {
    "Field required": "this is required",
    "String should have at least 1 character": "this is required",
    "Input should be a valid date": "enter a date as YYYY-MM-DD",
    "Input should be a valid number": "enter a number",
    "Input should be a valid integer": "enter a whole number",
    "Input should be a valid string": "this is required",
    "Input should be a valid boolean": "choose yes or no",
    "value is not a valid email address": "enter an email address, like name@example.org",
}
#: The same for the phrasings that carry a figure or a list, in order.
FRIENDLY_PATTERNS = [
    (re.compile(r"^String should have at least (\d+) characters?"), r"enter at least \1 characters"),
    (re.compile(r"^String should have at most (\d+) characters?"), r"enter at most \1 characters"),
    (re.compile(r"^String should match pattern"), "this is not in the expected form"),
    (re.compile(r"^Input should be greater than or equal to (\S+)"), r"enter \1 or more"),
    (re.compile(r"^Input should be greater than (\S+)"), r"enter more than \1"),
    (re.compile(r"^Input should be less than or equal to (\S+)"), r"enter \1 or less"),
    (re.compile(r"^Input should be less than (\S+)"), r"enter less than \1"),
    (re.compile(r"^Input should be (('[^']*'(, | or )?)+)$"), r"choose \1"),
    (re.compile(r"^(?:Input|String|Value) should .*"), "this value cannot be used here"),
    (re.compile(r".*; got ''$"), "this is required"),  # a format's message about an empty value
]


def friendly(msg: str) -> str:
    msg = msg.removeprefix("Value error, ")
    for prefix, plain in FRIENDLY.items():
        if msg.startswith(prefix):
            return plain
    for pattern, plain in FRIENDLY_PATTERNS:
        if pattern.match(msg):
            return pattern.sub(plain, msg, count=1)
    # PARS's pages are for US users: "license", as the ACCME writes it.
    return re.sub(r"\b([Ll])icence", r"\1icense", msg)


def loc_errors(error: DomainError) -> list[dict[str, Any]]:
    return [{"loc": list(loc), "msg": msg} for loc, msg in error.problems()]


def pydantic_errors(error: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": [str(p) for p in e["loc"]], "msg": e["msg"].removeprefix("Value error, ")} for e in error.errors()]
