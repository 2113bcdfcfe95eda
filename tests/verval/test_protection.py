"""Children's data protected at rest and in use (issue 19): no NIK can be rebuilt from the database without
CHILD_DATA_KEY, no NIK stands in a URL, a child's record opens in full one child at a time with a reason and a
limit per hour, searches are logged, and a deleted action gives its focal points no child."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import LargeBinary, String, Text, func, select

from coordinator.extensions import db
from coordinator.models import Child, ChildAccessLog, ChildCase, Notification, OutboxMessage
from coordinator.verval import importing
from coordinator.verval.child_data import key_from_config
from tests.conftest import login
from tests.hostile_forms import forms_of, local, scan
from tests.verval.verval_data import list_xlsx, make_child, nik_for

TELUK_LINGGA = "64.08.04.1001"
NOW = datetime(2026, 11, 27, 2, 0)
SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _row(name: str, birth: date, sex: str, serial: int) -> list[object]:
    return [nik_for(birth, sex, serial), None, name, sex, "Sangatta", birth.strftime("%d/%m/%Y"), "Ibu " + name,
            "Dusun I", "003", "001", "Teluk Lingga", "Sangatta Utara", "DO", "SD kelas 5", "30405060", "Dapodik"]


def _imported(app) -> list[str]:
    """Eight children through the real import; their NIKs."""
    rows = [_row(f"Anak {i}", date(2010 + i % 5, 1 + i, 3 + i), "P" if i % 2 else "L", 11 * i + 7) for i in range(8)]
    data, key = list_xlsx(rows), key_from_config(app.config)
    p = importing.preview(db.session, data, "bnba.xlsx", key)
    assert p.can_save, p.errors
    importing.save(db.session, data, "bnba.xlsx", key, NOW, None, "Dapodik")
    db.session.commit()
    return [str(r[0]) for r in rows]


def _clear_text() -> list[str]:
    """Every text and binary value of every table, as someone with the database (or a dump of it) reads it."""
    out = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | LargeBinary)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            out.extend(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row if v is not None)
    return out


def test_no_nik_can_be_rebuilt_from_the_database_without_the_key(app_ctx, world):
    """The attack of the review: region and kecamatan digits from the desa, six from the birth date and sex, the
    serial from whatever digits the row keeps in clear (the old mask kept the last four). Every candidate the
    clear columns allow is built, and none is a child's NIK."""
    niks = _imported(app_ctx)
    rebuilt = []
    for child in db.session.scalars(select(Child)):
        kode = child.desa_kode.replace(".", "")
        day = child.tanggal_lahir.day + (40 if child.jenis_kelamin == "P" else 0)
        dob = f"{day:02d}{child.tanggal_lahir.month:02d}{child.tanggal_lahir.year % 100:02d}"
        clear = " ".join(str(getattr(child, c.key) or "") for c in Child.__table__.columns
                         if c.key not in ("nik_encrypted", "nik_hash"))
        serials = set(re.findall(r"(?=(\d{4}))", clear))
        rebuilt += [kode[:6] + dob + s for s in serials]
    assert not set(rebuilt) & set(niks)
    dump = "\n".join(_clear_text())
    assert not any(nik in dump or nik[-8:] in dump for nik in niks)  # nor any NIK's last eight digits anywhere
    masks = set(db.session.scalars(select(Child.nik_masked)))
    assert masks == {"6408" + "•" * 12}


def _as(client, email):
    client.post("/logout")
    assert login(client, email).status_code == 302


def test_no_nik_in_any_url_of_any_page_of_any_role(client, world, app_ctx):
    """Every page each role opens, with a search by NIK done first: no 16-digit number in a link, a form's
    action, a redirect; no GET form asks for a NIK."""
    from tests.test_permissions import EMAILS, MATRIX, _ids

    ids = _ids(world, app_ctx)
    nik = nik_for(date(2012, 5, 17), "L", 1)  # the matrix's child
    for role, email in EMAILS.items():
        _as(client, email)
        resp = client.post("/verval/anak", data={"nik": nik, "q": "Anak"})
        assert not SIXTEEN.search(resp.headers.get("Location", "")), role
        urls = [tpl.format(**ids) for ep, (tpl, get, _p) in MATRIX.items()
                if get[role] == 200 and not ep.startswith(("api.", "calendar.feed"))]
        urls.append("/verval/anak?cari=1")
        for url in urls:
            page = client.get(url)
            if "html" not in page.content_type:
                continue
            html = page.get_data(as_text=True)
            targets = [local(h, url) for h in scan(html).links] + [f.action for f in forms_of(html, url)]
            bad = [t for t in targets if SIXTEEN.search(urlsplit(t).path + "?" + urlsplit(t).query)]
            assert not bad, (role, url, bad)
            for form in forms_of(html, url):
                if form.method == "get":
                    assert not [f for f in form.fields if "nik" in f.name.lower()], (role, url, form.action)


def _reveal(client, child_id, **data):
    return client.post(f"/verval/anak/{child_id}/buka", data=data)


@pytest.fixture()
def child_id(app_ctx, world):
    child = make_child(app_ctx, "Budi Santoso", TELUK_LINGGA, serial=1, status="ats_valid")
    db.session.commit()
    return child.id


