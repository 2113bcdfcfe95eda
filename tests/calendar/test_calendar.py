"""Private iCalendar feeds: what each feed holds, who may manage the secret URLs."""
from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from coordinator.calendar import feed as calendar_feed
from coordinator.extensions import db
from coordinator.models import CalendarFeed, User
from tests.conftest import FIXED_NOW, PASSWORD, World

NOW = datetime.fromisoformat(FIXED_NOW)
LOGIN = 302


@pytest.fixture()
def ctx(app_ctx):
    saved = app_ctx.config.get("BASE_URL")
    app_ctx.config["BASE_URL"] = "https://sitisek.example.go.id"
    yield app_ctx
    app_ctx.config["BASE_URL"] = saved


@pytest.fixture()
def w(ctx) -> World:
    return World()


@pytest.fixture()
def web(ctx):
    return ctx.test_client()


def sign_in(client, email):
    client.post("/logout")
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def events(ics: bytes) -> dict[str, tuple[date, str]]:
    cal = Calendar.from_ical(ics)
    return {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"])) for e in cal.walk("VEVENT")}


def created_url(page: str) -> str:
    """The URL of the link just made, as the page answering the POST shows it."""
    found = re.search(r'id="new-feed-url" type="text" readonly value="([^"]+)"', page)
    assert found, "no new link shown"
    return found.group(1)


def live_feeds() -> int:
    return db.session.scalar(select(func.count()).select_from(CalendarFeed).where(CalendarFeed.revoked_at.is_(None)))


# --- what the feeds hold ---------------------------------------------------------------------------------------

def test_focal_point_feed_holds_own_and_supported_actions_only(w):
    ics = calendar_feed.feed_for_user(db.session, w.focal, NOW, base_url="https://x.example")
    # a1 led by Dinsos (its open milestone m2; m1 is done), a2 supported by Dinsos; DPPPA's a3 and m3 are absent.
    assert events(ics) == {
        f"action-{w.a1.id}@sitisek": (date(2026, 12, 31), "[1.1.1] Pendampingan keluarga"),
        f"milestone-{w.m2.id}@sitisek": (date(2026, 12, 1), "[1.1.1] Pelaksanaan"),
        f"action-{w.a2.id}@sitisek": (date(2026, 10, 31), "[1.1.2] Verifikasi lapangan"),
    }
    cal = Calendar.from_ical(ics)
    assert str(cal["VERSION"]) == "2.0" and "SITISEK" in str(cal["PRODID"])
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Makassar"
    assert w.focal.name in str(cal["X-WR-CALNAME"])
    a2 = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"action-{w.a2.id}@sitisek")
    assert str(a2["URL"]) == f"https://x.example/actions/{w.a2.id}"
    assert "Disdikbud" in str(a2["DESCRIPTION"]) and "Terlambat" in str(a2["DESCRIPTION"])
    assert a2.decoded("DTEND") == date(2026, 11, 1)
    alarm = a2.walk("VALARM")[0]
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER").days == -1


def test_feed_is_in_the_users_language(w):
    w.focal.locale = "en"
    db.session.commit()
    cal = Calendar.from_ical(calendar_feed.feed_for_user(db.session, w.focal, NOW))
    a2 = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == f"action-{w.a2.id}@sitisek")
    # Without an English catalogue entry the Indonesian source is kept; either way no 500 and a valid feed.
    assert "Disdikbud" in str(a2["DESCRIPTION"])


def test_agency_feed_holds_lead_and_supporting_actions(w):
    dinsos = events(calendar_feed.feed_for_agency(db.session, w.dinsos, NOW))
    assert set(dinsos) == {f"action-{w.a1.id}@sitisek", f"milestone-{w.m2.id}@sitisek", f"action-{w.a2.id}@sitisek"}
    dpppa = events(calendar_feed.feed_for_agency(db.session, w.dpppa, NOW))
    assert dpppa == {
        f"action-{w.a3.id}@sitisek": (date(2027, 3, 31), "[1.1.3] Sosialisasi perkawinan anak"),
        f"milestone-{w.m3.id}@sitisek": (date(2026, 11, 20), "[1.1.3] Sosialisasi tahap I"),
    }


