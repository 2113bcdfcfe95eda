"""Cached page content (coordinator/web/page_cache.py): served again while the data is unchanged, never stale.

The monitor, the action list and the ATS pages are kept rendered per process, keyed by the data revision token
(core/revision.py). These tests prove the cache is really used, and that every way the shown data can change
(a form, another worker on the same database, a new day, the reader's language, role or agency, changes not yet
committed) gives the page as freshly built.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select

from coordinator import create_app
from coordinator.ats import pages as ats_pages
from coordinator.core import revision
from coordinator.extensions import db
from coordinator.models import Action, DataRevision, LoginAttempt, Milestone, Notification
from coordinator.web.page_cache import ContentCache, content_cache
from tests.ats.test_pages import snapshot
from tests.conftest import login, make_user
from tests.helpers import MINIMAL_PDF

CACHED_PAGES = ["/monitor", "/actions", "/actions?status=terlambat&sort=due_date", "/ats", "/ats/area/64.08.04",
                "/actions/{a1}"]


@pytest.fixture()
def cache(app_ctx):
    app_ctx.config["PAGE_CACHE"] = True
    store = content_cache()
    store.clear()
    yield store
    app_ctx.extensions["page_cache"] = store  # a test that put in a cache with a folder leaves no trace


def _signed_in(app, email):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _text(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_the_second_request_is_served_from_the_cache(world, cache, url):
    client = _signed_in(world_app(), "koordinator@example.org")
    url = url.format(a1=world.a1.id)
    first = _text(client, url)
    hits = cache.hits
    second = _text(client, url)
    assert cache.hits == hits + 1
    # The layout too; the CSRF tokens carry the second they were signed in, so they may differ.
    assert _without_tokens(second) == _without_tokens(first)


def world_app():
    from flask import current_app

    return current_app._get_current_object()


def test_a_hit_runs_none_of_the_page_queries(world, cache, monkeypatch):
    import coordinator.monitor.routes as monitor_routes

    calls = []
    real = monitor_routes.build_monitor
    monkeypatch.setattr(monitor_routes, "build_monitor", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = _signed_in(world_app(), "koordinator@example.org")
    for _ in range(3):
        _text(client, "/monitor")
    assert len(calls) == 1


def test_a_progress_update_shows_at_once_on_every_cached_page(world, cache):
    app = world_app()
    coordinator = _signed_in(app, "koordinator@example.org")
    focal = _signed_in(app, "dinsos@example.org")
    before = {url: _text(coordinator, url) for url in ("/monitor", "/actions")}
    assert "Belum ada laporan." in before["/monitor"]
    resp = focal.post(f"/actions/{world.a1.id}/progress/new", content_type="multipart/form-data", data={
        "period": "2026-11", "percent_complete": "40", "achievements": "120 anak didata ulang",
        "files": [(io.BytesIO(MINIMAL_PDF), "berita-acara.pdf")]})
    assert resp.status_code == 302
    monitor = _text(coordinator, "/monitor")
    assert "Belum ada laporan." not in monitor and "40%" in monitor
    assert _text(coordinator, "/actions") != before["/actions"]  # the list's progress column


@pytest.mark.commits
def test_a_change_by_another_worker_is_seen(world, cache, tmp_path):
    """Two app instances on one database, each with its own memory and one shared folder, as two gunicorn
    workers: the second finds what the first built; a change committed by either is seen by both."""
    from config import TestingConfig

    app = world_app()
    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    cfg.UPLOAD_DIR = app.config["UPLOAD_DIR"]
    other = create_app(cfg)
    other.config.update(FIXED_NOW=app.config["FIXED_NOW"], PAGE_CACHE=True)
    app.extensions["page_cache"] = ContentCache(1 << 24, tmp_path)
    other.extensions["page_cache"] = theirs = ContentCache(1 << 24, tmp_path)
    reader = _signed_in(app, "pimpinan@example.org")
    for _ in range(2):
        assert "Pendampingan keluarga rentan" not in _text(reader, "/actions")
    db.session.commit()  # nothing of the test's own transaction stands in the other worker's way
    with other.app_context():
        other_reader = _signed_in(other, "pimpinan@example.org")
        assert "Pendampingan keluarga rentan" not in _text(other_reader, "/actions")
        assert (theirs.hits, theirs.misses) == (1, 0)  # read from the folder
        db.session.get(Action, world.a1.id).title = "Pendampingan keluarga rentan"
        db.session.commit()
        assert "Pendampingan keluarga rentan" in _text(other_reader, "/actions")
        db.session.remove()
    db.session.expire_all()
    assert "Pendampingan keluarga rentan" in _text(reader, "/actions")


def test_reads_that_write_bookkeeping_keep_the_revision(world, cache):
    token = revision.current_token(db.session)
    db.session.add(LoginAttempt(email="x@example.org", ip="10.0.0.1", at=datetime(2026, 11, 27), success=False))
    db.session.add(Notification(user_id=world.coordinator.id, kind="overdue", key="k-1", title="Terlambat",
                                created_at=datetime(2026, 11, 27)))
    db.session.commit()
    assert revision.current_token(db.session) == token
    world.a3.title = "Sosialisasi pencegahan perkawinan anak"
    db.session.commit()
    assert revision.current_token(db.session) != token


def test_each_role_and_agency_gets_its_own_content(world, cache):
    app = world_app()
    dinsos, dpppa = _signed_in(app, "dinsos@example.org"), _signed_in(app, "dpppa@example.org")
    coordinator, leader = _signed_in(app, "koordinator@example.org"), _signed_in(app, "pimpinan@example.org")
    for _ in range(2):
        mine, theirs = _text(dinsos, "/actions"), _text(dpppa, "/actions")
        assert "Pendampingan keluarga" in mine and "Sosialisasi perkawinan anak" not in mine
        assert "Sosialisasi perkawinan anak" in theirs and "Pendampingan keluarga" not in theirs
        assert "Tambah aksi" in _text(coordinator, "/actions")
        assert "Tambah aksi" not in _text(leader, "/actions")
        assert "Impor data ATS" in _text(coordinator, "/ats")
        assert "Impor data ATS" not in _text(leader, "/ats")


def test_readers_who_see_every_action_share_one_rendering(world, cache):
    """The monitor and the area page do not depend on which of coordinator, leader or admin reads them: one of
    them builds, the others are served what it built. Focal points still get their own (links to their actions)."""
    world.a1.areas = [world.kec]
    world.a3.areas = [world.kec]
    db.session.commit()
    app = world_app()
    sees_all = [_signed_in(app, e) for e in ("koordinator@example.org", "pimpinan@example.org", "admin@example.org")]
    for url in ("/monitor", "/ats/area/64.08.04"):
        hits, misses = cache.hits, cache.misses
        pages = [_without_tokens(_text(c, url)) for c in sees_all]
        assert (cache.misses - misses, cache.hits - hits) == (1, 2), url
        links = [f'href="/actions/{a.id}"' for a in (world.a1, world.a3)]
        assert all(link in pages[0] for link in links) or url == "/monitor"

    url, link_a1, link_a3 = "/ats/area/64.08.04", f'href="/actions/{world.a1.id}"', f'href="/actions/{world.a3.id}"'
    dinsos, dpppa = _signed_in(app, "dinsos@example.org"), _signed_in(app, "dpppa@example.org")
    for _ in range(2):  # built, then kept: each focal point still sees only its own agency's links
        mine, theirs = _text(dinsos, url), _text(dpppa, url)
        assert link_a1 in mine and link_a3 not in mine and "1.1.3" in mine
        assert link_a3 in theirs and link_a1 not in theirs and "1.1.1" in theirs


def test_each_language_gets_its_own_content(world, cache):
    world.leader.locale = "en"
    db.session.commit()
    app = world_app()
    indonesian, english = _signed_in(app, "koordinator@example.org"), _signed_in(app, "pimpinan@example.org")
    for _ in range(2):
        assert "Pemantauan tenggat" in _text(indonesian, "/monitor")
        assert "Deadline monitor" in _text(english, "/monitor")


def test_a_new_day_builds_the_page_again(world, cache, app_ctx):
    client = _signed_in(world_app(), "koordinator@example.org")
    assert "27 November 2026" in _text(client, "/monitor")
    app_ctx.config["FIXED_NOW"] = "2026-11-27T16:30:00"  # 00:30 WITA on the 28th, still the 27th in UTC
    client = _signed_in(world_app(), "koordinator@example.org")  # 14 hours on: that session has ended
    assert "28 November 2026" in _text(client, "/monitor")


def test_uncommitted_changes_are_neither_served_stale_nor_kept(world, cache):
    client = _signed_in(world_app(), "koordinator@example.org")
    _text(client, "/actions")
    world.a2.title = "Verifikasi lapangan tahap II"
    db.session.flush()  # the test shares its session with the requests; nothing committed
    size = len(cache)
    assert "Verifikasi lapangan tahap II" in _text(client, "/actions")
    assert len(cache) == size
    db.session.rollback()
    assert "Verifikasi lapangan tahap II" not in _text(client, "/actions")


def test_the_revision_row_comes_back_after_the_tables_are_emptied(world, cache):
    client = _signed_in(world_app(), "koordinator@example.org")
    db.session.execute(delete(DataRevision))  # as the test fixtures' TRUNCATE does
    db.session.commit()
    assert revision.current_token(db.session) is None
    size = len(cache)
    _text(client, "/monitor"), _text(client, "/monitor")  # without a token nothing is kept
    assert len(cache) == size
    world.a1.title = "Pendampingan keluarga ATS"
    db.session.commit()
    assert revision.current_token(db.session)
    assert "Pendampingan keluarga ATS" in _text(client, "/actions")


def test_unknown_area_is_404_cached_or_not(world, cache):
    client = _signed_in(world_app(), "koordinator@example.org")
    for _ in range(2):
        assert client.get("/ats/area/99.99").status_code == 404


def _without_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1", html)


def _main(html: str) -> str:
    return html[html.index('<main id="main">'):html.index("</main>")]


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))


def test_kept_forms_carry_each_readers_own_csrf_token(world, cache, app_ctx):
    make_user("koordinator2@example.org", "koordinator", world.disdik)
    db.session.commit()
    app = world_app()
    first, second = _signed_in(app, "koordinator@example.org"), _signed_in(app, "koordinator2@example.org")
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    url = f"/actions/{world.a1.id}"
    mine = _text(first, url)
    hits = cache.hits
    theirs = _text(second, url)
    assert cache.hits == hits + 1  # same role and agency: the same kept content
    assert len(_tokens(mine)) == 1 and len(_tokens(theirs)) == 1 and _tokens(mine) != _tokens(theirs)
    form = re.search(r'action="(/milestones/\d+/done)"', theirs)
    token = _tokens(theirs).pop()
    assert second.post(form.group(1), data={"csrf_token": token}).status_code == 302
    assert db.session.get(Milestone, world.m2.id).state == "selesai"
    assert "Tandai selesai" not in _text(first, url)  # the change replaced the kept page


def test_permission_is_checked_before_the_cache(world, cache):
    app = world_app()
    lead, other = _signed_in(app, "dinsos@example.org"), _signed_in(app, "dpppa@example.org")
    url = f"/actions/{world.a1.id}"
    for _ in range(2):
        assert "Lapor kemajuan" in _text(lead, url)
        assert other.get(url).status_code in (403, 404)
    assert "Lapor kemajuan" not in _text(_signed_in(app, "pimpinan@example.org"), url)


def test_reminder_runs_keep_the_revision(world, cache, app_ctx):
    """A run writes notifications, outbox messages and (the first time) the default reminder settings: none of
    them shown on a kept page, so the first run and the next day's keep every kept page."""
    runner = app_ctx.test_cli_runner()
    token = revision.current_token(db.session)
    db.session.commit()
    for day in ("2026-11-27T02:00:00", "2026-11-30T02:00:00"):  # the first run ever, then a new day's
        app_ctx.config["FIXED_NOW"] = day
        before = db.session.scalar(select(func.count()).select_from(Notification))
        result = runner.invoke(args=["reminders", "run"])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(func.count()).select_from(Notification)) > before
        assert revision.current_token(db.session) == token