def test_the_full_record_opens_for_a_reason_one_child_at_a_time_and_is_logged(client, world, app_ctx, child_id):
    nik = nik_for(date(2012, 5, 17), "L", 1)
    _as(client, "verifikator@example.org")
    html = client.get(f"/verval/anak/{child_id}").get_data(as_text=True)
    assert nik not in html and "17 Mei 2012" not in html and "Ibu Budi Santoso" not in html
    # no reason, or "Lainnya" without saying what: asked again, nothing opened, nothing logged as opened
    for data, message in (({}, "Wajib diisi"), ({"reason": "lainnya"}, "Jelaskan alasannya")):
        html = _reveal(client, child_id, **data).get_data(as_text=True)
        assert message in html and nik not in html
    assert db.session.scalar(select(func.count()).where(ChildAccessLog.action == "reveal")) == 0
    resp = _reveal(client, child_id, reason="pencocokan", note="KK dibawa ibu ke posyandu")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and nik in html and "17 Mei 2012" in html and "Ibu Budi Santoso" in html
    log = db.session.scalar(select(ChildAccessLog).where(ChildAccessLog.action == "reveal"))
    assert (log.user_id, log.child_id) == (world.verifier.id, child_id)
    assert log.detail == "alasan: Pencocokan dengan KK atau data Dukcapil; KK dibawa ibu ke posyandu"
    # the next plain view is masked again
    assert nik not in client.get(f"/verval/anak/{child_id}").get_data(as_text=True)


def test_openings_past_the_limit_are_refused_and_the_admins_alerted_once(client, world, app_ctx, child_id):
    app_ctx.config.update(CHILD_REVEALS_PER_HOUR=3, FIXED_NOW=NOW.isoformat())
    nik = nik_for(date(2012, 5, 17), "L", 1)
    try:
        _as(client, "verifikator@example.org")
        for _ in range(3):
            assert nik in _reveal(client, child_id, reason="verifikasi").get_data(as_text=True)
        for _ in range(2):  # the fourth and fifth in the hour
            resp = _reveal(client, child_id, reason="verifikasi")
            assert resp.status_code == 302
            html = client.get(resp.headers["Location"]).get_data(as_text=True)
            assert "Batas pembukaan data lengkap tercapai: 3 anak dalam satu jam" in html and nik not in html
        actions = list(db.session.scalars(select(ChildAccessLog.action).where(
            ChildAccessLog.action.in_(("reveal", "reveal_refused"))).order_by(ChildAccessLog.id)))
        assert actions == ["reveal"] * 3 + ["reveal_refused"] * 2
        alerts = list(db.session.scalars(select(Notification).where(Notification.kind == "keamanan_data")))
        assert [n.user_id for n in alerts] == [world.admin.id]  # once, to the admin
        assert "verifikator@example.org" in alerts[0].title and alerts[0].url.endswith("/verval/log-akses")
        mails = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "keamanan_data")))
        assert [m.recipient for m in mails] == [world.admin.email] and "Periksa log akses" in mails[0].body_text
        # an hour later the verifier may open records again
        app_ctx.config["FIXED_NOW"] = (NOW + timedelta(hours=1, minutes=1)).isoformat()
        _as(client, "verifikator@example.org")  # signed in again: an hour idle ends a verifier's session
        assert nik in _reveal(client, child_id, reason="verifikasi").get_data(as_text=True)
    finally:
        app_ctx.config.update(CHILD_REVEALS_PER_HOUR=30, FIXED_NOW=None)


def test_a_deleted_action_gives_its_focal_points_no_child(client, world, app_ctx, child_id):
    db.session.add(ChildCase(child_id=child_id, action_id=world.a1.id, outcome="belum", created_at=NOW,
                             updated_at=NOW))
    db.session.commit()
    _as(client, "dinsos@example.org")
    assert client.get(f"/verval/anak/{child_id}").status_code == 200
    world.a1.deleted_at = NOW
    db.session.commit()
    assert client.get(f"/verval/anak/{child_id}").status_code == 404
    assert f'data-child="{child_id}"' not in client.get("/verval/anak").get_data(as_text=True)
    case_id = db.session.scalar(select(ChildCase.id).where(ChildCase.child_id == child_id))
    assert client.get(f"/verval/kasus/{case_id}").status_code == 404


def test_a_previewed_list_waits_encrypted_private_and_goes_within_the_hour(client, world, app_ctx):
    import io
    import stat
    import time
    from pathlib import Path

    from coordinator.web.pending_uploads import discard_stale_uploads

    # Earlier tests of this worker share the upload folder and may have left files waiting: start from none.
    discard_stale_uploads(app_ctx.config["UPLOAD_DIR"], now=time.time() + 10 * 3600)
    nik = nik_for(date(2012, 5, 17), "L", 42)
    _as(client, "koordinator@example.org")
    data = list_xlsx([_row("Budi", date(2012, 5, 17), "L", 42)])
    resp = client.post("/verval/impor", data={"file": (io.BytesIO(data), "bnba.xlsx"), "source": "Dapodik"},
                       content_type="multipart/form-data")
    assert resp.status_code == 200
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', resp.get_data(as_text=True)).group(1)
    folder = Path(app_ctx.config["UPLOAD_DIR"]) / "verval-pending"
    [waiting] = list(folder.iterdir())  # one file: no metadata beside it in clear
    assert waiting.name == token and stat.S_IMODE(waiting.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    stored = waiting.read_bytes()
    assert nik.encode() not in stored and data not in stored and b"Budi" not in stored and b"bnba" not in stored
    # the confirmation still saves exactly what was previewed
    assert client.post("/verval/impor/konfirmasi", data={"token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Child)) == 1 and not waiting.exists()
    # one nobody confirms is gone at the first hourly run after an hour
    resp = client.post("/verval/impor", data={"file": (io.BytesIO(data), "bnba.xlsx")},
                       content_type="multipart/form-data")
    assert len(list(folder.iterdir())) == 1
    assert discard_stale_uploads(app_ctx.config["UPLOAD_DIR"], now=time.time() + 1800) == 0
    assert discard_stale_uploads(app_ctx.config["UPLOAD_DIR"], now=time.time() + 3700) == 1
    assert list(folder.iterdir()) == []
