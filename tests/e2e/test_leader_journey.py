"""A leader (pimpinan) reads the plan and downloads the monthly report, on a phone and at a desk.

Through the real server and Debian's Chromium (see conftest.py), on the seeded demo. First the coordinator, at a
desk, closes October 2026 and makes the regency report (the demo has no closed month), through the report pages.
Then the leader: the deadline monitor as home, "Laporan bulanan" with only closed months, the month's page with the
archived PDF, downloaded (a real PDF: header, size, and pypdf reads as many pages as the page says), the ATS
overview, and no edit, report or import button anywhere; an edit URL typed by hand is refused.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import DESKTOP, LiveServer
from tests.e2e.helpers import (
    SIZES,
    Watch,
    assert_fits,
    click_to,
    flash,
    go,
    is_phone,
    login,
    main_nav,
    new_context,
    shot,
    size_name,
    unfold,
)

pytestmark = pytest.mark.e2e

MONTH, PERIOD, NUMBER = "Oktober 2026", "2026-10", "RAD-ATS/2026/10/KAB"
EDIT_WORDS = re.compile(r"^(Ubah|Tambah|Hapus|Impor|Catat|Tetapkan|Lapor|Tandai|Tutup|Buat|Kirim|Pratinjau)",
                        re.IGNORECASE)


@pytest.fixture(scope="module")
def october_report(live_server: LiveServer, chromium_browser: Browser) -> str:
    """The coordinator closes October 2026 and archives its regency report, through the pages (once)."""
    context = new_context(chromium_browser, live_server, DESKTOP)
    try:
        page = context.new_page()
        login(page, "koordinator@example.org", "/monitor")
        go(page, "Laporan bulanan", "Laporan bulanan untuk pimpinan")
        click_to(page, page.locator(f"#report-months tr[data-period='{PERIOD}']").get_by_role("link", name=MONTH))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Laporan bulan {MONTH}")
        close = page.get_by_role("link", name="Tutup bulan…")
        if close.count():
            click_to(page, close)
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Tutup bulan {MONTH}")
            click_to(page, page.get_by_role("button", name="Tutup bulan", exact=True))
            expect(flash(page)).to_contain_text(f"Bulan {MONTH} ditutup.")
        expect(page.locator("#month-state")).to_contain_text("ditutup")
        if not page.locator("#report-archive").count():
            expect(page.get_by_label("Cakupan")).to_have_value("kabupaten")
            with page.expect_navigation(wait_until="load", timeout=60_000):  # WeasyPrint takes a few seconds
                page.get_by_role("button", name="Buat dan arsipkan PDF").click()
            expect(flash(page)).to_contain_text(f"Laporan {NUMBER} dibuat dan diarsipkan")
        row = page.locator("#report-archive tbody tr").filter(has_text=NUMBER).first
        expect(row).to_be_visible()
        return row.locator("td").nth(4).inner_text().strip()  # the number of pages
    finally:
        context.close()


def _no_edit_controls(page: Page) -> None:
    """No button or button-like link that changes anything (the logout button aside)."""
    main = page.get_by_role("main")
    for control in main.get_by_role("button").all() + main.locator("a.button").all():
        label = control.inner_text().strip()
        assert not EDIT_WORDS.match(label), f"{page.url}: a leader sees {label!r}"
    assert main.locator("form[method=post]").count() == 0, f"{page.url}: a form that posts"


@SIZES
def test_leader_reads_and_downloads_the_monthly_report(live_server: LiveServer, chromium_browser: Browser,
                                                       artifacts_dir: Path, october_report: str,
                                                       device: dict) -> None:
    size = size_name(device)
    pages = int(october_report)
    watch = Watch()
    context = new_context(chromium_browser, live_server, device, watch=watch, accept_downloads=True)
    try:
        page = context.new_page()
        login(page, "pimpinan@example.org", "/ringkasan")

        # 1. Home: the summary answers "are we on track, what came of it, what needs a decision" ----------
        expect(page.get_by_role("heading", level=1)).to_contain_text("Ringkasan")
        for question in ("Apakah kita sesuai jalur?", "Apa hasilnya?", "Yang perlu diputuskan"):
            expect(page.get_by_role("heading", name=question)).to_be_visible()
        expect(page.locator("#on-track-verdict")).to_contain_text("jalur")
        expect(page.locator("#decisions li").first).to_contain_text("penanggung jawab:")
        expect(page.locator("#latest-pdf")).to_be_visible()  # October's report, archived above
        assert_fits(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        if is_phone(device):  # the whole summary in three phone screens at most
            assert height <= 3 * device["viewport"]["height"], height
        else:  # one desktop screen, footer included: 775 px at 1280 × 800 (three columns, a decision per line)
            bottom = page.evaluate("document.querySelector('footer').getBoundingClientRect().bottom")
            assert height <= device["viewport"]["height"] and bottom <= device["viewport"]["height"], bottom
        shot(page, artifacts_dir, f"{size}-leader-summary.png")
        # a tap on a kecamatan of the map opens its page
        kecamatan = page.locator("#ats-map svg a").first
        name = kecamatan.locator("title").first.text_content().split(":")[0]
        click_to(page, kecamatan)
        expect(page).to_have_url(re.compile(r"/ats/area/64\.08\.\d\d$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        expect(page.locator("#ats-map svg a").first).to_be_visible()  # its desa, on a map of their own
        assert_fits(page, tables=False)  # the desa table scrolls inside its card on a desktop, by design

        # ... and the deadline monitor, read-only
        go(page, "Pemantauan tenggat", "Pemantauan tenggat")
        unfold(page, "Per instansi")
        expect(page.locator("#agency-table tbody tr").first).to_be_visible()
        nav = main_nav(page)
        expect(nav.get_by_role("link", name="Laporan bulanan")).to_be_visible()
        for hidden in ("Pengguna", "Aksi saya", "Token API", "Daftar referensi"):
            expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
        _no_edit_controls(page)
        assert_fits(page)

        # 2. The monthly reports: only the closed months -------------------------------------------------
        go(page, "Laporan bulanan", "Laporan bulanan untuk pimpinan")
        months = page.locator("#report-months tbody tr")
        expect(months).to_have_count(1)
        expect(months.first).to_have_attribute("data-period", PERIOD)
        expect(months.first.locator("[data-col=state]")).to_have_text("ditutup")
        expect(page.get_by_role("link", name="Pengaturan laporan")).to_have_count(0)
        _no_edit_controls(page)
        assert_fits(page)
        click_to(page, months.first.get_by_role("link", name=MONTH))
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Laporan bulan {MONTH}")
        expect(page.locator("#month-state")).to_contain_text("ditutup")
        _no_edit_controls(page)
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-leader-report-month.png")

        # 3. The PDF: downloaded as the leader does, and really a PDF ------------------------------------
        row = page.locator("#report-archive tbody tr").filter(has_text=NUMBER).first
        with page.expect_download() as info:
            row.get_by_role("link", name="Unduh").click()
        download = info.value
        assert download.failure() is None
        assert download.suggested_filename == f"Laporan-RAD-ATS-{PERIOD}.pdf"
        body = Path(download.path()).read_bytes()
        assert body.startswith(b"%PDF-"), body[:20]
        assert len(body) > 20_000, len(body)
        assert b"%%EOF" in body[-1024:]
        reader = PdfReader(io.BytesIO(body))
        assert len(reader.pages) == pages
        assert "Anak Tidak Sekolah" in reader.pages[0].extract_text()

        # 4. ATS overview: figures, no import -------------------------------------------------------------
        go(page, "Data ATS", "Data ATS (Anak Tidak Sekolah)")
        expect(page.locator("#ats-totals [data-total=total]")).to_have_text(re.compile(r"^\d{1,3}(\.\d{3})*$"))
        expect(page.locator("#ats-kecamatan tbody tr").first).to_be_visible()
        expect(page.get_by_role("link", name="Impor data ATS")).to_have_count(0)
        _no_edit_controls(page)

        # 5. Actions and indicators: read, never edit -----------------------------------------------------
        go(page, "Daftar aksi", "Daftar aksi")
        expect(page.get_by_role("link", name="Tambah aksi")).to_have_count(0)
        first = page.locator("#action-list tbody tr").first.locator("td").first.get_by_role("link")
        click_to(page, first)
        action_path = re.sub(r"^https?://[^/]+", "", page.url)
        expect(page.get_by_role("heading", level=2, name="Tahapan")).to_be_visible()
        for label in ("Ubah aksi", "Tambah tahapan", "Lapor kemajuan"):
            expect(page.get_by_role("link", name=label)).to_have_count(0)
        for label in ("Hapus aksi", "Tandai selesai", "Simpan status"):
            expect(page.get_by_role("button", name=label)).to_have_count(0)
        expect(page.locator("#milestones").get_by_role("link", name="Ubah")).to_have_count(0)
        _no_edit_controls(page)
        assert_fits(page)
        assert page.request.get(f"{action_path}/edit").status == 403  # typed by hand: refused

        go(page, "Indikator", "Indikator")
        expect(page.get_by_role("link", name="Tambah indikator")).to_have_count(0)
        click_to(page, page.locator("#indicator-list tbody tr").first.locator("td").nth(1).get_by_role("link"))
        expect(page.locator("figure.chart svg")).to_be_visible()
        for label in ("Catat nilai", "Tetapkan target", "Ubah indikator"):
            expect(page.get_by_role("link", name=label)).to_have_count(0)
        _no_edit_controls(page)
        watch.assert_clean()
    finally:
        context.close()
