"""The coordinator splits an action's budget between its funding sources, on a phone and at a desk.

On the seeded demo, "Seragam dan perlengkapan sekolah gratis" is funded by APBD Kabupaten and Baznas: the edit form
shows both ticked with their amounts; an amount in words is refused beside its row and nothing changes; moving
Rp 1.000.000 from one source to the other is saved, shown on the action page and in its history; the action list
filtered to Baznas holds the action.
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
    login,
    new_context,
    shot,
    size_name,
    unfold,
)

pytestmark = pytest.mark.e2e

TITLE = "Seragam dan perlengkapan sekolah gratis"


def _rupiah(text: str) -> int:
    return int(text.replace(".", "").strip())


def _dotted(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@SIZES
def test_coordinator_splits_a_budget_between_funding_sources(live_server: LiveServer, chromium_browser: Browser,
                                                             artifacts_dir: Path, device: dict) -> None:
    size = size_name(device)
    watch = Watch()
    context = new_context(chromium_browser, live_server, device, watch=watch)
    try:
        page = context.new_page()
        login(page, "koordinator@example.org", "/monitor")
        go(page, "Daftar aksi", "Daftar aksi")
        unfold(page, "Saring")
        page.get_by_label("Sumber dana").select_option(label="Baznas/zakat")
        click_to(page, page.get_by_role("button", name="Terapkan"))
        row = page.locator("#action-list tbody tr").filter(has_text=TITLE)
        expect(row).to_have_count(1)
        click_to(page, row.get_by_role("link").first)
        expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
        click_to(page, page.get_by_role("link", name="Ubah aksi"))

        # Both sources ticked, with amounts that add up to the budget
        apbd, baznas = page.locator('input[name="fundings-APBD-amount"]'), page.locator(
            'input[name="fundings-BAZNAS-amount"]')
        expect(page.locator('input[name="fundings-APBD-on"]')).to_be_checked()
        expect(page.locator('input[name="fundings-BAZNAS-on"]')).to_be_checked()
        before = (_rupiah(apbd.input_value()), _rupiah(baznas.input_value()))
        budget = _rupiah(page.get_by_label("Anggaran (Rp)").input_value())
        assert sum(before) == budget
        assert_fits(page)
        assert_accessible(page)

        # An amount in words: refused beside its row, nothing saved
        baznas.fill("dua juta")
        click_to(page, page.get_by_role("button", name="Simpan"))
        error = page.locator("#fundings-BAZNAS-amount-err")
        expect(error).to_contain_text("Tulis jumlah rupiah, mis. 1.250.000 atau 600 juta")
        expect(baznas).to_have_attribute("aria-invalid", "true")
        expect(baznas).to_have_value("dua juta")
        shot(page, artifacts_dir, f"funding-error-{size}.png")

        # Rp 1.000.000 moved from APBD to Baznas: saved and shown
        after = (before[0] - 1_000_000, before[1] + 1_000_000)
        apbd.fill(_dotted(after[0]))
        baznas.fill(_dotted(after[1]))
        click_to(page, page.get_by_role("button", name="Simpan"))
        expect(flash(page)).to_contain_text("Aksi disimpan")
        details = page.locator("dl.kv").first
        expect(details).to_contain_text(f"APBD Kabupaten: Rp {_dotted(after[0])}")
        expect(details).to_contain_text(f"Baznas/zakat: Rp {_dotted(after[1])}")
        expect(details).to_contain_text(f"Rp {_dotted(budget)}")
        history = page.locator("section").filter(has=page.get_by_role("heading", name="Riwayat perubahan"))
        expect(history).to_contain_text(re.compile(rf"Rp {_dotted(before[1])}\s*Rp {_dotted(after[1])}"))
        assert_fits(page)
        shot(page, artifacts_dir, f"funding-saved-{size}.png")
        assert watch.errors == []
    finally:
        context.close()


@SIZES
def test_coordinator_checks_what_a_kutim_matrix_says_before_saving(live_server: LiveServer, chromium_browser: Browser,
                                                                 artifacts_dir: Path, tmp_path: Path,
                                                                 device: dict) -> None:
    """The preview of the agencies' matrix on the demo: the plan's fields to check and correct (the title rows of
    the file do not change a plan that exists; the preview says where they differ); a funding name the list does
    not know, offered for mapping. Cancelled: nothing saved."""
    from openpyxl import load_workbook
    from sqlalchemy import select

    from coordinator.extensions import db
    from coordinator.models import Plan
    from tests.paths import DATA

    wb = load_workbook(DATA / "rad_kutim_dinas.xlsx")
    wb.active["J9"] = "Dana Aspirasi DPRD"
    path = tmp_path / "rad-kutim.xlsx"
    wb.save(path)
    size = size_name(device)
    watch = Watch()
    context = new_context(chromium_browser, live_server, device, watch=watch)
    try:
        page = context.new_page()
        login(page, "koordinator@example.org", "/monitor")
        page.goto("/plan/import")
        page.get_by_label(re.compile("Berkas matriks RAD")).set_input_files(str(path))
        click_to(page, page.get_by_role("button", name=re.compile("Pratinjau|Unggah")))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pratinjau impor matriks RAD")
        # The demo has a plan: the title rows do not change it, the preview says where the title differs
        with live_server.app.app_context():
            plan = db.session.scalar(select(Plan))
            start, end = plan.start_year, plan.end_year
            db.session.remove()
        expect(page.get_by_label("Tahun awal")).to_have_value(str(start))
        expect(page.get_by_label("Tahun akhir")).to_have_value(str(end))
        if (start, end) != (2026, 2028):
            expect(page.get_by_text("Judul matriks menyebut Tahun awal 2026").first).to_be_visible()
        mapping = page.get_by_label("Petakan ke Dana Aspirasi DPRD")
        expect(mapping).to_be_visible()
        expect(mapping.locator("option")).to_contain_text(["— pilih —", "Tambahkan ke daftar sumber dana", "Hibah"])
        assert_fits(page, tables=size == "phone")
        assert_accessible(page)
        shot(page, artifacts_dir, f"rad-preview-kutim-{size}.png")
        click_to(page, page.get_by_role("link", name="Batal"))
        assert watch.errors == []
    finally:
        context.close()