def test_coordinator_feed_holds_every_live_open_item(w):
    expected = {f"action-{w.a1.id}@sitisek", f"action-{w.a2.id}@sitisek", f"action-{w.a3.id}@sitisek",
                f"milestone-{w.m2.id}@sitisek", f"milestone-{w.m3.id}@sitisek"}
    for user in (w.coordinator, w.leader, w.admin):
        assert set(events(calendar_feed.feed_for_user(db.session, user, NOW))) == expected


def test_finished_cancelled_and_deleted_items_leave_the_feed(w):
    w.a2.marked_complete = True  # complete, no milestones: selesai
    w.a3.status_override = "dibatalkan"  # its open milestone m3 goes with it
    w.m2.state = "selesai"
    db.session.commit()
    assert set(events(calendar_feed.feed_for_user(db.session, w.coordinator, NOW))) == {f"action-{w.a1.id}@sitisek"}
    w.a1.deleted_at = NOW
    db.session.commit()
    assert events(calendar_feed.feed_for_user(db.session, w.coordinator, NOW)) == {}
    assert Calendar.from_ical(calendar_feed.feed_for_user(db.session, w.coordinator, NOW))["VERSION"] == "2.0"


def test_focal_point_without_agency_gets_an_empty_feed(w):
    w.focal.agency_id = None
    db.session.commit()
    assert events(calendar_feed.feed_for_user(db.session, w.focal, NOW)) == {}


# --- the public .ics URL -----------------------------------------------------------------------------------------

def test_feed_url_serves_calendar_without_login(w, web):
    _feed, token = calendar_feed.create_feed(db.session, user=w.focal, created_by=w.focal, now=NOW)
    db.session.commit()
    resp = web.get(f"/calendar/{token}.ics")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in resp.headers["Cache-Control"]
    got = events(resp.data)
    assert set(got) == {f"action-{w.a1.id}@sitisek", f"milestone-{w.m2.id}@sitisek", f"action-{w.a2.id}@sitisek"}
    cal = Calendar.from_ical(resp.data)
    urls = {str(e["URL"]) for e in cal.walk("VEVENT")}
    assert f"https://sitisek.example.go.id/actions/{w.a1.id}" in urls


def test_agency_feed_url(w, web):
    _feed, token = calendar_feed.create_feed(db.session, agency=w.dpppa, created_by=w.coordinator, now=NOW)
    db.session.commit()
    resp = web.get(f"/calendar/{token}.ics")
    assert resp.status_code == 200
    assert set(events(resp.data)) == {f"action-{w.a3.id}@sitisek", f"milestone-{w.m3.id}@sitisek"}


@pytest.mark.parametrize("token", ["nope", "x" * 64, "x" * 500, "%00", "a.b", "-_-"])
def test_unknown_token_is_404(w, web, token):
    assert web.get(f"/calendar/{token}.ics").status_code == 404


def test_revoked_and_recreated_tokens(w, web):
    _feed, old = calendar_feed.create_feed(db.session, user=w.focal, created_by=w.focal, now=NOW)
    db.session.commit()
    new, token = calendar_feed.create_feed(db.session, user=w.focal, created_by=w.focal, now=NOW)
    db.session.commit()
    assert token != old and len(token) >= 43
    assert web.get(f"/calendar/{old}.ics").status_code == 404
    assert web.get(f"/calendar/{token}.ics").status_code == 200
    calendar_feed.revoke(db.session, new, NOW)
    db.session.commit()
    assert web.get(f"/calendar/{token}.ics").status_code == 404


def test_deactivated_users_feed_stops(w, web):
    _feed, token = calendar_feed.create_feed(db.session, user=w.focal, created_by=w.focal, now=NOW)
    w.focal.active = False
    db.session.commit()
    assert web.get(f"/calendar/{token}.ics").status_code == 404