def test_workers_share_what_they_built_through_the_folder(tmp_path):
    """Two gunicorn workers: what one built, the other reads from the shared folder; a new data revision
    removes the older one's files; files are the service's own; arbitrary query strings cannot fill the disk."""
    first, second = ContentCache(1 << 20, tmp_path), ContentCache(1 << 20, tmp_path, max_files=2)
    key = ("monitor/_deadlines.html", "t1", "/monitor?", "id", ("koordinator", None), "2026-11-27")
    first.put(key, "<h1>Pemantauan</h1>", "t1")
    assert second.get(key, "t1") == "<h1>Pemantauan</h1>" and second.hits == 1
    (file,) = (tmp_path / "t1").iterdir()
    assert file.stat().st_mode & 0o777 == 0o600
    assert second.get(key[:1] + ("t2",) + key[2:], "t2") is None and second.misses == 1
    for n in range(3):
        second.put(("page", "t2", f"/actions?q={n}"), "x", "t2")
    assert not (tmp_path / "t1").exists()
    assert len(list((tmp_path / "t2").iterdir())) == 2  # max_files; the third is kept in memory only
    assert second.get(("page", "t2", "/actions?q=2"), "t2") == "x"
    assert first.get(("page", "t2", "/actions?q=2"), "t2") is None


