"""The coordinator imports a whole 141-desa snapshot, the kecamatan table and 18 desa tables in one ZIP, through
the upload form of a real browser: the upload runs in the background with its progress shown, the preview
replaces the form without a page load, and one confirmation saves one snapshot."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, LiveServer
from tests.e2e.helpers import Watch, click_to, flash, login, new_context, shot
from tests.paths import DATA

pytestmark = pytest.mark.e2e

# Recorded in the page: whether the progress box was shown, and that the page was never reloaded.
WATCH_PROGRESS = """() => {
    window.__samePage = true;
    window.__progressShown = false;
    const box = document.getElementById('upload-progress');
    new MutationObserver(() => { if (!box.hidden) window.__progressShown = true; })
        .observe(box, {attributes: true, attributeFilter: ['hidden']});
}"""


def test_coordinator_uploads_a_whole_snapshot_as_one_zip(live_server: LiveServer, chromium_browser: Browser,
                                                          artifacts_dir: Path) -> None:
    watch = Watch()
    context = new_context(chromium_browser, live_server, DESKTOP, watch=watch)
    try:
        page = context.new_page()
        login(page, "koordinator@example.org", "/monitor")
        page.goto("/ats/import")
        expect(page.get_by_role("heading", level=1)).to_have_text("Impor data ATS")
        page.get_by_label("Keadaan per").fill("2025-04-10")
        page.get_by_label("Berkas tabel ATS (XLSX, CSV atau ZIP)").set_input_files(
            str(DATA / "ats_snapshot_141_desa.zip"))
        page.evaluate(WATCH_PROGRESS)
        page.get_by_role("button", name="Pratinjau").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Pratinjau impor ATS")
        expect(page.locator("main")).to_contain_text("19 tabel, disimpan bersama sebagai satu snapshot")
        assert page.evaluate("() => window.__samePage && window.__progressShown") is True
        page.locator("#ats-tables summary").click()
        expect(page.locator("#ats-tables")).to_contain_text("tabel desa Kec. Sangatta Utara")
        shot(page, artifacts_dir, "desktop-ats-upload-preview.png")

        click_to(page, page.get_by_role("button", name="Simpan snapshot"))
        expect(flash(page)).to_contain_text("Snapshot ATS per 10/04/2025 disimpan.")
        watch.assert_clean()
    finally:
        context.close()