def test_only_the_tokens_hash_is_stored_and_the_shown_url_works(w, web):
    """The secret URL is in the page that answers the POST, and nowhere in the database (not in calendar_feed, not
    in the change history): it works, is never shown again, and a wrong, revoked or stored value gets 404."""
    client = sign_in(web, EMAILS["focal_own"])
    url = created_url(client.post("/account/calendar/new", data={}).get_data(as_text=True))
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43
    db.session.expire_all()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            assert not any(token in str(value) for value in row), (table.name, row)
    feed = calendar_feed.live_feed_of(db.session, user=w.focal)
    assert feed.token_hash == calendar_feed.hash_token(token) and token.startswith(feed.prefix)
    client.post("/logout")
    resp = web.get(url.removeprefix("https://sitisek.example.go.id"))
    assert resp.status_code == 200 and f"action-{w.a1.id}@sitisek" in events(resp.data)
    wrong = ("A" if token[0] != "A" else "B") + token[1:]
    for guess in (wrong, feed.token_hash, feed.prefix, token[:-1], token.upper()):
        assert web.get(f"/calendar/{guess}.ics").status_code == 404, guess
    calendar_feed.revoke(db.session, feed, NOW)
    db.session.commit()
    assert web.get(f"/calendar/{token}.ics").status_code == 404


def test_create_feed_needs_exactly_one_owner(w):
    with pytest.raises(calendar_feed.FeedOwnerError):
        calendar_feed.create_feed(db.session, created_by=w.admin, now=NOW)
    with pytest.raises(calendar_feed.FeedOwnerError):
        calendar_feed.create_feed(db.session, user=w.admin, agency=w.dinsos, created_by=w.admin, now=NOW)


# --- the account page and its buttons ----------------------------------------------------------------------------

EMAILS = {"leader": "pimpinan@example.org", "focal_own": "dinsos@example.org", "focal_other": "dpppa@example.org",
          "coordinator": "koordinator@example.org", "admin": "admin@example.org"}
ROLES = ("anon",) + tuple(EMAILS)


def _client_as(web, role):
    if role == "anon":
        return web
    return sign_in(web, EMAILS[role])


@pytest.mark.parametrize("role", ROLES)
def test_account_page_by_role(w, web, role):
    _feed, token = calendar_feed.create_feed(db.session, agency=w.dinsos, created_by=w.coordinator, now=NOW)
    db.session.commit()
    client = _client_as(web, role)
    resp = client.get("/account/calendar")
    if role == "anon":
        assert resp.status_code == LOGIN and "/login" in resp.headers["Location"]
        return
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Google Calendar" in page and "Outlook" in page
    agency_feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.agency_id == w.dinsos.id))
    shows_dinsos_feed = f"/calendar/{agency_feed.prefix}…" in page
    # Dinsos's focal point and coordinators/admins see the Dinsos feed (its beginning only: the secret is shown
    # once, when made); the leader and DPPPA's focal point do not.
    assert shows_dinsos_feed == (role in ("focal_own", "coordinator", "admin"))
    assert token not in page
    assert ("DPPPA" in page) == (role in ("focal_other", "coordinator", "admin"))
    assert client.post("/account/calendar").status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_create_own_feed_by_role(w, web, role):
    client = _client_as(web, role)
    resp = client.post("/account/calendar/new", data={})
    if role == "anon":
        assert resp.status_code == 302
        assert "/login" in resp.headers["Location"] and live_feeds() == 0
        return
    assert resp.status_code == 200 and "no-store" in resp.headers["Cache-Control"]
    user = db.session.scalar(select(User).where(User.email == EMAILS[role]))
    feed = calendar_feed.live_feed_of(db.session, user=user)
    assert feed is not None and feed.created_by_id == user.id
    url = created_url(resp.get_data(as_text=True))
    assert url.startswith(f"https://sitisek.example.go.id/calendar/{feed.prefix}")
    assert "tidak akan ditampilkan lagi" in resp.get_data(as_text=True)
    token = url.removeprefix("https://sitisek.example.go.id/calendar/").removesuffix(".ics")
    assert calendar_feed.hash_token(token) == feed.token_hash
    page = client.get("/account/calendar").get_data(as_text=True)
    assert token not in page and f"/calendar/{feed.prefix}…" in page  # shown once
    # Re-creating revokes the old token.
    client.post("/account/calendar/new", data={})
    db.session.expire_all()
    assert db.session.get(CalendarFeed, feed.id).revoked_at is not None
    assert live_feeds() == 1
    assert client.get("/account/calendar/new").status_code == 405


