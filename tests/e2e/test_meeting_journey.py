"""A coordination meeting with two decisions: the coordinator records it at a desk, each decision becomes a
follow-up that appears on the deadline monitor and in the reminders, and the responsible agency's focal point
reports one done on a phone for the coordinator to accept."""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path

from playwright.sync_api import Browser, expect

from coordinator.extensions import db
from coordinator.reminders.due import run_reminders
from tests.e2e.conftest import DESKTOP, LIVE_NOW, PHONE, LiveServer
from tests.e2e.helpers import Watch, assert_fits, choose, click_to, go, login, new_context, shot


def test_a_meeting_with_two_decisions_puts_two_follow_ups_on_the_monitor_and_in_reminders(
        live_server: LiveServer, chromium_browser: Browser, artifacts_dir: Path) -> None:
    marker = f"RK-{uuid.uuid4().hex[:6]}"
    watch = Watch()
    desk = new_context(chromium_browser, live_server, DESKTOP, watch=watch)
    coord = desk.new_page()
    login(coord, "koordinator@example.org", "/monitor")
    go(coord, "Rapat", "Rapat koordinasi")
    click_to(coord, coord.get_by_role("link", name="Catat rapat"))
    coord.get_by_label("Nama rapat").fill(f"Rapat koordinasi {marker}")
    coord.get_by_label("Tanggal").fill("2026-11-26")
    coord.get_by_label("Tempat").fill("Aula Disdikbud")
    coord.get_by_label("Pimpinan rapat (nama dan jabatan)").fill("Kepala Disdikbud")
    for name in ("Dinsos", "DPMDes"):
        coord.locator("#present").get_by_label(re.compile(f"^{name} –")).check()
    coord.get_by_label("Notulen").fill("Dinsos dan DPMDes menyampaikan kendala pendataan.")
    click_to(coord, coord.get_by_role("button", name="Simpan"))
    expect(coord.locator("#attendance")).to_contain_text("2 dari 2 perangkat daerah yang diundang hadir")

    # Two decisions: one due in a week (Dinsos), one already a day late (DPMDes, due the day of the meeting).
    for text, agency, due in ((f"{marker} padankan DTKS", "Dinsos", "2026-12-04"),
                              (f"{marker} surat edaran kepala desa", "DPMDes", "2026-11-26")):
        coord.get_by_label("Keputusan / tindak lanjut").fill(text)
        choose(coord.get_by_label("Penanggung jawab"), re.compile(f"^{agency} –"))
        coord.locator("#follow-up-due").fill(due)
        click_to(coord, coord.get_by_role("button", name="Tambah tindak lanjut"))
        expect(coord.locator("#follow-ups")).to_contain_text(text)
    expect(coord.locator("#follow-ups tbody tr")).to_have_count(2)
    assert_fits(coord)
    shot(coord, artifacts_dir, "desktop-meeting.png")

    # Both on the deadline monitor: one late, one due within seven days.
    go(coord, "Pemantauan tenggat", "Pemantauan tenggat")
    table = coord.locator("#follow-up-table")
    expect(table.locator("tr").filter(has_text=f"{marker} surat edaran")).to_contain_text("terlambat 1 hari")
    expect(table.locator("tr").filter(has_text=f"{marker} padankan")).to_contain_text("sisa 7 hari")

    # Both in today's reminders, to the responsible agency's focal points (a dry run: it records nothing).
    with live_server.app.app_context():
        result = run_reminders(db.session, datetime.fromisoformat(LIVE_NOW), None, dry_run=True)
        ours = {(r.recipient, r.kind) for r in result.reminders if marker in r.title}
        digests = {d.recipient: d.body_text for d in result.digests}
        db.session.remove()
    assert ("dinsos@example.org", "due_soon") in ours and any(k == "overdue" for _r, k in ours)
    assert f"{marker} padankan DTKS" in digests["dinsos@example.org"]

    # The Dinsos focal point reports it done on a phone; the coordinator accepts it.
    phone = new_context(chromium_browser, live_server, PHONE, watch=watch)
    page = phone.new_page()
    login(page, "dinsos@example.org", "/actions/mine")
    click_to(page, page.locator("#my-follow-ups").get_by_role("link", name=re.compile(f"{marker} padankan")))
    page.get_by_label("Apa yang sudah dilakukan").fill("DTKS dipadankan untuk 3 kecamatan.")
    click_to(page, page.get_by_role("button", name="Kirim laporan penyelesaian"))
    expect(page.locator("main")).to_contain_text("koordinator akan meninjaunya")
    assert_fits(page)
    follow_up_url = page.url
    coord.goto(follow_up_url)
    click_to(coord, coord.get_by_role("button", name="Terima penyelesaian"))
    expect(coord.locator("h1")).to_contain_text("Selesai")
    watch.assert_clean()
