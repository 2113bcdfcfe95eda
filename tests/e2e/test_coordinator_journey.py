"""The Disdikbud coordinator chases a late milestone, on a phone and at a desk.

Through the real server and Debian's Chromium (see conftest.py), on the seeded demo, using only what the user
sees: the deadline monitor (late actions and milestones), the action list filtered to late actions, the late
action's page, the milestone form (a completion date in the future is refused with the error beside the field,
then the corrected date is saved), the milestone and the change history on the action's page, then the ATS data
(overview and a kecamatan) and an indicator with its chart.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import (
    SIZES,
    Watch,
    assert_fits,
    click_to,
    flash,
    go,
    is_phone,
    login,
    new_context,
    shot,
    size_name,
    unfold,
)

pytestmark = pytest.mark.e2e

COORDINATOR = "Koordinator RAD (Disdikbud)"
TOMORROW, YESTERDAY = "2026-11-28", "2026-11-26"  # the live server's today is 27 November 2026 (WITA)


@SIZES
def test_coordinator_follows_up_a_late_milestone(live_server: LiveServer, chromium_browser: Browser,
                                                 artifacts_dir: Path, device: dict) -> None:
    size = size_name(device)
    watch = Watch()
    context = new_context(chromium_browser, live_server, device, watch=watch)
    try:
        page = context.new_page()
        login(page, "koordinator@example.org", "/monitor")

        # 1. The deadline monitor: how much is late, and which milestone ------------------------------
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pemantauan tenggat")
        late_actions = page.locator("a.stat").filter(has_text="aksi terlambat")
        expect(late_actions).to_be_visible()
        assert int(late_actions.locator("b").inner_text()) > 0
        assert_fits(page)
        late_table = page.locator("details:has(#terlambat) table")
        if not late_table.is_visible():  # a phone: the monitor is folded by section; its card opens the section
            page.locator("#late-milestones").click()
        late_milestone = late_table.locator("tbody tr").filter(has_text="Tahapan:").first
        expect(late_milestone).to_be_visible()
        code = late_milestone.locator("td").first.inner_text().strip()
        item = late_milestone.locator("td").nth(1).inner_text()
        milestone = re.search(r"Tahapan:\s*(.+)", item).group(1).strip()  # type: ignore[union-attr]
        shot(page, artifacts_dir, f"{size}-coordinator-monitor.png")

        # 2. The action list, filtered to late actions ------------------------------------------------
        go(page, "Daftar aksi", "Daftar aksi")
        unfold(page, "Saring")
        page.get_by_label("Status").select_option(label="Terlambat")
        click_to(page, page.get_by_role("button", name="Terapkan"))
        expect(page).to_have_url(re.compile(r"[?&]status=terlambat"))
        expect(page.get_by_label("Status")).to_have_value("terlambat")
        rows = page.locator("#action-list tbody tr")
        expect(rows.first).to_be_visible()
        for row in rows.all():
            expect(row.locator(".badge")).to_contain_text("Terlambat")
        ours = rows.filter(has=page.get_by_role("link", name=code, exact=True))
        expect(ours).to_have_count(1)
        assert_fits(page)

        # 3. The late action, and its late milestone --------------------------------------------------
        click_to(page, ours.get_by_role("link", name=code, exact=True))
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(code)
        expect(heading).to_contain_text("Terlambat")
        ms_row = page.locator("#milestones tbody tr").filter(has_text=milestone).first
        expect(ms_row).to_contain_text("Terlambat")
        click_to(page, ms_row.get_by_role("link", name="Ubah", exact=True))
        expect(page.get_by_role("heading", level=1)).to_have_text("Ubah tahapan")
        expect(page.get_by_label("Tahapan")).to_have_value(milestone)

        # 4. Done, but dated tomorrow by mistake: refused, with the reason beside the field -----------
        page.get_by_label("Status").select_option(label="Selesai")
        page.get_by_label("Tanggal selesai").fill(TOMORROW)
        click_to(page, page.get_by_role("button", name="Simpan"))
        expect(page.get_by_role("alert")).to_contain_text("Periksa kembali isian yang ditandai.")
        done_on = page.get_by_label("Tanggal selesai")
        expect(done_on).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#" + (done_on.get_attribute("aria-describedby") or "missing"))) \
            .to_have_text("Tanggal selesai tidak boleh di masa depan.")
        expect(page.get_by_label("Status")).to_have_value("selesai")  # what was typed is kept
        assert_fits(page)
        assert_accessible(page)
        shot(page, artifacts_dir, f"{size}-coordinator-milestone-error.png")

        # 5. Corrected and saved ----------------------------------------------------------------------
        done_on.fill(YESTERDAY)
        click_to(page, page.get_by_role("button", name="Simpan"))
        expect(page).to_have_url(re.compile(r"/actions/\d+$"))
        expect(flash(page)).to_have_text("Tahapan disimpan.")
        ms_row = page.locator("#milestones tbody tr").filter(has_text=milestone).first
        expect(ms_row).to_contain_text("Selesai")
        expect(ms_row).to_contain_text("26 November 2026")
        expect(ms_row.locator(".badge-terlambat")).to_have_count(0)

        # 6. The change, with who made it, is in the history ------------------------------------------
        history = page.locator("section.history")
        history.scroll_into_view_if_needed()
        expect(history.get_by_role("heading", name="Riwayat perubahan")).to_be_visible()
        entry = history.locator("li").filter(has_text=f"mengubah tahapan {milestone}").first
        expect(entry).to_contain_text(COORDINATOR)
        status_change = entry.locator("table.diff tbody tr").filter(has_text="Status")
        expect(status_change.locator("td").nth(2)).to_have_text("selesai")
        completed = entry.locator("table.diff tbody tr").filter(has_text="Tanggal selesai")
        expect(completed.locator("td").nth(2)).to_have_text("26 November 2026")
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-coordinator-history.png")

        # 7. ATS data: the regency, then one kecamatan ------------------------------------------------
        go(page, "Data ATS", "Data ATS (Anak Tidak Sekolah)")
        total = page.locator("#ats-totals [data-total=total]")
        expect(total).to_have_text(re.compile(r"^\d{1,3}(\.\d{3})*$"))  # Indonesian thousands: 13.411
        expect(page.locator("figure.chart svg").first).to_be_visible()
        expect(page.get_by_role("link", name="Impor data ATS")).to_be_visible()
        kecamatan = page.locator("#ats-kecamatan tbody tr").first.get_by_role("link")
        name = kecamatan.inner_text().strip()
        assert_fits(page, tables=is_phone(device))  # 13 columns: on a desk the table scrolls in its card
        click_to(page, kecamatan)
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        expect(page.locator("figure.chart svg").first).to_be_visible()

        # 8. An indicator, its chart and its periods against target -----------------------------------
        go(page, "Indikator", "Indikator")
        first = page.locator("#indicator-list tbody tr").first
        indicator = first.locator("td").nth(1).get_by_role("link")
        indicator_name = indicator.inner_text().strip()
        click_to(page, indicator)
        expect(page.get_by_role("heading", level=1)).to_contain_text(indicator_name)
        expect(page.locator("figure.chart svg")).to_be_visible()
        expect(page.locator("#indicator-periods tbody tr").first).to_be_visible()
        expect(page.get_by_role("link", name="Catat nilai")).to_be_visible()  # a coordinator records values
        assert_fits(page)
        watch.assert_clean()
    finally:
        context.close()