def test_a_new_release_does_not_read_what_the_old_one_kept(world, cache, tmp_path, monkeypatch):
    """After an upgrade (new templates, the same data and revision) the folder still holds the old release's
    pages: they are filed under the code's version, so the new workers build their own and remove the old."""
    import coordinator.web.page_cache as page_cache

    app = world_app()
    client = _signed_in(app, "koordinator@example.org")
    app.extensions["page_cache"] = ContentCache(1 << 24, tmp_path)
    _text(client, "/monitor")
    (old_release,) = tmp_path.iterdir()
    app.extensions["page_cache"] = again = ContentCache(1 << 24, tmp_path)  # restarted, the same release
    _text(client, "/monitor")
    assert (again.hits, again.misses) == (1, 0)
    app.extensions["page_cache"] = fresh = ContentCache(1 << 24, tmp_path)  # restarted on the next release
    monkeypatch.setattr(page_cache, "code_version", lambda: "the-next-release")
    _text(client, "/monitor")
    assert (fresh.hits, fresh.misses) == (0, 1)
    assert not old_release.exists() and [p.name for p in tmp_path.iterdir()] == [
        f"{revision.current_token(db.session)}-the-next-release"]


def test_forms_kept_on_disk_still_work_after_a_restart(world, cache, app_ctx, tmp_path):
    """A restarted service reads the pages the previous process left in the folder: their forms must carry the
    new reader's token, not a mark only the old process knew."""
    app = world_app()
    client = _signed_in(app, "koordinator@example.org")
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    url = f"/actions/{world.a1.id}"
    app.extensions["page_cache"] = ContentCache(1 << 24, tmp_path)
    _text(client, url)
    # Nothing in the files depends on the process that wrote them: the token fields are simply empty.
    kept = [f.read_text() for f in tmp_path.rglob("*") if f.is_file()]
    fields = [v for html in kept for v in re.findall(r'name="csrf_token"[^>]*value="([^"]*)"', html)]
    assert fields and set(fields) == {""}
    app.extensions["page_cache"] = restarted = ContentCache(1 << 24, tmp_path)
    page = _text(client, url)
    assert restarted.hits >= 1
    (token,) = _tokens(page)
    form = re.search(r'action="(/milestones/\d+/done)"', page)
    assert client.post(form.group(1), data={"csrf_token": token}).status_code == 302


