"""Issue 20's page improvements in headless Chromium, at a desk's width (1366 px) and a phone's (390 px).

One server for the module: the `site` and `browser` fixtures of tests/web/test_browser.py, imported here so
pytest starts them once for this module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.test_browser import Site, browser, site  # noqa: F401  (module fixtures)

pytestmark = pytest.mark.browser
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _context(browser: Any, site: Site, viewport: dict[str, int], **options: Any) -> Any:  # noqa: F811
    context = browser.new_context(base_url=site.url, viewport=viewport, **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def offline(browser: Any, site: Site) -> Iterator[Any]:  # noqa: F811
    """A tab that reaches PARS and nothing else: any other address is refused, as on a machine with no internet."""
    context = _context(browser, site, DESK)
    outside: list[str] = []

    def only_pars(route: Any) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_pars)
    tab = context.new_page()
    tab.outside = outside
    yield tab
    context.close()


def test_the_api_docs_render_their_operations_with_no_network(offline: Any) -> None:
    failed: list[str] = []
    offline.on("requestfailed", lambda request: failed.append(request.url))
    offline.goto("/docs")
    offline.locator(".opblock").first.wait_for()
    assert offline.locator(".opblock").count() > 20
    assert offline.get_by_text("/api/v1/providers/{accme_id}", exact=True).first.is_visible()
    assert offline.outside == [] and failed == []
