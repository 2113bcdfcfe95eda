"""A PKK cadre verifies a child of her desa, on a phone and at a desk; a child of another desa stays out of reach.

Through the real server and Debian's Chromium (see conftest.py), on the seeded demo: the verifier logs in and
lands on her list (names and NIKs masked, unverified first), opens a child (masked; the full NIK shown once she
gives a reason, both logged), records "ATS valid" with a reason, comes back to the list, and is refused a child
of another desa by URL.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Child, ChildAccessLog, User, VerifierArea
from coordinator.verval.child_data import key_from_config
from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import SIZES, Watch, assert_fits, click_to, login, new_context, shot, size_name

pytestmark = pytest.mark.e2e


def _children(server: LiveServer) -> tuple[set[int], int, dict[int, str]]:
    """The verifier's children, one child outside her desa, and the full NIKs."""
    with server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "verifikator@example.org"))
        desa = set(db.session.scalars(select(VerifierArea.area_kode).where(VerifierArea.user_id == user.id)))
        key = key_from_config(server.app.config)
        children = db.session.scalars(select(Child)).all()
        mine = {c.id for c in children if c.desa_kode in desa}
        outside = next(c.id for c in children if c.desa_kode not in desa)
        niks = {c.id: key.decrypt(c.nik_encrypted) or "" for c in children}
        db.session.remove()
    return mine, outside, niks


@SIZES
def test_verifier_verifies_a_child(live_server: LiveServer, chromium_browser: Browser, artifacts_dir: Path,
                                   device: dict) -> None:
    size = size_name(device)
    mine, outside, niks = _children(live_server)
    watch = Watch()
    context = new_context(chromium_browser, live_server, device, watch=watch)
    try:
        page = context.new_page()
        login(page, "verifikator@example.org", "/verval/anak")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Daftar anak tidak sekolah by name")
        assert_fits(page)
        rows = page.locator("#child-list tbody tr")
        expect(rows.first).to_be_visible()
        listed = {int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.child)")}
        assert listed and listed <= mine
        html = page.content()
        assert not any(niks[c] in html for c in listed)  # masked in the list
        first = rows.first
        expect(first.locator("[data-col=status]")).to_contain_text("Belum")  # unverified first
        child_id = int(first.get_attribute("data-child") or 0)
        shot(page, artifacts_dir, f"{size}-verifier-list.png")

        click_to(page, first.locator("td a").first)  # the child's (masked) name opens the record
        expect(page.locator("#child-data")).not_to_contain_text(niks[child_id])  # masked until she asks
        page.get_by_text("Tampilkan NIK, tanggal lahir dan nama ibu").click()
        page.get_by_label("Alasan membuka data lengkap").select_option("verifikasi")
        click_to(page, page.locator("#reveal-button"))
        expect(page.locator("#child-data")).to_contain_text(niks[child_id])  # the full NIK, for a reason
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-verifier-child-revealed.png")
        click_to(page, page.locator("#verify-button"))
        page.get_by_label("Hasil verifikasi").select_option("ats_valid")
        page.get_by_label("Alasan tidak bersekolah").select_option("ekonomi")
        page.get_by_label("Bersedia kembali bersekolah?").select_option("ya")
        page.get_by_label("Catatan").fill("Membantu orang tua berjualan di pasar.")
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-verifier-form.png")
        click_to(page, page.get_by_role("button", name="Simpan hasil verifikasi"))
        expect(page).to_have_url(re.compile(r"/verval/anak"))
        expect(page.get_by_role("status").first).to_be_visible()

        # Her record shows the finding; the plan's other pages are not hers.
        assert page.request.get(f"/verval/anak/{child_id}").status == 200
        assert page.request.get("/plan").status == 403
        # A child of another desa, by URL: a 404 like any unknown id, and the attempt is on record.
        assert page.request.get(f"/verval/anak/{outside}").status == 404
        assert page.request.get(f"/verval/anak/{outside}/verifikasi").status == 404
        watch.assert_clean()
    finally:
        context.close()

    with live_server.app.app_context():
        child = db.session.get(Child, child_id)
        assert child.status == "ats_valid" and child.verifications[0].reason == "ekonomi"
        actions = {(e.child_id, e.action) for e in db.session.scalars(select(ChildAccessLog))}
        assert (child_id, "view") in actions and (child_id, "edit") in actions and (outside, "refused") in actions
        assert (child_id, "reveal") in actions
        db.session.remove()
