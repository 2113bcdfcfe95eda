"""What every browser journey does: a browser context per user, the login form, the main menu
(a folding menu on phones, a plain bar on wide screens), and checks of what the user sees."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect

from coordinator.demo.content import DEMO_PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer

PASSWORD = DEMO_PASSWORD
TIMEOUT_MS = 15_000
NAV = "Navigasi utama"
expect.set_options(timeout=TIMEOUT_MS)  # two shared cores: give a slow page time, never a sleep

# Every journey runs on a phone and on a desktop.
SIZES = pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])


def is_phone(device: dict) -> bool:
    return bool(device.get("is_mobile"))


def size_name(device: dict) -> str:
    return "phone" if is_phone(device) else "desktop"


def path_of(page: Page) -> str:
    """The current URL without scheme and host."""
    return re.sub(r"^https?://[^/]+", "", page.url)


# Registered before any page script runs (DevTools protocol, not subject to the CSP): every CSP violation of
# the page is kept where the test reads it.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} ` +
                              `(${e.sourceFile || ''}:${e.lineNumber || 0}) ${e.sample || ''}`);
});
"""


@dataclass
class Watch:
    """Console errors, uncaught exceptions and CSP violations of the pages of one context."""
    errors: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        context.add_init_script(script=WATCH_CSP)
        context.on("page", self._page)
        for page in context.pages:
            self._page(page)

    def _page(self, page: Page) -> None:
        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                self.errors.append(f"console error at {path_of(page)}: {msg.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught exception at {path_of(page)}: {exc}"))

    def assert_clean(self) -> None:
        """The pages worked under the CSP: no console error (Chromium logs every CSP violation as one), no
        uncaught exception."""
        assert not self.errors, "\n".join(self.errors)

    def take(self, page: Page) -> list[str]:
        """What went wrong so far, with the CSP violations of the page now shown; then forget it."""
        out = self.errors + [f"{path_of(page)}: CSP violation: {c}"
                             for c in page.evaluate("() => window.__cspViolations || []")]
        self.errors = []
        return out


def new_context(browser: Browser, server: LiveServer, device: dict, watch: Watch | None = None,
                **extra) -> BrowserContext:
    context = browser.new_context(base_url=server.url, locale="id-ID", timezone_id="Asia/Makassar",
                                  **device, **extra)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    if watch is not None:
        watch.attach(context)
    return context


def login(page: Page, email: str, landing: str) -> None:
    page.goto("/login")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Masuk ke SITISEK")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(re.escape(landing) + r"$"))


def main_nav(page: Page) -> Locator:
    """The main navigation as the user sees it: on a phone the "Menu" is opened first."""
    wide = page.locator("nav.menu-wide")
    if not wide.is_visible():
        menu = page.locator("details.menu-phone")
        if menu.get_attribute("open") is None:
            menu.get_by_text("Menu", exact=True).click()
        expect(menu).to_have_attribute("open", "")
    nav = page.get_by_role("navigation", name=NAV)
    expect(nav).to_have_count(1)  # the hidden copy is not in the accessibility tree
    return nav


def go(page: Page, link: str, heading: str | re.Pattern[str]) -> None:
    """Follow a link of the main navigation and wait for the page's heading."""
    nav = main_nav(page)
    with page.expect_navigation(wait_until="load"):
        nav.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


def click_to(page: Page, target: Locator) -> None:
    """Click a link or a submit button and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        target.click()


def choose(select: Locator, label: re.Pattern[str]) -> None:
    """Pick the one option whose visible text matches (select_option wants the whole label)."""
    option = select.locator("option").filter(has_text=label)
    expect(option).to_have_count(1)
    select.select_option(label=option.inner_text().strip())


def flash(page: Page) -> Locator:
    return page.locator("main > [role=status]")


def assert_fits(page: Page, tables: bool = True) -> None:
    """Nothing wider than the screen: neither the page nor (unless `tables` is false: a wide table on a desktop
    scrolls inside its card by design) a table card scrolls sideways."""
    too_wide = page.evaluate("""(tables) => {
        const out = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth + 1) out.push(`page ${root.scrollWidth}px > ${root.clientWidth}px`);
        for (const el of tables ? document.querySelectorAll('.table-wrap') : []) {
            if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.querySelector('table')?.id || 'table'} ` +
                                                            `${el.scrollWidth}px > ${el.clientWidth}px`);
        }
        return out;
    }""", tables)
    assert too_wide == [], f"{page.url}: {too_wide}"


def shot(page: Page, folder: Path, name: str) -> Path:
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


__all__ = ["DESKTOP", "PHONE", "PASSWORD", "SIZES", "TIMEOUT_MS", "Watch", "assert_fits", "choose", "click_to",
           "flash", "go", "is_phone", "login", "main_nav", "new_context", "path_of", "shot", "size_name"]


def unfold(page: Page, summary_text: str | re.Pattern[str]) -> None:
    """On a phone, long pages fold by section and filters fold behind "Saring" (details.fold): open the one whose
    summary reads `summary_text`, as the user taps it; on a wider screen it is open already."""
    fold = page.locator("details.fold").filter(has=page.locator("summary", has_text=summary_text)).first
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
