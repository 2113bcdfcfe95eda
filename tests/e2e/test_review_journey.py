"""A report goes round the review: the focal point submits it on a phone, the coordinator returns it with a
comment at a desk, the focal point opens the bell and corrects it, the coordinator accepts it, and only then is
it in the month's report (the draft PDF's annex) instead of the list of reports still under review."""
from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

from playwright.sync_api import Browser, expect
from pypdf import PdfReader
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Agency
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer
from tests.e2e.helpers import Watch, assert_fits, click_to, go, login, main_nav, new_context, shot

FOCAL, AGENCY_CODE = "fokal.tppkk@example.org", "TPPKK"


def _pdf_text(context, url: str) -> str:
    response = context.request.get(url)
    assert response.status == 200 and response.headers["content-type"].startswith("application/pdf")
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(response.body())).pages)


def test_a_report_is_returned_corrected_and_accepted_before_it_counts(
        live_server: LiveServer, chromium_browser: Browser, artifacts_dir: Path) -> None:
    marker = f"RV-{uuid.uuid4().hex[:8]}"
    with live_server.app.app_context():
        agency = db.session.scalar(select(Agency.short_name).where(Agency.code == AGENCY_CODE))
        db.session.remove()
    watch = Watch()

    # 1. The focal point reports on a phone ------------------------------------------------------------------
    phone = new_context(chromium_browser, live_server, PHONE, watch=watch)
    page = phone.new_page()
    login(page, FOCAL, "/actions/mine")
    row = page.locator("#my-actions tbody tr").filter(has=page.get_by_role("link", name="Lapor kemajuan")).first
    action_code = row.locator("td").first.inner_text().strip()
    click_to(page, row.get_by_role("link", name="Lapor kemajuan"))
    page.get_by_label("Persentase selesai (%)").fill("35")
    achieved = f"{marker}: 40 kader dilatih verifikasi."
    page.get_by_label("Capaian").fill(achieved)
    # a long text box counts its characters as they are typed (nothing is cut at the limit)
    expect(page.locator("#achievements-count")).to_have_text(f"{len(achieved)} dari 10.000 karakter")
    click_to(page, page.get_by_role("button", name="Kirim laporan"))
    expect(page).to_have_url(re.compile(r"/actions/mine$"))
    expect(page.locator("main")).to_contain_text("diajukan untuk ditinjau koordinator")
    mine = page.locator("#my-actions tbody tr").filter(has=page.get_by_role("link", name=action_code, exact=True))
    expect(mine).to_contain_text("menunggu tinjauan")

    # 2. The coordinator returns it with a comment ------------------------------------------------------------
    desk = new_context(chromium_browser, live_server, DESKTOP, watch=watch)
    coord = desk.new_page()
    login(coord, "koordinator@example.org", "/monitor")
    draft = "/reports/2026-11/preview.pdf"
    text = _pdf_text(desk, draft)
    assert marker not in text and "Masih ditinjau saat bulan ditutup" in text  # listed, not counted
    go(coord, "Tinjauan", "Tinjauan laporan kemajuan")
    ours = coord.locator("#review-queue tbody tr").filter(has_text=action_code).filter(has_text=agency)
    expect(ours).to_have_count(1)
    click_to(coord, ours.get_by_role("link", name="Tinjau"))
    expect(coord.locator("#this-report")).to_contain_text(marker)
    expect(coord.locator("#previous-report")).to_be_visible()
    assert_fits(coord)
    shot(coord, artifacts_dir, "desktop-review-report.png")
    click_to(coord, coord.get_by_role("button", name="Kembalikan untuk diperbaiki"))  # no comment: refused
    expect(coord.locator("#return-form .errors")).to_be_visible()
    coord.get_by_label("Yang perlu diperbaiki").fill("Lampirkan daftar hadir pelatihan kader.")
    click_to(coord, coord.get_by_role("button", name="Kembalikan untuk diperbaiki"))
    expect(coord.locator("main")).to_contain_text("dikembalikan dengan catatan")

    # 3. The focal point sees it on "Aksi saya", opens the bell and corrects it ------------------------------
    page.goto("/actions/mine")
    expect(page.locator("#returned-reports")).to_contain_text("Lampirkan daftar hadir pelatihan kader.")
    page.goto("/notifications")
    note = page.locator("#notification-list li").filter(has_text="dikembalikan").first
    expect(note).to_contain_text("Lampirkan daftar hadir pelatihan kader.")
    click_to(page, note.get_by_role("link"))
    expect(page).to_have_url(re.compile(r"/progress/\d+/correct$"))
    expect(page.locator("#returned-note")).to_contain_text("Lampirkan daftar hadir pelatihan kader.")
    page.get_by_label("Capaian").fill(f"{marker}: 40 kader dilatih; daftar hadir dilampirkan.")
    page.get_by_label("Alasan koreksi").fill("Daftar hadir dilampirkan sesuai catatan.")
    click_to(page, page.get_by_role("button", name=re.compile("Simpan|Kirim")))
    expect(page.locator("main")).to_contain_text("Koreksi tersimpan dan diajukan untuk ditinjau")
    expect(page.locator("#returned-reports")).to_have_count(0)  # nothing left to correct
    assert_fits(page)
    phone.close()

    # 4. The coordinator accepts the correction: now the month's report has it --------------------------------
    coord.goto("/reviews")
    ours = coord.locator("#review-queue tbody tr").filter(has_text=action_code).filter(has_text=agency)
    expect(ours).to_contain_text("perbaikan")
    click_to(coord, ours.get_by_role("link", name="Tinjau"))
    expect(coord.locator("#review-rounds")).to_contain_text("Lampirkan daftar hadir pelatihan kader.")
    click_to(coord, coord.get_by_role("button", name="Terima laporan"))
    expect(coord.locator("main")).to_contain_text("diterima")
    text = _pdf_text(desk, draft)
    assert f"{marker}: 40 kader dilatih; daftar hadir dilampirkan." in text.replace("\n", " ")
    expect(main_nav(coord).get_by_role("link", name="Tinjauan")).to_be_visible()
    watch.assert_clean()
    desk.close()
