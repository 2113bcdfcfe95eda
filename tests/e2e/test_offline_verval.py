"""A village verifier works without signal: download on a phone, go offline, verify three children, reload the
page offline (it still opens), come back online and sync: the server holds exactly three new verifications, a
second sync adds nothing, and a child verified meanwhile by the coordinator is shown side by side to choose."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Child, ChildVerification, User
from coordinator.verval.verification import VerificationInput, record_verification
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import PHONE, LiveServer
from tests.e2e.helpers import Watch, login, new_context, shot

VERIFIER = "verifikator@example.org"


def _verifications(server: LiveServer) -> int:
    with server.app.app_context():
        n = db.session.scalar(select(func.count()).select_from(ChildVerification))
        db.session.remove()
    return int(n or 0)


def test_a_verifier_verifies_three_children_without_signal_and_syncs_once(
        live_server: LiveServer, chromium_browser: Browser, artifacts_dir: Path) -> None:
    watch = Watch()
    context = new_context(chromium_browser, live_server, PHONE, watch=watch)
    try:
        page = context.new_page()
        login(page, VERIFIER, "/verval/anak")
        page.locator("#go-offline").click()
        page.wait_for_load_state("load")
        page.evaluate("() => navigator.serviceWorker.ready")
        page.get_by_role("button", name="Unduh untuk bekerja luring").click()
        cards = page.locator("#offline-children li.offline-child")
        expect(cards.first).to_be_visible()
        expect(page.locator("#offline-status")).to_contain_text("anak diunduh")
        chosen = [cards.nth(i).get_attribute("data-child") for i in range(4)]
        before = _verifications(live_server)

        context.set_offline(True)
        for i in range(3):
            card = cards.nth(i)
            card.locator("summary").click()
            card.locator("select[name=status]").select_option("ats_valid")
            card.locator("select[name=reason]").select_option(index=1)
            card.locator("textarea[name=notes]").fill(f"Kunjungan luring {i + 1}")
            card.get_by_role("button", name="Simpan di ponsel").click()
            expect(page.locator("#pending-count")).to_have_text(str(i + 1))
        # The form's rules hold offline too: no finding chosen, nothing queued.
        fourth = cards.nth(3)
        fourth.locator("summary").click()
        fourth.get_by_role("button", name="Simpan di ponsel").click()
        expect(fourth.locator(".errors")).to_contain_text("Wajib diisi")
        expect(page.locator("#pending-count")).to_have_text("3")
        assert_accessible(page)  # the installed-app page and its offline form

        page.reload()  # without signal: the service worker's copy, the data decrypted with the session's key
        expect(page.locator("#offline-children li.offline-child").first).to_be_visible()
        expect(page.locator("#pending-count")).to_have_text("3")
        shot(page, artifacts_dir, "phone-offline-verval.png")
        assert _verifications(live_server) == before

        # Meanwhile the coordinator verifies the fourth child at the office.
        with live_server.app.app_context():
            child = db.session.get(Child, int(chosen[3] or 0))
            coordinator = db.session.scalar(select(User).where(User.email == "koordinator@example.org"))
            record_verification(db.session, child, VerificationInput("masih_sekolah", None, None, None,
                                                                     "Sudah di SD", date(2026, 11, 26)),
                                coordinator.id, datetime(2026, 11, 27, 1), date(2026, 11, 27))
            db.session.commit()
            db.session.remove()
        fourth.locator("summary").click()
        fourth.locator("select[name=status]").select_option("ats_valid")
        fourth.get_by_role("button", name="Simpan di ponsel").click()
        expect(page.locator("#pending-count")).to_have_text("4")

        context.set_offline(False)
        page.get_by_role("button", name="Kirim sekarang").click()
        expect(page.locator("#pending-count")).to_have_text("0")
        expect(page.locator("#offline-status")).to_contain_text("3 hasil terkirim")
        assert _verifications(live_server) == before + 4  # three synced, and the coordinator's
        conflict = page.locator("#conflict-list li")
        expect(conflict).to_have_count(1)
        expect(conflict.locator(".theirs")).to_contain_text("Sudah di SD")
        page.get_by_role("button", name="Kirim sekarang").click()  # nothing queued: nothing sent again
        assert _verifications(live_server) == before + 4
        conflict.get_by_role("button", name="Pakai hasil saya").click()
        expect(page.locator("#conflict-list li")).to_have_count(0)
        assert _verifications(live_server) == before + 5
        # Offline, Chromium logs its own background requests that fail (the service worker's update check); every
        # request of the page itself is answered from the kept copy, as the reload above showed.
        watch.errors = [e for e in watch.errors if "ERR_INTERNET_DISCONNECTED" not in e]
        watch.assert_clean()
    finally:
        context.close()
