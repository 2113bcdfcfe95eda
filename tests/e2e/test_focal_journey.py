"""A focal point reports progress from a phone; the coordinator sees it on the monitor.

One journey through the real server and a real browser (see conftest.py):
login form, "Aksi saya", progress form with a PDF, action page, deadline monitor,
evidence download, and the evidence refused to another agency's focal point.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Action, Agency

from .conftest import DESKTOP, PHONE, LiveServer

pytestmark = pytest.mark.e2e

PASSWORD = "demo-kutim-2026"
TIMEOUT_MS = 15_000
PDF_NAME = "bukti-kunjungan-rumah.pdf"


def _minimal_pdf(text: str) -> bytes:
    """A small but valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _new_context(browser: Browser, server: LiveServer, device: dict) -> BrowserContext:
    context = browser.new_context(base_url=server.url, locale="id-ID", timezone_id="Asia/Makassar", **device)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def _login(page: Page, email: str, landing: str) -> None:
    page.goto("/login")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Masuk ke SITISEK")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(re.escape(landing) + r"$"))


def _titles_outside(server: LiveServer, agency_code: str) -> dict[str, str]:
    """Code -> title of the actions the given agency neither leads nor supports."""
    with server.app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == agency_code))
        actions = db.session.scalars(select(Action).where(Action.deleted_at.is_(None))).all()
        titles = {a.code: a.title for a in actions if not a.involves_agency(agency_id)}
        db.session.remove()
    return titles


def _assert_fits(page: Page) -> None:
    """Nothing wider than the screen: neither the page nor a table card scrolls sideways."""
    too_wide = page.evaluate("""() => {
        const out = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth + 1) out.push(`page ${root.scrollWidth}px > ${root.clientWidth}px`);
        for (const el of document.querySelectorAll('.table-wrap')) {
            if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.querySelector('table')?.id || 'table'} ` +
                                                            `${el.scrollWidth}px > ${el.clientWidth}px`);
        }
        return out;
    }""")
    assert too_wide == [], f"{page.url}: {too_wide}"


def _shot(page: Page, folder: Path, name: str) -> Path:
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


def test_focal_point_reports_from_phone_and_coordinator_sees_it(
    live_server: LiveServer, chromium_browser: Browser, artifacts_dir: Path, tmp_path: Path,
) -> None:
    marker = f"E2E-{uuid.uuid4().hex[:10]}"
    pdf_path = tmp_path / PDF_NAME
    pdf_path.write_bytes(_minimal_pdf(f"Bukti {marker}"))
    not_dpppa = _titles_outside(live_server, "DPPPA")

    # 1. The Dinsos focal point on a phone -------------------------------------------------
    phone = _new_context(chromium_browser, live_server, PHONE)
    try:
        page = phone.new_page()
        _login(page, "dinsos@example.org", "/actions/mine")
        expect(page.get_by_role("heading", name=re.compile(r"^Aksi saya"))).to_be_visible()
        _assert_fits(page)

        # An action of Dinsos without a report this month, and outside DPPPA's work
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
        assert row is not None, f"no unreported Dinsos action outside DPPPA among {open_rows.count()} rows"

        with page.expect_navigation(wait_until="load"):
            row.get_by_role("link", name="Lapor kemajuan").click()
        expect(page).to_have_url(re.compile(r"/actions/\d+/progress/new$"))
        expect(page.get_by_role("heading", name=re.compile(r"^Laporan kemajuan: " + re.escape(action_code)))) \
            .to_be_visible()

        expect(page.get_by_label("Bulan laporan")).to_have_value("2026-11")
        page.get_by_label("Persentase selesai (%)").fill("42")
        page.get_by_label("Capaian").fill(f"{marker}: 18 keluarga rentan dikunjungi, 6 anak kembali sekolah.")
        page.get_by_label("Kendala").fill("Akses jalan ke dua desa terputus saat hujan.")
        page.get_by_label("Rencana tindak lanjut").fill("Kunjungan ulang bersama TP-PKK desa.")
        page.get_by_label(re.compile(r"^Bukti")).set_input_files(str(pdf_path))
        _assert_fits(page)
        _shot(page, artifacts_dir, "phone-progress-form.png")

        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Kirim laporan").click()
        expect(page).to_have_url(re.compile(r"/actions/\d+$"))
        action_path = re.sub(r"^https?://[^/]+", "", page.url)
        expect(page.get_by_role("status")).to_contain_text("Laporan kemajuan tersimpan.")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_contain_text(action_code)
        action_title = not_dpppa[action_code]
        expect(heading).to_contain_text(action_title)
        update = page.locator("article").filter(has_text=marker)
        expect(update).to_have_count(1)
        expect(update).to_contain_text("Dinsos")
        expect(update).to_contain_text("42")
        expect(update).to_contain_text("Akses jalan ke dua desa terputus saat hujan.")
        evidence_link = update.get_by_role("link", name=PDF_NAME)
        expect(evidence_link).to_be_visible()
        evidence_url = evidence_link.get_attribute("href")
        assert evidence_url and re.fullmatch(r"/evidence/\d+", evidence_url), evidence_url
        _assert_fits(page)
        _shot(page, artifacts_dir, "phone-action-after-submit.png")

        # The owner may open it.
        own = page.request.get(evidence_url)
        assert own.status == 200
        assert own.headers["content-type"].startswith("application/pdf")

        # The phone menu is a <details>: open it to go back to "Aksi saya", now reported.
        page.get_by_text("Menu", exact=True).click()
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Aksi saya").click()
        reported = page.locator("#my-actions tbody tr").filter(
            has=page.get_by_role("link", name=action_code, exact=True))
        expect(reported).to_contain_text("sudah lapor")
    finally:
        phone.close()

    # 2. DPPPA's focal point is not involved in that action: 403 on the evidence -------------
    other = _new_context(chromium_browser, live_server, PHONE)
    try:
        page = other.new_page()
        _login(page, "fokal.dpppa@example.org", "/actions/mine")
        refused = page.request.get(evidence_url)
        assert refused.status == 403, refused.status
        assert not refused.headers.get("content-type", "").startswith("application/pdf")
        assert page.request.get(action_path).status == 403
    finally:
        other.close()

    # 3. The coordinator on a desktop sees the update on the monitor --------------------------
    desk = _new_context(chromium_browser, live_server, DESKTOP)
    try:
        page = desk.new_page()
        _login(page, "koordinator@example.org", "/monitor")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Pemantauan tenggat")
        # On a wide screen the main navigation is shown without opening the phone menu.
        expect(page.get_by_role("navigation", name="Navigasi utama").get_by_role("link", name="Daftar aksi")) \
            .to_be_visible()
        recent = page.locator("#recent-updates")
        recent.scroll_into_view_if_needed()
        link_name = f"{action_code} {action_title}"
        ours = recent.locator("tbody tr").filter(has=page.get_by_role("link", name=link_name, exact=True))
        expect(ours).to_have_count(1)
        expect(ours).to_contain_text("Dinsos")
        expect(ours).to_contain_text("42")
        # Newest first: nothing in the demo was reported after it.
        expect(recent.locator("tbody tr").first).to_contain_text(link_name)
        _shot(page, artifacts_dir, "desktop-monitor.png")

        with page.expect_navigation(wait_until="load"):
            ours.get_by_role("link", name=link_name, exact=True).click()
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
        expect(page.locator("#recent-updates")).to_contain_text("Dinsos")
        _assert_fits(page)
    finally:
        desk.close()