def test_a_token_typed_into_a_text_is_never_handed_to_other_readers(world, cache, app_ctx, monkeypatch):
    """Only the forms' token fields are swapped. A reader's token standing anywhere else in the content (pasted
    into an action's description) must not be replaced by the next reader's own token there: the page is not
    kept at all."""
    import coordinator.web.page_cache as page_cache

    make_user("koordinator2@example.org", "koordinator", world.disdik)
    db.session.commit()
    app = world_app()
    first, second = _signed_in(app, "koordinator@example.org"), _signed_in(app, "koordinator2@example.org")

    def fixed_token() -> str:  # Flask-WTF's tokens change every second; these do not
        from flask_login import current_user
        return f"token-of-{current_user.email}"

    monkeypatch.setattr(page_cache, "generate_csrf", fixed_token)
    monkeypatch.setattr("flask_wtf.csrf.generate_csrf", fixed_token)  # what the templates' csrf_token() calls
    world.a1.description = "Catatan: token-of-koordinator@example.org"
    db.session.commit()
    url = f"/actions/{world.a1.id}"
    mine = _text(first, url)
    assert _tokens(_main(mine)) == {"token-of-koordinator@example.org"}
    theirs = _text(second, url)
    assert _tokens(_main(theirs)) == {"token-of-koordinator2@example.org"}
    assert "Catatan: token-of-koordinator@example.org" in theirs  # the text as typed, not the reader's token
    world.a1.description = "Catatan biasa"
    db.session.commit()
    _text(first, url)
    hits = cache.hits
    assert _tokens(_main(_text(second, url))) == {"token-of-koordinator2@example.org"} and cache.hits > hits


