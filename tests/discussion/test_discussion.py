"""The discussion on an action: post, mention, correct, and who sees and hears what."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coordinator.discussion.service import MENTION, find_mentions
from coordinator.extensions import db
from coordinator.models import Comment, Notification, ProgressUpdate


def _comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment))


def _bell(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                              Notification.kind == "mention")))


def test_a_comment_with_mentions_tells_those_who_may_see_the_action(world, as_user):
    coordinator = as_user("koordinator@example.org")
    body = "@DINSOS mohon lampirkan daftar hadir. @dpppa tolong bantu. @orang.tak.dikenal juga."
    resp = coordinator.post(f"/actions/{world.a1.id}/comments", data={"body": body, "update_id": "0"})
    assert resp.status_code == 302 and "#comment-" in resp.headers["Location"]
    page = coordinator.get(resp.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "mohon lampirkan daftar hadir" in page and "Komentar terkirim" in page
    assert "@orang.tak.dikenal" in page.split("Tidak dikenal")[1][:200]  # unknown names are said, not guessed
    # Dinsos's focal point (a1 is Dinsos's) hears of it; DPPPA's may not see a1, so nobody there is told.
    [note] = _bell(world.focal)
    assert note.url.startswith(f"/actions/{world.a1.id}#comment-") and "Koordinator" in note.title
    assert _bell(world.other_focal) == []
    assert _bell(world.coordinator) == []  # never one's own mention


def test_whoever_sees_the_action_sees_and_joins_the_thread_nobody_else(world, as_user):
    as_user("dinsos@example.org").post(f"/actions/{world.a1.id}/comments",
                                       data={"body": "Jalan ke desa putus.", "update_id": "0"})
    for email in ("koordinator@example.org", "pimpinan@example.org", "dinsos@example.org"):
        page = as_user(email).get(f"/actions/{world.a1.id}").get_data(as_text=True)
        assert "Jalan ke desa putus." in page
        assert ('id="comment-form"' in page) == (email != "pimpinan@example.org")  # leaders read, not post
    assert as_user("pimpinan@example.org").post(f"/actions/{world.a1.id}/comments",
                                                data={"body": "x", "update_id": "0"}).status_code == 403
    other = as_user("dpppa@example.org")
    assert other.get(f"/actions/{world.a1.id}").status_code == 403
    assert other.post(f"/actions/{world.a1.id}/comments", data={"body": "x", "update_id": "0"}).status_code == 403
    assert as_user("verifikator@example.org").post(f"/actions/{world.a1.id}/comments",
                                                   data={"body": "x", "update_id": "0"}).status_code == 403
    assert _comments() == 1


def test_a_comment_on_a_report_of_another_action_is_refused(world, as_user):
    other = ProgressUpdate(action=world.a3, agency=world.dpppa, author=world.other_focal, period=date(2026, 11, 1),
                           percent_complete=10, achievements="x", created_at=datetime(2026, 11, 20))
    db.session.add(other)
    db.session.commit()
    client = as_user("koordinator@example.org")
    resp = client.post(f"/actions/{world.a1.id}/comments", data={"body": "Tentang laporan", "update_id": other.id})
    assert resp.status_code == 200 and _comments() == 0  # a hidden id edited into the form: nothing saved


@pytest.mark.parametrize("body, message", [("   ", "Wajib diisi"), ("x" * 4001, "4000")])
def test_empty_or_too_long_is_refused_with_a_message(world, as_user, body, message):
    resp = as_user("dinsos@example.org").post(f"/actions/{world.a1.id}/comments",
                                              data={"body": body, "update_id": "0"})
    assert resp.status_code == 200 and message in resp.get_data(as_text=True) and _comments() == 0


def test_no_deletion_only_a_marked_correction_by_its_author(world, as_user):
    focal = as_user("dinsos@example.org")
    focal.post(f"/actions/{world.a1.id}/comments", data={"body": "Anak kembali: 12.", "update_id": "0"})
    original = db.session.scalar(select(Comment))
    form = focal.get(f"/comments/{original.id}/correct").get_data(as_text=True)
    assert "Anak kembali: 12." in form
    assert focal.post(f"/comments/{original.id}/correct", data={"body": "Anak kembali: 21, salah ketik."}) \
        .status_code == 302
    page = focal.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert "Anak kembali: 12." in page and "Anak kembali: 21, salah ketik." in page and "dikoreksi" in page
    assert _comments() == 2
    again = focal.post(f"/comments/{original.id}/correct", data={"body": "lagi"}).get_data(as_text=True)
    assert "sudah dikoreksi" in again and _comments() == 2
    assert as_user("koordinator@example.org").get(f"/comments/{original.id}/correct").status_code == 403
    assert focal.post("/comments/999999/correct", data={"body": "x"}).status_code == 404
    assert focal.post(f"/actions/{world.a1.id}/comments/{original.id}/delete").status_code in (404, 405)


def test_comments_are_text_not_markup(world, as_user):
    client = as_user("dinsos@example.org")
    client.post(f"/actions/{world.a1.id}/comments", data={"body": "<script>alert(1)</script>", "update_id": "0"})
    page = client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_what_counts_as_a_mention(world, app_ctx):
    assert MENTION.findall("hubungi @DINSOS, @koordinator. email a@b.org bukan sebutan; @fokal.dpppa@example.org") \
        == ["DINSOS", "koordinator.", "fokal.dpppa@example.org"]
    found = find_mentions(db.session, "@Dinsos @dinsos @koordinator", world.a1)
    assert sorted(u.email for u in found.users) == ["dinsos@example.org", "koordinator@example.org"]


@pytest.mark.parametrize("about", ["abc", "99999999999999999999", "-1", "999999"])
def test_a_forged_report_id_is_refused_with_a_message(world, as_user, about):
    resp = as_user("dinsos@example.org").post(f"/actions/{world.a1.id}/comments",
                                              data={"body": "Tentang laporan", "update_id": about})
    assert resp.status_code == 200 and _comments() == 0
