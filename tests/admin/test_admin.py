"""Admin: user accounts, areas and reference lists, through the web client."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from coordinator.accounts import users as accounts
from coordinator.core import choices
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Action, Area, AuditEntry, ReferenceItem, User
from tests.conftest import PASSWORD, login

ADMIN = "admin@example.org"
COORDINATOR = "koordinator@example.org"
LEADER = "pimpinan@example.org"
FOCAL = "dinsos@example.org"
OTHER_FOCAL = "dpppa@example.org"
ROLE_EMAILS = {"anonymous": None, "leader": LEADER, "focal": FOCAL, "coordinator": COORDINATOR, "admin": ADMIN}
NEW_PASSWORD = "sandi-kopi-pagi-2026!"


def snapshot():
    """Everything the admin pages can change, read fresh from the database."""
    db.session.expire_all()
    users = db.session.execute(select(
        User.id, User.email, User.name, User.role, User.agency_id, User.locale, User.active, User.password_hash,
        User.session_token).order_by(User.id)).all()
    areas = db.session.execute(select(Area.kode, Area.nama, Area.level, Area.jenis, Area.parent_kode, Area.active)
                               .order_by(Area.kode)).all()
    items = db.session.execute(select(ReferenceItem.id, ReferenceItem.list_name, ReferenceItem.code,
                                      ReferenceItem.label_id, ReferenceItem.label_en, ReferenceItem.position,
                                      ReferenceItem.active).order_by(ReferenceItem.id)).all()
    return users, areas, items


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def item_id(code: str) -> int:
    return db.session.scalar(select(ReferenceItem.id).where(ReferenceItem.code == code))


def text(resp) -> str:
    return resp.get_data(as_text=True)


def user_data(w, **over):
    return {"name": "Petugas DPPPA", "email": OTHER_FOCAL, "role": "fokal", "agency_id": str(w.dpppa.id),
            "locale": "id", "active": "y", **over}


def new_user_data(**over):
    return {"name": "Kabid PNF", "email": "kabid.pnf@example.org", "role": "pimpinan", "agency_id": "",
            "locale": "id", "active": "y", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, **over}


# --- Access: every route, every role ------------------------------------------------------------------

USER_ROUTES = {
    "users_list": lambda w: ("GET", "/admin/users", None),
    "users_filtered": lambda w: ("GET", f"/admin/users?role=fokal&agency={w.dinsos.id}&active=1&q=dinsos", None),
    "user_new_get": lambda w: ("GET", "/admin/users/new", None),
    "user_new_post": lambda w: ("POST", "/admin/users/new", new_user_data()),
    "user_edit_get": lambda w: ("GET", f"/admin/users/{w.other_focal.id}/edit", None),
    "user_edit_post": lambda w: ("POST", f"/admin/users/{w.other_focal.id}/edit", user_data(w)),
    "user_password": lambda w: ("POST", f"/admin/users/{w.other_focal.id}/password",
                                {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    "user_toggle": lambda w: ("POST", f"/admin/users/{w.other_focal.id}/toggle", {}),
}
REFERENCE_ROUTES = {
    "areas_list": lambda w: ("GET", "/admin/areas", None),
    "area_new_get": lambda w: ("GET", "/admin/areas/new", None),
    "area_new_post": lambda w: ("POST", "/admin/areas/new",
                                {"kode": "64.08.06", "nama": "Sangatta Selatan", "jenis": "", "active": "y"}),
    "area_edit_get": lambda w: ("GET", "/admin/areas/64.08.04.1001/edit", None),
    "area_edit_post": lambda w: ("POST", "/admin/areas/64.08.05/edit", {"nama": "Bengalon Raya", "active": "y"}),
    "area_delete": lambda w: ("POST", "/admin/areas/64.08.05/delete", {}),
    "reference_list": lambda w: ("GET", "/admin/reference", None),
    "reference_new_get": lambda w: ("GET", "/admin/reference/sumber_dana/new", None),
    "reference_new_post": lambda w: ("POST", "/admin/reference/sumber_dana/new",
                                     {"code": "BANKEU", "label_id": "Bantuan Keuangan Provinsi", "label_en": "",
                                      "position": "", "active": "y"}),
    "reference_edit_get": lambda w: ("GET", f"/admin/reference/items/{item_id('APBD')}/edit", None),
    "reference_edit_post": lambda w: ("POST", f"/admin/reference/items/{item_id('APBD')}/edit",
                                      {"label_id": "APBD Kabupaten", "label_en": "Regency budget",
                                       "position": "0", "active": "y"}),
}
ALLOWED = {"users": {"coordinator", "admin"}, "reference": {"admin"}}
CASES = [(name, spec, "users") for name, spec in USER_ROUTES.items()] + \
        [(name, spec, "reference") for name, spec in REFERENCE_ROUTES.items()]


@pytest.mark.parametrize("role", list(ROLE_EMAILS))
@pytest.mark.parametrize("name,spec,group", CASES, ids=[c[0] for c in CASES])
def test_access_by_role(client, world, role, name, spec, group):
    if role != "anonymous":
        assert login(client, ROLE_EMAILS[role]).status_code == 302
    method, url, data = spec(world)
    before = snapshot()
    resp = client.get(url) if method == "GET" else client.post(url, data=data)
    allowed = role in ALLOWED[group]
    expected = 403 if not allowed else 200 if method == "GET" else 302
    if role == "anonymous":
        expected = 302
        assert resp.headers["Location"].startswith("/login")
    assert resp.status_code == expected, text(resp)[:2000]
    assert (snapshot() != before) == (allowed and method == "POST")  # refused or read-only: nothing changed


def test_menu_links_follow_the_role(client, world):
    login(client, COORDINATOR)
    page = text(client.get("/monitor"))
    assert "/admin/users" in page and "/admin/areas" not in page and "/admin/reference" not in page
    client.post("/logout")
    login(client, ADMIN)
    page = text(client.get("/monitor"))
    assert "/admin/users" in page and "/admin/areas" in page and "/admin/reference" in page


# --- Users -------------------------------------------------------------------------------------------

def test_coordinator_creates_a_focal_point_who_can_log_in(client, world, app_ctx):
    login(client, COORDINATOR)
    resp = client.post("/admin/users/new", data=new_user_data(
        email="  Fokal.Baru@Example.org ", role="fokal", agency_id=str(world.dinsos.id)))
    assert resp.status_code == 302
    created = user("fokal.baru@example.org")
    assert created.role == "fokal" and created.agency_id == world.dinsos.id and created.active
    other = app_ctx.test_client()
    assert login(other, "fokal.baru@example.org", NEW_PASSWORD).status_code == 302


def test_user_list_filters_and_search(as_user, world):
    client = as_user(COORDINATOR)
    page = text(client.get("/admin/users?role=fokal"))
    assert FOCAL in page and OTHER_FOCAL in page and LEADER not in page and ADMIN not in page
    page = text(client.get(f"/admin/users?agency={world.dpppa.id}"))
    assert OTHER_FOCAL in page and FOCAL not in page
    page = text(client.get("/admin/users?q=PIMPIN"))
    assert LEADER in page and FOCAL not in page
    world.leader.active = False
    db.session.commit()
    page = text(client.get("/admin/users?active=0"))
    assert LEADER in page and FOCAL not in page
    assert "Tidak ada pengguna yang cocok" in text(client.get("/admin/users?q=tidak-ada-orang-ini"))
    # typed text, not a pattern
    assert "Tidak ada pengguna yang cocok" in text(client.get("/admin/users", query_string={"q": "%"}))


def test_coordinator_cannot_create_an_admin(as_user, world):
    client = as_user(COORDINATOR)
    assert 'value="admin"' not in text(client.get("/admin/users/new"))
    before = snapshot()
    resp = client.post("/admin/users/new", data=new_user_data(role="admin"))
    assert resp.status_code == 200
    assert "Pilihan tidak sah." in text(resp)
    with pytest.raises(DomainError) as err:  # the service refuses too, whatever the form offers
        accounts.create_user(db.session, actor=world.coordinator, email="x@example.org", name="X", password=PASSWORD,
                             role="admin", agency_id=None, locale="id", active=True, now=world.admin.created_at)
    assert err.value.field == "role"
    with pytest.raises(DomainError):
        accounts.reset_password(db.session, world.admin, NEW_PASSWORD, actor=world.coordinator)
    db.session.rollback()
    assert snapshot() == before


def test_coordinator_cannot_edit_or_promote_to_admin(as_user, world):
    client = as_user(COORDINATOR)
    admin_id = world.admin.id
    before = snapshot()
    assert client.get(f"/admin/users/{admin_id}/edit").status_code == 403
    assert client.post(f"/admin/users/{admin_id}/edit", data=user_data(
        world, email=ADMIN, role="koordinator", agency_id="")).status_code == 403
    assert client.post(f"/admin/users/{admin_id}/password",
                       data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 403
    assert client.post(f"/admin/users/{admin_id}/toggle").status_code == 403
    resp = client.post(f"/admin/users/{world.other_focal.id}/edit", data=user_data(world, role="admin"))
    assert resp.status_code == 200
    assert "Pilihan tidak sah." in text(resp)
    assert snapshot() == before
    page = text(client.get("/admin/users"))
    assert f"/admin/users/{admin_id}/edit" not in page


def test_admin_may_manage_admins(as_user, world):
    client = as_user(ADMIN)
    resp = client.post(f"/admin/users/{world.coordinator.id}/edit", data=user_data(
        world, name="Koordinator", email=COORDINATOR, role="admin", agency_id=str(world.disdik.id)))
    assert resp.status_code == 302
    assert user(COORDINATOR).role == "admin"


@pytest.mark.parametrize("email", [ADMIN, COORDINATOR])
def test_nobody_can_deactivate_or_demote_themselves(as_user, world, email):
    client = as_user(email)
    me = user(email)
    before = snapshot()
    resp = client.post(f"/admin/users/{me.id}/toggle")
    assert resp.status_code == 200
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in text(resp)
    resp = client.post(f"/admin/users/{me.id}/edit", data=user_data(
        world, name=me.name, email=email, role=me.role, agency_id=str(me.agency_id or ""), active=""))
    assert resp.status_code == 200
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri." in text(resp)
    resp = client.post(f"/admin/users/{me.id}/edit", data=user_data(
        world, name=me.name, email=email, role="pimpinan", agency_id=str(me.agency_id or "")))
    assert resp.status_code == 200
    assert "Anda tidak dapat mengubah peran akun Anda sendiri." in text(resp)
    assert snapshot() == before
    assert client.get("/admin/users").status_code == 200  # still signed in


def test_duplicate_email_is_refused(as_user, world):
    client = as_user(ADMIN)
    before = snapshot()
    resp = client.post("/admin/users/new", data=new_user_data(email=" KOORDINATOR@example.org"))
    assert resp.status_code == 200
    assert "Email sudah dipakai pengguna lain." in text(resp)
    resp = client.post(f"/admin/users/{world.other_focal.id}/edit", data=user_data(world, email=FOCAL))
    assert resp.status_code == 200
    assert "Email sudah dipakai pengguna lain." in text(resp)
    assert snapshot() == before


def test_focal_point_needs_an_agency(as_user, world):
    client = as_user(COORDINATOR)
    before = snapshot()
    resp = client.post("/admin/users/new", data=new_user_data(role="fokal", agency_id=""))
    assert resp.status_code == 200
    assert "Petugas fokal harus terhubung ke satu instansi." in text(resp)
    resp = client.post(f"/admin/users/{world.other_focal.id}/edit", data=user_data(world, agency_id=""))
    assert resp.status_code == 200
    assert "Petugas fokal harus terhubung ke satu instansi." in text(resp)
    assert snapshot() == before


def test_password_must_be_long_enough(as_user, world):
    client = as_user(ADMIN)
    before = snapshot()
    resp = client.post("/admin/users/new", data=new_user_data(password="pendek", confirm="pendek"))
    assert resp.status_code == 200
    assert "Kata sandi minimal 12 karakter." in text(resp)
    resp = client.post(f"/admin/users/{world.focal.id}/password",
                       data={"password": "123456789", "confirm": "123456789"})
    assert resp.status_code == 200
    assert "Kata sandi minimal 12 karakter." in text(resp)
    resp = client.post(f"/admin/users/{world.focal.id}/password", data={"password": NEW_PASSWORD, "confirm": "lain"})
    assert resp.status_code == 200
    assert "Kedua kata sandi tidak sama." in text(resp)
    assert snapshot() == before


def test_password_reset_ends_the_users_sessions(as_user, world, app_ctx):
    focal_client = app_ctx.test_client()
    assert login(focal_client, FOCAL).status_code == 302
    assert focal_client.get("/account").status_code == 200
    admin_client = as_user(ADMIN)
    resp = admin_client.post(f"/admin/users/{world.focal.id}/password",
                             data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert resp.status_code == 302
    resp = focal_client.get("/account")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert admin_client.get("/admin/users").status_code == 200  # the admin's own session is untouched
    assert login(focal_client, FOCAL, PASSWORD).status_code == 200  # old password no longer works
    assert login(focal_client, FOCAL, NEW_PASSWORD).status_code == 302


def test_deactivated_user_cannot_log_in(as_user, world, app_ctx):
    focal_client = app_ctx.test_client()
    assert login(focal_client, FOCAL).status_code == 302
    admin_client = as_user(ADMIN)
    resp = admin_client.post(f"/admin/users/{world.focal.id}/toggle", data={"next": "/admin/users?role=fokal"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/users?role=fokal"
    assert not user(FOCAL).active
    assert focal_client.get("/account").status_code == 302  # the running session ended
    resp = login(app_ctx.test_client(), FOCAL)
    assert resp.status_code == 200 and "Email atau kata sandi salah." in text(resp)
    assert 'class="muted"' in text(admin_client.get("/admin/users?active=0"))
    resp = admin_client.post(f"/admin/users/{world.focal.id}/toggle", data={"next": "https://evil.example/"})
    assert resp.headers["Location"] == "/admin/users"
    assert user(FOCAL).active
    assert login(app_ctx.test_client(), FOCAL).status_code == 302


def test_forms_carry_csrf_tokens(as_user, world, app_ctx):
    client = as_user(ADMIN)
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    before = snapshot()
    assert client.post(f"/admin/users/{world.focal.id}/toggle").status_code == 400
    assert snapshot() == before
    page = text(client.get(f"/admin/users/{world.focal.id}/edit"))
    tokens = re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert len(tokens) >= 3  # data, password and activation forms
    token = next(a or b for a, b in tokens)
    resp = client.post(f"/admin/users/{world.focal.id}/toggle", data={"csrf_token": token})
    assert resp.status_code == 302 and not user(FOCAL).active


def test_unknown_ids_give_404(as_user, world):
    client = as_user(ADMIN)
    for method, url in [("GET", "/admin/users/9999/edit"), ("POST", "/admin/users/9999/edit"),
                        ("POST", "/admin/users/9999/password"), ("POST", "/admin/users/9999/toggle"),
                        ("GET", "/admin/areas/64.08.99/edit"), ("POST", "/admin/areas/64.08.99/delete"),
                        ("GET", "/admin/reference/items/9999/edit"), ("GET", "/admin/reference/tidak_ada/new"),
                        ("POST", "/admin/reference/tidak_ada/new")]:
        resp = client.open(url, method=method, data={"code": "X", "label_id": "X", **user_data(world)})
        assert resp.status_code == 404, (method, url)


# --- Areas -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data,message", [
    ({"kode": "64.8.4", "nama": "Salah"}, "Kode wilayah harus berbentuk 64.08.04 (kecamatan)"),
    ({"kode": "64.08.04.10", "nama": "Salah"}, "Kode wilayah harus berbentuk 64.08.04 (kecamatan)"),
    ({"kode": "64.08.99.2001", "nama": "Desa Baru", "jenis": "desa"},
     "Kecamatan induk 64.08.99 tidak ditemukan."),
    ({"kode": "64.08.04", "nama": "Sangatta Utara Lagi"}, "Kode wilayah 64.08.04 sudah dipakai."),
    ({"kode": "64.08.04.2009", "nama": "Desa Tanpa Jenis", "jenis": ""}, "Pilih jenis: desa, kelurahan"),
    ({"kode": "64.08.04.2009", "nama": "teluk lingga", "jenis": "desa"}, "Nama ini sudah dipakai wilayah"),
])
def test_bad_areas_are_refused(as_user, world, data, message):
    client = as_user(ADMIN)
    before = snapshot()
    resp = client.post("/admin/areas/new", data=dict(data, active="y"))
    assert resp.status_code == 200
    assert message in text(resp)
    assert snapshot() == before


def test_new_desa_gets_its_kecamatan_from_the_code(as_user, world):
    client = as_user(ADMIN)
    resp = client.post("/admin/areas/new", data={"kode": " 64.08.05.2001 ", "nama": " Sepaso  Barat ",
                                                  "jenis": "persiapan", "active": "y"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/areas/64.08.05.2001/edit"
    db.session.expire_all()
    desa = db.session.get(Area, "64.08.05.2001")
    assert (desa.level, desa.parent_kode, desa.nama, desa.jenis) == ("desa", "64.08.05", "Sepaso Barat", "persiapan")
    page = text(client.get("/admin/areas"))
    assert "Sepaso Barat" in page and "Desa persiapan" in page
    assert ("64.08.05.2001", "— Sepaso Barat (Bengalon)") in choices.area_choices(db.session)


def test_area_edit_shows_in_history(as_user, world):
    client = as_user(ADMIN)
    resp = client.post("/admin/areas/64.08.04.1001/edit", data={"nama": "Teluk Lingga Raya", "jenis": "kelurahan",
                                                                "active": "y"})
    assert resp.status_code == 302
    page = text(client.get("/admin/areas/64.08.04.1001/edit"))
    assert "Riwayat perubahan" in page
    history = page.split("Riwayat perubahan")[1]
    assert "Teluk Lingga Raya" in history and "Teluk Lingga" in history and "Admin" in history
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "area",
                                                       AuditEntry.operation == "update"))
    assert entry.entity_id == "64.08.04.1001" and entry.user_id == world.admin.id
    assert entry.before == {"nama": "Teluk Lingga"} and entry.after == {"nama": "Teluk Lingga Raya"}


def test_inactive_areas_are_greyed_and_leave_the_choices(as_user, world):
    client = as_user(ADMIN)
    resp = client.post("/admin/areas/64.08.04.1001/edit", data={"nama": "Teluk Lingga", "jenis": "kelurahan"})
    assert resp.status_code == 302
    page = text(client.get("/admin/areas"))
    row = page.split("64.08.04.1001/edit")[0].rsplit("<tr", 1)[1]
    assert 'class="muted inactive"' in row
    assert "64.08.04.1001" not in dict(choices.area_choices(db.session))
    # a desa cannot be active under an inactive kecamatan
    assert client.post("/admin/areas/64.08.04/edit", data={"nama": "Sangatta Utara"}).status_code == 302
    before = snapshot()
    resp = client.post("/admin/areas/64.08.04.1001/edit", data={"nama": "Teluk Lingga", "jenis": "kelurahan",
                                                                "active": "y"})
    assert resp.status_code == 200
    assert "Aktifkan kecamatannya lebih dulu." in text(resp)
    assert snapshot() == before


def test_areas_in_use_are_deactivated_not_deleted(as_user, world):
    action = db.session.get(Action, world.a1.id)
    action.areas = [db.session.get(Area, "64.08.05")]
    db.session.commit()
    client = as_user(ADMIN)
    assert "Wilayah ini dipakai aksi rencana" in text(client.get("/admin/areas/64.08.05/edit"))
    resp = client.post("/admin/areas/64.08.05/delete")
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Area, "64.08.05").active is False
    resp = client.post("/admin/areas/64.08.04/delete")  # has a desa under it
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Area, "64.08.04").active is False
    assert db.session.get(Area, "64.08.04.1001") is not None
    row = text(client.get("/admin/areas")).split("64.08.05/edit")[1].split("</tr>")[0]
    assert 'data-label="Aksi">1<' in row  # actions per area


def test_unused_area_is_deleted(as_user, world):
    db.session.add(Area(kode="64.08.05.2009", nama="Desa Baru", level="desa", jenis="persiapan",
                        parent_kode="64.08.05"))
    db.session.commit()
    client = as_user(ADMIN)
    assert "belum dipakai" in text(client.get("/admin/areas/64.08.05.2009/edit"))
    resp = client.post("/admin/areas/64.08.05.2009/delete")
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/areas"
    db.session.expire_all()
    assert db.session.get(Area, "64.08.05.2009") is None


def test_a_desa_with_a_verifier_is_deactivated_not_deleted(as_user, world):
    client = as_user(ADMIN)
    client.post("/admin/areas/64.08.04.1001/delete")
    db.session.expire_all()
    assert db.session.get(Area, "64.08.04.1001").active is False  # its verifier assignment still points at it


# --- Reference lists ---------------------------------------------------------------------------------

def test_new_reference_item_goes_to_the_end(as_user, world):
    client = as_user(ADMIN)
    page = text(client.get("/admin/reference"))
    assert "Sumber dana" in page and "Dana Desa/ADD (APBDes)" in page and "/admin/reference/sumber_dana/new" in page
    assert "DD, ADD" in page  # the aliases a matrix may use
    resp = client.post("/admin/reference/sumber_dana/new", data={
        "code": "BANKEU", "label_id": "Bantuan Keuangan Provinsi", "label_en": "", "position": "",
        "aliases": " Bankeu ,, BKP  ", "active": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(ReferenceItem, item_id("BANKEU"))
    assert (item.list_name, item.label_en, item.position) == ("sumber_dana", "Bantuan Keuangan Provinsi", 12)
    assert item.aliases == "Bankeu, BKP"
    assert choices.funding_choices(db.session, "id")[-1] == ("BANKEU", "Bantuan Keuangan Provinsi")


def test_duplicate_reference_code_is_refused(as_user, world):
    client = as_user(ADMIN)
    before = snapshot()
    resp = client.post("/admin/reference/sumber_dana/new", data={"code": "apbd", "label_id": "APBD lagi",
                                                                 "active": "y"})
    assert resp.status_code == 200
    assert "Kode apbd sudah ada di daftar ini." in text(resp)
    resp = client.post("/admin/reference/sumber_dana/new", data={"code": "dana desa", "label_id": "Dana Desa"})
    assert resp.status_code == 200
    assert "Kode hanya boleh berisi huruf, angka" in text(resp)
    # a name another item answers to: an imported "DAK Fisik" would mean one or the other by chance
    resp = client.post("/admin/reference/sumber_dana/new", data={"code": "DAK_FISIK", "label_id": "DAK Fisik",
                                                                 "active": "y"})
    assert resp.status_code == 200 and "Nama &#34;DAK Fisik&#34; sudah dipakai oleh DAK di daftar ini" in text(resp)
    resp = client.post(f"/admin/reference/items/{item_id('CSR')}/edit", data={
        "label_id": "CSR", "label_en": "CSR", "aliases": "TJSL, DD", "active": "y"})
    assert resp.status_code == 200 and "sudah dipakai oleh Dana Desa/ADD (APBDes)" in text(resp)
    assert snapshot() == before


def test_reference_item_edit_and_deactivate(as_user, world):
    client = as_user(ADMIN)
    ident = item_id("CSR")
    resp = client.post(f"/admin/reference/items/{ident}/edit", data={
        "code": "HACK", "label_id": "CSR perusahaan", "label_en": "Company CSR", "position": "3"})
    assert resp.status_code == 302
    db.session.expire_all()
    item = db.session.get(ReferenceItem, ident)
    assert (item.code, item.label_id, item.label_en, item.active) == ("CSR", "CSR perusahaan", "Company CSR", False)
    assert "CSR" not in dict(choices.funding_choices(db.session, "id"))
    page = text(client.get("/admin/reference"))
    row = page.split(f"/admin/reference/items/{ident}/edit")[0].rsplit("<tr", 1)[1]
    assert 'class="muted inactive"' in row and "Nonaktif" in row
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "reference_item",
                                                       AuditEntry.operation == "update"))
    assert entry.after["label_id"] == "CSR perusahaan"


def test_user_and_reference_changes_show_in_their_history(world, as_user):
    from coordinator.models import ReferenceItem

    client = as_user("admin@example.org")
    client.post(f"/admin/users/{world.other_focal.id}/toggle")
    page = client.get(f"/admin/users/{world.other_focal.id}/edit").get_data(as_text=True)
    history = page.split("Riwayat perubahan")[1]
    assert "<td>Aktif</td><td>ya</td><td>tidak</td>" in history and "Admin" in history
    item = db.session.scalar(select(ReferenceItem).where(ReferenceItem.code == "CSR"))
    client.post(f"/admin/reference/items/{item.id}/edit", data={"label_id": "CSR perusahaan", "label_en": "CSR",
                                                                "position": "3", "active": "y"})
    page = client.get(f"/admin/reference/items/{item.id}/edit").get_data(as_text=True)
    assert "CSR perusahaan" in page.split("Riwayat perubahan")[1]


def test_a_password_reset_is_in_the_history_without_the_hash(world, as_user):
    from coordinator.models import AuditEntry

    client = as_user("admin@example.org")
    client.post(f"/admin/users/{world.other_focal.id}/password",
                data={"password": "sandi-baru-yang-panjang", "confirm": "sandi-baru-yang-panjang"})
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "user",
                                                       AuditEntry.operation == "update",
                                                       AuditEntry.entity_id == str(world.other_focal.id)))
    assert entry.after == {"password": "diganti"} and "password_hash" not in str(entry.before)
    assert entry.user.email == "admin@example.org"


def test_changing_a_refused_address_clears_the_flag(world, as_user):
    from datetime import datetime as _dt

    world.other_focal.email_undeliverable_at = _dt(2026, 11, 20)
    world.other_focal.email_undeliverable_reason = "550 unknown user"
    db.session.commit()
    client = as_user("admin@example.org")
    resp = client.post(f"/admin/users/{world.other_focal.id}/edit", data={
        "email": "dpppa.baru@example.org", "name": "Dpppa", "role": "fokal", "agency_id": world.dpppa.id,
        "locale": "id", "active": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    user = db.session.get(type(world.other_focal), world.other_focal.id)
    assert user.email == "dpppa.baru@example.org" and user.email_undeliverable_at is None


def test_unknown_area_codes_are_404_even_with_a_nul(as_user, world):
    client = as_user("admin@example.org")
    for kode in ("99.99", "%00", "64.08.04%00"):
        assert client.get(f"/admin/areas/{kode}/edit").status_code == 404, kode
        assert client.post(f"/admin/areas/{kode}/delete").status_code == 404, kode
