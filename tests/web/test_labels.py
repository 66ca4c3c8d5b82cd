"""Every form control on every page has a label (or is hidden), and every page has one h1 and a main landmark."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.activities.helpers import ACCME_ID
from tests.completions.helpers import TODAY, setup
from tests.web.helpers import activate, invite, last_link, sign_in


class Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labels: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.h1 = 0
        self.main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append((tag, a))
        elif tag == "h1":
            self.h1 += 1
        elif tag == "main":
            self.main += 1


def unlabelled(html: str) -> list[str]:
    page = Controls()
    page.feed(html)
    assert page.h1 == 1 and page.main == 1
    return [
        f"{tag} {a.get('name')}"
        for tag, a in page.controls
        if a.get("id") not in page.labels and not a.get("aria-label")
    ]


def test_every_control_has_a_label(pages, web_system, mail_dir: Path):  # type: ignore[no-untyped-def]
    ids = setup(web_system, running=True)
    web_system.annual.today = lambda: TODAY
    anonymous = ["/sign-in", "/forgot-password", "/passport/catalog"]
    invite(web_system, "new@cme.org", "provider", provider=ACCME_ID)
    anonymous.append(last_link(mail_dir, "new@cme.org"))
    for path in anonymous:
        assert unlabelled(pages.get(path).text) == [], path
    activate(web_system, mail_dir, "ann@cme.org", "provider", provider=ACCME_ID)
    sign_in(pages, "ann@cme.org")
    p = f"/provider/{ACCME_ID}"
    for path in (
        p,
        f"{p}/contacts",
        f"{p}/activities",
        f"{p}/activities/new",
        f"{p}/activities/{ids['activity']}",
        f"{p}/uploads",
        f"{p}/completions/new",
        f"{p}/year/2025",
        f"{p}/history",
        f"{p}/users",
        "/profile",
    ):
        answer = pages.get(path)
        assert answer.status_code == 200 and unlabelled(answer.text) == [], path
    pages.cookies.clear()
    activate(web_system, mail_dir, "ada@accme.org")
    sign_in(pages, "ada@accme.org")
    for path in (
        "/accreditor",
        f"/accreditor/providers/{ACCME_ID}",
        "/accreditor/year-end?year=2025",
        "/accreditor/users",
    ):
        answer = pages.get(path)
        assert answer.status_code == 200 and unlabelled(answer.text) == [], path
    pages.cookies.clear()
    activate(web_system, mail_dir, "ana@doc.org", "learner", learner=ids["ana"])
    sign_in(pages, "ana@doc.org")
    assert unlabelled(pages.get("/passport").text) == []
