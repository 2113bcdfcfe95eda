"""Pages made for the phone (issue 23), measured at 390 × 844 and printed: the monitor folds by section (at most
5 screens), the action list's first card shows without scrolling (filters behind "Saring"), the children list of
25 fits 4 screens, the progress form 4; lists are cards of a few lines and what is tapped is at least 44 px."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import PHONE, LiveServer
from tests.e2e.helpers import Watch, assert_fits, login, new_context, shot

SCREEN = PHONE["viewport"]["height"]


def _height(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


def _report(name: str, height: int) -> None:
    print(f"[phone 390×844] {name}: {height} px = {height / SCREEN:.1f} screens")


def test_the_busiest_pages_fit_a_phone(live_server: LiveServer, chromium_browser: Browser,
                                        artifacts_dir: Path) -> None:
    watch = Watch()
    context = new_context(chromium_browser, live_server, PHONE, watch=watch)
    try:
        page = context.new_page()
        login(page, "koordinator@example.org", "/monitor")
        height = _height(page)
        _report("deadline monitor", height)
        assert height <= 5 * SCREEN
        assert_fits(page)
        # A card leads to its section, which opens; the section's rows are cards of a few lines.
        page.locator("#late-milestones").click()
        late = page.locator("details:has(#terlambat) table tbody tr").first
        expect(late).to_be_visible()
        assert late.bounding_box()["height"] <= 130
        for summary in page.locator("details.fold > summary").all():
            assert summary.bounding_box()["height"] >= 44
        shot(page, artifacts_dir, "phone-monitor.png")

        page.goto("/actions")
        first = page.locator("#action-list tbody tr").first
        expect(first).to_be_visible()
        box = first.bounding_box()
        _report("action list, bottom of the first card", int(box["y"] + box["height"]))
        assert box["y"] + box["height"] <= SCREEN
        assert box["height"] <= 150  # what and when, status: a few lines
        assert first.locator("td a").first.bounding_box()["height"] >= 44
        filters = page.locator("details.filters-fold")
        expect(filters.locator("select#status")).to_be_hidden()
        filters.locator("summary").click()
        expect(filters.locator("select#status")).to_be_visible()
        assert_fits(page)

        page.goto("/verval/anak")
        rows = page.locator("#child-list tbody tr")
        expect(rows).to_have_count(25)
        height = _height(page)
        _report("children list, 25 per page", height)
        assert height <= 4 * SCREEN
        assert_fits(page)
        shot(page, artifacts_dir, "phone-children.png")
        watch.assert_clean()
    finally:
        context.close()

    focal = new_context(chromium_browser, live_server, PHONE, watch=watch)
    try:
        page = focal.new_page()
        login(page, "dinsos@example.org", "/actions/mine")
        page.get_by_role("link", name="Lapor kemajuan").first.click()
        page.wait_for_load_state("load")
        height = _height(page)
        _report("progress form", height)
        assert height <= 4 * SCREEN
        assert page.get_by_role("button", name="Kirim laporan").bounding_box()["height"] >= 44
        assert_fits(page)
        watch.assert_clean()
    finally:
        focal.close()
