"""The administrator manages accounts and API tokens, on a phone and at a desk.

Through the real server and Debian's Chromium (see conftest.py), on the seeded demo, with the pages only: a new
focal point for Dinsos (first refused without an agency, then saved), who logs in; the admin deactivates the
account, which ends the new user's session and refuses the next login; an API token for the leader's dashboard,
shown once, accepted by /api/v1, gone from the page when it is opened again, revoked and then refused (401); the
reference lists and areas.
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from coordinator.demo.content import DEMO_PASSWORD
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import (
    SIZES,
    Watch,
    assert_fits,
    choose,
    click_to,
    flash,
    go,
    login,
    new_context,
    shot,
    size_name,
)

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Teluk-Lombok-2026-pagi"  # neither the name nor the email of the new account
assert NEW_PASSWORD != DEMO_PASSWORD


@SIZES
def test_admin_manages_a_user_and_an_api_token(live_server: LiveServer, chromium_browser: Browser,
                                               artifacts_dir: Path, device: dict) -> None:
    size = size_name(device)
    tag = uuid.uuid4().hex[:6]
    name, email = f"Fokal Dinsos Uji {tag}", f"fokal.uji.{tag}@example.org"
    token_name = f"Dasbor Bappeda {tag}"
    watch = Watch()
    admin = new_context(chromium_browser, live_server, device, watch=watch)
    newcomer = new_context(chromium_browser, live_server, device, watch=watch)
    try:
        page = admin.new_page()
        login(page, "admin@example.org", "/monitor")

        # 1. A new focal point for Dinsos: refused without an agency, then saved --------------------------
        go(page, "Pengguna", "Pengguna")
        click_to(page, page.get_by_role("link", name="Tambah pengguna"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Pengguna baru")
        page.get_by_label("Nama", exact=True).fill(name)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Peran").select_option(label="Petugas fokal instansi")
        page.get_by_label("Kata sandi awal").fill(NEW_PASSWORD)
        page.get_by_label("Ulangi kata sandi").fill(NEW_PASSWORD)
        click_to(page, page.get_by_role("button", name="Simpan"))
        expect(page.get_by_role("alert")).to_contain_text("Periksa kembali isian yang ditandai.")
        agency = page.get_by_label("Instansi")
        expect(agency).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#" + (agency.get_attribute("aria-describedby") or "missing"))) \
            .to_have_text("Petugas fokal harus terhubung ke satu instansi.")
        expect(page.get_by_label("Email")).to_have_value(email)  # what was typed is kept
        assert_fits(page)
        assert_accessible(page)
        shot(page, artifacts_dir, f"{size}-admin-user-error.png")

        choose(agency, re.compile(r"^Dinsos\b"))
        page.get_by_label("Kata sandi awal").fill(NEW_PASSWORD)  # password fields are never sent back
        page.get_by_label("Ulangi kata sandi").fill(NEW_PASSWORD)
        click_to(page, page.get_by_role("button", name="Simpan"))
        expect(page).to_have_url(re.compile(r"/admin/users$"))
        expect(flash(page)).to_have_text(f"Pengguna {name} ditambahkan.")
        page.get_by_label("Cari nama atau email").fill(email)
        click_to(page, page.get_by_role("button", name="Terapkan"))
        row = page.locator("#user-list tbody tr").filter(has_text=email)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Petugas fokal instansi")
        expect(row).to_contain_text("Dinsos")
        expect(row).to_contain_text("Aktif")
        assert_fits(page)

        # 2. The new focal point logs in and sees the agency's actions -----------------------------------
        theirs = newcomer.new_page()
        theirs.goto("/login")
        theirs.get_by_label("Email").fill(email)
        theirs.get_by_label("Kata sandi", exact=True).fill(NEW_PASSWORD)
        click_to(theirs, theirs.get_by_role("button", name="Masuk"))
        expect(theirs).to_have_url(re.compile(r"/actions/mine$"))
        expect(theirs.get_by_role("heading", level=1)).to_contain_text("Aksi saya")

        # 3. Deactivated: the session ends and the next login is refused --------------------------------
        click_to(page, row.get_by_role("button", name="Nonaktifkan"))
        expect(flash(page)).to_have_text(f"Akun {name} dinonaktifkan. Sesinya sudah diakhiri.")
        row = page.locator("#user-list tbody tr").filter(has_text=email)
        expect(row).to_contain_text("Nonaktif")
        expect(row.get_by_role("button", name="Aktifkan")).to_be_visible()

        theirs.reload()
        theirs.wait_for_load_state("load")
        expect(theirs).to_have_url(re.compile(r"/login"))
        theirs.get_by_label("Email").fill(email)
        theirs.get_by_label("Kata sandi", exact=True).fill(NEW_PASSWORD)
        click_to(theirs, theirs.get_by_role("button", name="Masuk"))
        expect(theirs.get_by_role("alert")).to_contain_text("Email atau kata sandi salah.")
        expect(theirs).to_have_url(re.compile(r"/login"))

        # 4. An API token for the leaders' dashboard: shown once, then revoked ---------------------------
        go(page, "Token API", "Token API")
        choose(page.get_by_label("Pengguna"), re.compile(r"^Pimpinan Daerah <pimpinan@example\.org>"))
        page.get_by_label("Nama token").fill(token_name)
        click_to(page, page.get_by_role("button", name="Buat token"))
        shown = page.locator("#new-token")
        expect(shown.get_by_role("heading")).to_have_text(f"Token {token_name} dibuat")
        expect(shown).to_contain_text("Token tidak akan ditampilkan lagi")
        expect(shown).to_contain_text("Authorization: Bearer <token>.")  # shown as text, not swallowed as a tag
        secret = page.locator("#token-secret").inner_text().strip()
        assert re.fullmatch(r"sitisek_[A-Za-z0-9_\-]{20,}", secret), secret
        assert_fits(page)
        shot(page, artifacts_dir, f"{size}-admin-token-shown.png")

        bearer = {"Authorization": f"Bearer {secret}"}
        api = live_server.url + "/api/v1/plan"
        answer = newcomer.request.get(api, headers=bearer)  # a client without any session cookie
        assert answer.status == 200, answer.status
        assert "name" in answer.json()

        go(page, "Token API", "Token API")  # opened again: the secret is not there any more
        expect(page.locator("#new-token")).to_have_count(0)
        assert secret not in page.content()
        token_row = page.locator("#token-list tbody tr").filter(has_text=token_name)
        expect(token_row).to_contain_text(secret[:12])
        expect(token_row).to_contain_text("Pimpinan Daerah")
        click_to(page, token_row.get_by_role("button", name="Cabut"))
        expect(flash(page)).to_have_text(f"Token {token_name} dicabut.")
        token_row = page.locator("#token-list tbody tr").filter(has_text=token_name)
        expect(token_row.get_by_role("button", name="Cabut")).to_have_count(0)
        expect(token_row.locator("td").nth(6)).to_contain_text("Admin Sistem")
        refused = newcomer.request.get(api, headers=bearer)
        assert refused.status == 401, refused.status
        assert refused.json()["error"]["code"] == "unauthorized"

        # 5. Reference lists and areas -------------------------------------------------------------------
        go(page, "Daftar referensi", "Daftar referensi")
        funding = page.locator("#list-sumber_dana")
        expect(funding.get_by_role("heading", level=2)).to_contain_text("Sumber dana")
        expect(funding.locator("tbody tr").filter(has_text="APBD").first).to_be_visible()
        expect(funding.get_by_role("link", name="Tambah butir")).to_be_visible()
        assert_fits(page)
        go(page, "Wilayah", "Wilayah")
        expect(page.get_by_role("main")).to_contain_text("Sangatta Utara")
        assert_fits(page)
        watch.assert_clean()
    finally:
        newcomer.close()
        admin.close()