def test_text_that_looks_like_a_token_field_survives_the_cache(world, cache):
    """An action title typed as `name="csrf_token" value="` reaches the charts' titles and descriptions: the
    kept page must come back exactly as built, not with the markup after it cut."""
    ats_pages._TOTALS_CACHE.clear()
    snapshot(date(2025, 3, 31), {"64.08.04": (100, 20, 10)})
    snapshot(date(2026, 9, 30), {"64.08.04": (70, 10, 10)})
    world.a1.title = 'Aksi name="csrf_token" value="x'
    world.a1.areas = [world.kec]
    db.session.commit()
    client = _signed_in(world_app(), "koordinator@example.org")
    for url in ("/ats/area/64.08.04", f"/actions/{world.a1.id}"):
        built = _text(client, url)
        hits = cache.hits
        kept = _text(client, url)
        assert cache.hits > hits
        charts = [re.findall(r"<svg.*?</svg>", page, re.S) for page in (built, kept)]
        assert charts[0] and charts[0] == charts[1], url
        assert any("Aksi name=&quot;csrf_token&quot; value=&quot;x" in c for c in charts[1])  # the trend's bands
    ats_pages._TOTALS_CACHE.clear()


def test_the_disk_bound_counts_what_every_worker_wrote(tmp_path):
    """Each worker counts the files already in the folder, so two workers together stay within max_files."""
    first, second = ContentCache(1 << 20, tmp_path, max_files=3), ContentCache(1 << 20, tmp_path, max_files=3)
    for n in range(3):
        first.put(("page", f"/actions?q=a{n}"), "x", "t1")
    for n in range(3):
        second.put(("page", f"/actions?q=b{n}"), "x", "t1")
    assert len(list((tmp_path / "t1").iterdir())) == 3


def test_a_failed_write_leaves_no_half_file(tmp_path, monkeypatch):
    store = ContentCache(1 << 20, tmp_path)

    def full_disk(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("coordinator.web.page_cache.os.replace", full_disk)
    store.put(("page", "/monitor"), "<h1>Pemantauan</h1>", "t1")
    assert list((tmp_path / "t1").iterdir()) == []
    assert store.get(("page", "/monitor"), "t1") == "<h1>Pemantauan</h1>"  # still kept in memory


def test_a_slow_request_of_the_previous_revision_leaves_the_new_folder(tmp_path):
    """A request that read the data before a change and finishes after it must not make the folder of the new
    revision go (and the other workers rebuild everything)."""
    store = ContentCache(1 << 20, tmp_path)
    store.put(("page", "/monitor"), "lama", "t1")
    store.put(("page", "/monitor"), "baru", "t2")
    store.put(("page", "/actions"), "lama juga", "t1")
    assert [p.name for p in tmp_path.iterdir()] == ["t2"]
    assert store.get(("page", "/actions"), "t1") == "lama juga"  # still served to requests of that revision
