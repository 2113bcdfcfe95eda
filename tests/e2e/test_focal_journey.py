"""A focal point reports progress; the coordinator sees it on the monitor. Run on a phone (Dinsos's focal point)
and at a desk (Disdikbud's).

One journey through the real server and a real browser (see conftest.py):
login form, "Aksi saya", progress form with a PDF, action page, the main menu back to "Aksi saya",
deadline monitor, evidence download, and the evidence refused to another agency's focal point.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Action, Agency
from tests.e2e.conftest import DESKTOP, PHONE, LiveServer
from tests.e2e.helpers import (
    SIZES,
    Watch,
    assert_fits,
    click_to,
    login,
    main_nav,
    new_context,
    path_of,
    shot,
    size_name,
)
from tests.helpers import pdf_bytes

pytestmark = pytest.mark.e2e

PDF_NAME = "bukti-kunjungan-rumah.pdf"
# One focal point per screen size: each run reports on an action its agency has not reported this month.
FOCAL = {"phone": ("dinsos@example.org", "Dinsos"), "desktop": ("disdikbud@example.org", "Disdikbud")}


def _minimal_pdf(text: str) -> bytes:
    """A small but valid one-page PDF with the text on its page."""
    return pdf_bytes(text=text)


def _titles_outside(server: LiveServer, agency_code: str) -> dict[str, str]:
    """Code -> title of the actions the given agency neither leads nor supports."""
    with server.app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == agency_code))
        actions = db.session.scalars(select(Action).where(Action.deleted_at.is_(None))).all()
        titles = {a.code: a.title for a in actions if not a.involves_agency(agency_id)}
        db.session.remove()
    return titles


@SIZES
def test_focal_point_reports_progress_and_coordinator_sees_it(
    live_server: LiveServer, chromium_browser: Browser, artifacts_dir: Path, tmp_path: Path, device: dict,
) -> None:
    size = size_name(device)
    marker = f"E2E-{uuid.uuid4().hex[:10]}"
    pdf_path = tmp_path / PDF_NAME
    pdf_path.write_bytes(_minimal_pdf(f"Bukti {marker}"))
    not_dpppa = _titles_outside(live_server, "DPPPA")

    email, agency = FOCAL[size]

    # 1. The focal point (Dinsos on a phone, Disdikbud at a desk) ---------------------------
    watch = Watch()
    focal = new_context(chromium_browser, live_server, device, watch=watch)
    try:
        page = focal.new_page()
        login(page, email, "/actions/mine")
        expect(page.get_by_role("heading", name=re.compile(r"^Aksi saya"))).to_be_visible()
        assert_fits(page)

        # An action of the agency without a report this month, and outside DPPPA's work
        # (so DPPPA's focal point must not see its evidence).
        table = page.locator("#my-actions")
        open_rows = table.locator("tbody tr").filter(has=page.get_by_role("link", name="Lapor kemajuan"))
        expect(open_rows.first).to_be_visible()
        row = None
        for candidate in open_rows.all():
            code = candidate.locator("td").first.inner_text().strip()
            if code in not_dpppa:
                row, action_code = candidate, code
                break
        assert row is not None, f"no unreported {agency} action outside DPPPA among {open_rows.count()} rows"

        click_to(page, row.get_by_role("link", name="Lapor kemajuan"))
        expect(page).to_have_url(re.compile(r"/actions/\d+/progress/new$"))
        expect(page.get_by_role("heading", name=re.compile(r"^Laporan kemajuan: " + re.escape(action_code)))) \
            .to_be_visible()

        expect(page.get_by_label("Bulan laporan")).to_have_value("2026-11")
        page.get_by_label("Persentase selesai (%)").fill("42")
        page.get_by_label("Capaian").fill(f"{marker}: 18 keluarga rentan dikunjungi, 6 anak kembali sekolah.")
        page.get_by_label("Kendala").fill("Akses jalan ke dua desa terputus saat hujan.")
        page.get_by_label("Rencana tindak lanjut").fill("Kunjungan ulang bersama TP-PKK desa.")
        page.get_by_label(re.compile(r"^Bukti")).set_input_files(str(pdf_path))
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-progress-form.png")

        click_to(page, page.get_by_role("button", name="Kirim laporan"))
        # Back on "Aksi saya", on to the next action to report; this one is reported, waiting for review.
        expect(page).to_have_url(re.compile(r"/actions/mine$"))
        expect(page.get_by_role("status")).to_contain_text("Laporan kemajuan tersimpan dan diajukan untuk ditinjau")
        done = page.locator("#my-actions tbody tr").filter(has=page.get_by_role("link", name=action_code, exact=True))
        expect(done).to_contain_text("sudah lapor")
        expect(done).to_contain_text("menunggu tinjauan")
        click_to(page, done.get_by_role("link", name=action_code, exact=True))
        expect(page).to_have_url(re.compile(r"/actions/\d+$"))
        action_path = path_of(page)
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(action_code)
        action_title = not_dpppa[action_code]
        expect(heading).to_contain_text(action_title)
        update = page.locator("article").filter(has_text=marker)
        expect(update).to_have_count(1)
        expect(update).to_contain_text(agency)
        expect(update).to_contain_text("42")
        expect(update).to_contain_text("Akses jalan ke dua desa terputus saat hujan.")
        evidence_link = update.get_by_role("link", name=PDF_NAME)
        expect(evidence_link).to_be_visible()
        evidence_url = evidence_link.get_attribute("href")
        assert evidence_url and re.fullmatch(r"/evidence/\d+", evidence_url), evidence_url
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-action-after-submit.png")

        # The owner may open it.
        own = page.request.get(evidence_url)
        assert own.status == 200
        assert own.headers["content-type"].startswith("application/pdf")

        # Back to "Aksi saya" through the main menu (on a phone: the folding "Menu"), now reported.
        click_to(page, main_nav(page).get_by_role("link", name="Aksi saya"))
        reported = page.locator("#my-actions tbody tr").filter(
            has=page.get_by_role("link", name=action_code, exact=True))
        expect(reported).to_contain_text("sudah lapor")
    finally:
        focal.close()

    # 2. DPPPA's focal point is not involved in that action: 403 on the evidence -------------
    other = new_context(chromium_browser, live_server, PHONE)
    try:
        page = other.new_page()
        login(page, "fokal.dpppa@example.org", "/actions/mine")
        refused = page.request.get(evidence_url)
        assert refused.status == 403, refused.status
        assert not refused.headers.get("content-type", "").startswith("application/pdf")
        assert page.request.get(action_path).status == 403
    finally:
        other.close()

    # 3. The coordinator on a desktop sees the update on the monitor --------------------------
    desk = new_context(chromium_browser, live_server, DESKTOP, watch=watch)
    try:
        page = desk.new_page()
        login(page, "koordinator@example.org", "/monitor")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pemantauan tenggat")
        # On a wide screen the main navigation is shown without opening the phone menu.
        expect(page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Daftar aksi")) \
            .to_be_visible()
        recent = page.locator("#recent-updates")
        recent.scroll_into_view_if_needed()
        link_name = f"{action_code} {action_title}"
        ours = recent.locator("tbody tr").filter(has=page.get_by_role("link", name=link_name, exact=True))
        expect(ours).to_have_count(1)
        expect(ours).to_contain_text(agency)
        expect(ours).to_contain_text("42")
        # Newest first: nothing was reported after it (the test clock stands still, so compare the times).
        expect(recent.locator("tbody tr").first.locator("td").first).to_have_text(
            ours.locator("td").first.inner_text())
        shot(page, artifacts_dir, f"desktop-monitor-after-{size}-report.png")

        click_to(page, ours.get_by_role("link", name=link_name, exact=True))
        expect(page).to_have_url(re.compile(re.escape(action_path) + r"$"))
        update = page.locator("article").filter(has_text=marker)
        link = update.get_by_role("link", name=PDF_NAME)
        expect(link).to_be_visible()
        assert link.get_attribute("href") == evidence_url

        response = desk.request.get(evidence_url)
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/pdf")
        assert PDF_NAME in response.headers.get("content-disposition", "")
        body = response.body()
        assert body == pdf_path.read_bytes()
        assert body.startswith(b"%PDF-")

        # The same monitor on a phone-wide window: the deadline tables turn into cards that fit.
        page.set_viewport_size(PHONE["viewport"])
        page.goto("/monitor")
        page.wait_for_load_state("load")
        expect(page.locator("#recent-updates")).to_contain_text(agency)
        assert_fits(page)
        watch.assert_clean()
    finally:
        desk.close()