# Who may create Dinsos's agency feed: its focal point, coordinators and admins; others 404.
AGENCY_CREATE = {"anon": LOGIN, "leader": 404, "focal_own": 200, "focal_other": 404, "coordinator": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_create_agency_feed_by_role(w, web, role):
    client = _client_as(web, role)
    resp = client.post("/account/calendar/new", data={"agency_id": str(w.dinsos.id)})
    assert resp.status_code == AGENCY_CREATE[role]
    made = calendar_feed.live_feed_of(db.session, agency=w.dinsos)
    assert (made is not None) == (AGENCY_CREATE[role] == 200)
    if made is not None:  # the page answering the POST shows the new link, once
        assert created_url(resp.get_data(as_text=True)).startswith(f"https://sitisek.example.go.id/calendar/"
                                                                   f"{made.prefix}")


@pytest.mark.parametrize("junk", ["abc", "-1", "99999999", "9" * 40, "1.5", " "])
def test_create_feed_with_junk_agency_is_not_a_500(w, web, junk):
    client = sign_in(web, EMAILS["coordinator"])
    resp = client.post("/account/calendar/new", data={"agency_id": junk})
    if junk.strip():
        assert resp.status_code == 404
        assert live_feeds() == 0
    else:
        assert resp.status_code == 200  # blank means the user's own feed


# Revoking Dinsos's agency feed: its focal point, coordinators and admins; others 404.
AGENCY_REVOKE = {"anon": LOGIN, "leader": 404, "focal_own": 302, "focal_other": 404, "coordinator": 302, "admin": 302}


@pytest.mark.parametrize("role", ROLES)
def test_revoke_agency_feed_by_role(w, web, role):
    feed, _token = calendar_feed.create_feed(db.session, agency=w.dinsos, created_by=w.coordinator, now=NOW)
    db.session.commit()
    client = _client_as(web, role)
    assert client.get(f"/account/calendar/{feed.id}/revoke").status_code == 405
    resp = client.post(f"/account/calendar/{feed.id}/revoke")
    assert resp.status_code == AGENCY_REVOKE[role]
    db.session.expire_all()
    revoked = db.session.get(CalendarFeed, feed.id).revoked_at is not None
    assert revoked == (AGENCY_REVOKE[role] == 302 and role != "anon")


# A personal feed: only its owner may revoke it, not even an admin.
PERSONAL_REVOKE = {"anon": LOGIN, "leader": 404, "focal_own": 302, "focal_other": 404, "coordinator": 404,
                   "admin": 404}


@pytest.mark.parametrize("role", ROLES)
def test_revoke_personal_feed_by_role(w, web, role):
    feed, token = calendar_feed.create_feed(db.session, user=w.focal, created_by=w.focal, now=NOW)
    db.session.commit()
    client = _client_as(web, role)
    resp = client.post(f"/account/calendar/{feed.id}/revoke")
    assert resp.status_code == PERSONAL_REVOKE[role]
    db.session.expire_all()
    stays = PERSONAL_REVOKE[role] != 302 or role == "anon"
    assert (db.session.get(CalendarFeed, feed.id).revoked_at is None) == stays
    client.post("/logout")
    assert web.get(f"/calendar/{token}.ics").status_code == (200 if stays else 404)


def test_focal_point_cannot_revoke_another_users_feed(w, web):
    theirs, token = calendar_feed.create_feed(db.session, user=w.other_focal, created_by=w.other_focal, now=NOW)
    db.session.commit()
    client = sign_in(web, EMAILS["focal_own"])
    assert client.post(f"/account/calendar/{theirs.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(CalendarFeed, theirs.id).revoked_at is None
    assert live_feeds() == 1
    assert web.get(f"/calendar/{token}.ics").status_code == 200


def test_revoke_unknown_or_huge_id_is_404(w, web):
    client = sign_in(web, EMAILS["admin"])
    assert client.post("/account/calendar/424242/revoke").status_code == 404
    assert client.post(f"/account/calendar/{2**70}/revoke").status_code == 404


def test_revoking_twice_is_harmless(w, web):
    feed, _token = calendar_feed.create_feed(db.session, user=w.focal, created_by=w.focal, now=NOW)
    db.session.commit()
    client = sign_in(web, EMAILS["focal_own"])
    assert client.post(f"/account/calendar/{feed.id}/revoke").status_code == 302
    assert client.post(f"/account/calendar/{feed.id}/revoke").status_code == 302
    assert live_feeds() == 0
