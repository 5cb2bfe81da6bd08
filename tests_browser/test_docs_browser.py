"""An integrator on an intranet opens /docs, signs in with the password flow and calls an
operation: in headless Chromium, with every request to a host other than the service refused."""

import shutil
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, expect, sync_playwright

from kinerja_api.demo.logins import DEMO_PASSWORD

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DEMO_LOGIN = "admin@bungo.demo.kinerja.id"
ME_OPERATION = "#operations-auth-auth-me"
TIMEOUT_MS = 30_000
PROBE_URL = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css"
# The page parses a 1.5 MB script and the whole contract: on a busy machine that takes seconds.
expect.set_options(timeout=TIMEOUT_MS)


def _chromium() -> str:
    path = shutil.which("chromium")
    assert path, "Chromium is missing: `make test-browser` installs it"
    return path


def _sign_in(page: Page) -> None:
    page.locator(".auth-wrapper button.authorize").click()
    flow = page.locator(".auth-container").filter(has_text="(OAuth2, password)")
    flow.locator("#oauth_username").fill(DEMO_LOGIN)
    flow.locator("#oauth_password").fill(DEMO_PASSWORD)
    flow.locator("button.authorize").click()
    expect(flow.locator("button", has_text="Logout")).to_be_visible()
    expect(flow.locator(".errors")).to_have_count(0)
    page.locator(".auth-btn-wrapper button.btn-done").first.click()
    expect(page.locator(".dialog-ux")).to_have_count(0)


def _call_me(page: Page) -> None:
    operation = page.locator(ME_OPERATION)
    operation.locator(".opblock-summary").first.click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    live = operation.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_have_text("200")
    expect(live.locator(".response-col_description")).to_contain_text(DEMO_LOGIN)


def test_docs_sign_in_and_try_it_out_offline(service_url: str, tmp_path: Path) -> None:
    outside: list[str] = []
    page_errors: list[str] = []

    def keep_inside(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium())
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.set_default_timeout(TIMEOUT_MS)
            context.route("**/*", keep_inside)
            page = context.new_page()
            page.on("pageerror", lambda error: page_errors.append(str(error)))

            page.goto(f"{service_url}/docs")
            expect(page.locator(ME_OPERATION)).to_be_visible()
            page.screenshot(path=tmp_path / "docs-loaded.png")
            _sign_in(page)
            _call_me(page)
            page.locator(ME_OPERATION).screenshot(path=tmp_path / "docs-me-200.png")
            reached_outside = list(outside)
            _probe_outside(page)
        finally:
            browser.close()

    assert reached_outside == [], f"the page tried to reach outside the service: {outside}"
    assert outside == [PROBE_URL], "the guard must catch a request to another host"
    assert page_errors == []


def _probe_outside(page: Page) -> None:
    """A request to a CDN from the page, which the guard must record and refuse."""
    refused = page.evaluate("url => fetch(url).then(() => false, () => true)", PROBE_URL)
    assert refused
