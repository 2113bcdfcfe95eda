"""The review of progress reports, as the coordinator and the focal point live it through the web client."""
import io
import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import AuditEntry, MonthlySnapshot, Notification, ProgressUpdate
from coordinator.reports.facts import close_month, collect_facts
from coordinator.reports.model import build_report
from tests.helpers import MINIMAL_PDF


def _post(client, action_id, period="2026-11", achievements="120 anak didata ulang", budget="1.000.000",
          files=()):
    data = {"period": period, "percent_complete": "40", "achievements": achievements,
            "budget_realised": budget, "outcome-0-area_kode": "64.08.04.1001", "outcome-0-reached": "5",
            "outcome-0-returned_formal": "3"}
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/actions/{action_id}/progress/new", data=data, content_type="multipart/form-data")


def _correct(client, update_id, achievements="Angka diperbaiki", budget="900.000", returned="2"):
    data = {"period": "2026-11", "percent_complete": "45", "achievements": achievements, "budget_realised": budget,
            "reason": "Dikembalikan koordinator", "outcome-0-area_kode": "64.08.04.1001", "outcome-0-reached": "5",
            "outcome-0-returned_formal": returned}
    return client.post(f"/progress/{update_id}/correct", data=data, content_type="multipart/form-data")


def _report(action_id, period=date(2026, 11, 1), agency=None) -> ProgressUpdate:
    db.session.expire_all()
    return db.session.scalar(select(ProgressUpdate).where(
        ProgressUpdate.action_id == action_id, ProgressUpdate.period == period, ProgressUpdate.superseded_at.is_(None),
        *([ProgressUpdate.agency_id == agency.id] if agency else [])))


def _facts_returned(app_ctx) -> int:
    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 11, 27, 2))
    return sum(o[3] for a in facts["actions"] for o in a["outcomes"])


def test_a_posted_report_waits_for_review_and_counts_only_when_accepted(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    resp = _post(focal, world.a1.id, files=[("berita-acara.pdf", MINIMAL_PDF)])
    assert resp.status_code == 302
    page = focal.get(resp.headers["Location"]).get_data(as_text=True)
    assert "tersimpan dan diajukan untuk ditinjau koordinator" in page and "menunggu tinjauan" in page
    report = _report(world.a1.id)
    assert report.review_status == "diajukan" and not report.counted
    assert _facts_returned(app_ctx) == 0  # not in the figures while under review

    coordinator = as_user("koordinator@example.org")
    queue = coordinator.get("/reviews").get_data(as_text=True)
    assert 'id="review-queue"' in queue and "1.1.1 Pendampingan keluarga" in queue and "Dinsos" in queue
    review = coordinator.get(f"/reviews/{report.id}").get_data(as_text=True)
    assert "120 anak didata ulang" in review and "berita-acara.pdf" in review and 'id="previous-report"' in review
    resp = coordinator.post(f"/reviews/{report.id}/accept", data={"comment": ""})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/reviews")  # the queue is empty now
    report = _report(world.a1.id)
    assert report.review_status == "diterima" and report.counted and report.reviewed_by_id == world.coordinator.id
    assert _facts_returned(app_ctx) == 3
    assert "Tidak ada laporan yang menunggu tinjauan" in coordinator.get("/reviews").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "progress_update",
                                                       AuditEntry.operation == "update"))
    assert entry is not None and entry.user_id == world.coordinator.id
    assert entry.before["review_status"] == "diajukan" and entry.after["review_status"] == "diterima"


def test_returned_corrected_and_accepted_the_history_keeps_every_round(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    _post(focal, world.a1.id)
    first = _report(world.a1.id)
    coordinator = as_user("koordinator@example.org")
    # Returning needs a comment: without one nothing changes.
    page = coordinator.post(f"/reviews/{first.id}/return", data={"comment": "  "}).get_data(as_text=True)
    assert "Wajib diisi" in page or "wajib" in page.lower()
    assert _report(world.a1.id).review_status == "diajukan"
    resp = coordinator.post(f"/reviews/{first.id}/return", data={"comment": "Jumlah anak kembali tidak sesuai BA"})
    assert resp.status_code == 302
    first = _report(world.a1.id)
    assert first.review_status == "dikembalikan" and not first.counted
    bell = db.session.scalar(select(Notification).where(Notification.user_id == world.focal.id))
    assert bell is not None and "dikembalikan" in bell.title and bell.url == f"/progress/{first.id}/correct"
    assert bell.body == "Jumlah anak kembali tidak sesuai BA"
    # A second click on "return" (another tab) changes nothing and says why.
    again = coordinator.post(f"/reviews/{first.id}/return", data={"comment": "lagi"})
    assert "sudah ditinjau" in coordinator.get(again.headers["Location"]).get_data(as_text=True)
    assert _report(world.a1.id).review_comment == "Jumlah anak kembali tidak sesuai BA"

    focal = as_user("dinsos@example.org")
    form = focal.get(f"/progress/{first.id}/correct").get_data(as_text=True)
    assert "dikembalikan oleh peninjau" in form and "Jumlah anak kembali tidak sesuai BA" in form
    assert _correct(focal, first.id).status_code == 302
    second = _report(world.a1.id)
    assert second.id != first.id and second.review_status == "diajukan" and second.supersedes_id == first.id

    coordinator = as_user("koordinator@example.org")
    page = coordinator.get(f"/reviews/{second.id}").get_data(as_text=True)
    assert page.count("<li>") >= 2 and "Jumlah anak kembali tidak sesuai BA" in page  # both rounds listed
    assert coordinator.post(f"/reviews/{second.id}/accept", data={}).status_code == 302
    assert _facts_returned(app_ctx) == 2
    versions = db.session.scalars(select(ProgressUpdate).order_by(ProgressUpdate.id)).all()
    assert [(v.review_status, v.counted) for v in versions] == [("dikembalikan", False), ("diterima", True)]


def test_a_correction_under_review_leaves_the_accepted_figure_standing(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    _post(focal, world.a1.id)
    coordinator = as_user("koordinator@example.org")
    coordinator.post(f"/reviews/{_report(world.a1.id).id}/accept", data={})
    focal = as_user("dinsos@example.org")
    _correct(focal, _report(world.a1.id).id, returned="1")
    assert _facts_returned(app_ctx) == 3  # the accepted report still counts
    coordinator = as_user("koordinator@example.org")
    coordinator.post(f"/reviews/{_report(world.a1.id).id}/return", data={"comment": "Tidak perlu dikoreksi"})
    assert _facts_returned(app_ctx) == 3  # returned correction: the accepted one stands
    focal = as_user("dinsos@example.org")
    _correct(focal, _report(world.a1.id).id, returned="1")
    coordinator = as_user("koordinator@example.org")
    coordinator.post(f"/reviews/{_report(world.a1.id).id}/accept", data={})
    assert _facts_returned(app_ctx) == 1  # now the correction counts, and only it
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate).where(
        ProgressUpdate.counted.is_(True))) == 1


def test_the_queue_is_oldest_first_filters_and_goes_on_to_the_next(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    app_ctx.config["FIXED_NOW"] = "2026-11-20T02:00:00"
    _post(focal, world.a2.id, period="2026-10")
    app_ctx.config["FIXED_NOW"] = "2026-11-25T02:00:00"
    _post(focal, world.a1.id)
    other = as_user("dpppa@example.org")
    _post(other, world.a3.id)
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:00:00"
    coordinator = as_user("koordinator@example.org")
    html = coordinator.get("/reviews").get_data(as_text=True)
    order = [html.index(code) for code in ("1.1.2 Verifikasi", "1.1.1 Pendampingan", "1.1.3 Sosialisasi")]
    assert order == sorted(order) and "7 hari" in html  # waited since 20 November
    only_dpppa = coordinator.get(f"/reviews?agency={world.dpppa.id}").get_data(as_text=True)
    assert "1.1.3" in only_dpppa and "1.1.1 Pendampingan" not in only_dpppa
    october = coordinator.get("/reviews?period=2026-10").get_data(as_text=True)
    assert "1.1.2 Verifikasi" in october and "1.1.1 Pendampingan" not in october
    assert coordinator.get("/reviews?period=junk&agency=x").status_code == 200  # junk filters are ignored
    # Accepting goes straight on to the next report waiting, with the same filters.
    first = _report(world.a2.id, date(2026, 10, 1))
    resp = coordinator.post(f"/reviews/{first.id}/accept?agency={world.dinsos.id}", data={})
    assert resp.headers["Location"].endswith(f"/reviews/{_report(world.a1.id).id}?agency={world.dinsos.id}")


def test_who_may_review(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    _post(focal, world.a2.id)  # Dinsos supports a2, led by Disdikbud
    report = _report(world.a2.id)
    for email in ("dinsos@example.org", "dpppa@example.org", "pimpinan@example.org"):
        client = as_user(email)
        assert client.get("/reviews").status_code == 403, email
        assert client.get(f"/reviews/{report.id}").status_code == 403, email
        assert client.post(f"/reviews/{report.id}/accept", data={}).status_code == 403, email
    assert _report(world.a2.id).review_status == "diajukan"
    assert as_user("koordinator@example.org").get("/reviews/999999").status_code == 404


def test_a_report_for_a_closed_month_is_an_addendum_of_the_next_report(world, as_user, app_ctx):
    close_month(db.session, date(2026, 10, 1), datetime(2026, 11, 27, 2), world.coordinator.id)
    db.session.commit()
    focal = as_user("dinsos@example.org")
    form = focal.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert 'id="closed-months"' in form and "Oktober 2026" in form
    resp = _post(focal, world.a1.id, period="2026-10")
    page = focal.get(resp.headers["Location"]).get_data(as_text=True)
    assert "sudah ditutup" in page and "November 2026" in page and "susulan" in page
    late = _report(world.a1.id, date(2026, 10, 1))
    assert late.addendum_period == date(2026, 11, 1)
    coordinator = as_user("koordinator@example.org")
    assert "susulan" in coordinator.get("/reviews").get_data(as_text=True)
    # Still under review: November's report lists it as such, not as an addendum, and counts nothing of it.
    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 12, 1, 2))
    assert [r[0] for r in facts["review"]["under_review"]] == [world.a1.id] and facts["review"]["addenda"] == []
    coordinator.post(f"/reviews/{late.id}/accept", data={})
    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 12, 1, 2))
    assert facts["review"]["addenda"] == [[world.a1.id, world.dinsos.id, "2026-10-01", "2026-11-27"]]
    report = build_report(json.loads(json.dumps(facts)))
    assert [x.code for x in report.review.addenda] == ["1.1.1"] and not report.review.under_review
    # October's closed facts are untouched.
    october = db.session.scalar(select(MonthlySnapshot).where(MonthlySnapshot.period == date(2026, 10, 1)))
    assert "review" in json.loads(october.facts) and json.loads(october.facts)["review"]["addenda"] == []


def test_with_the_review_off_a_report_counts_when_posted(world, as_user, app_ctx):
    app_ctx.config["PROGRESS_REVIEW"] = False
    try:
        focal = as_user("dinsos@example.org")
        page = focal.get(_post(focal, world.a1.id).headers["Location"]).get_data(as_text=True)
        assert "diajukan untuk ditinjau" not in page
        report = _report(world.a1.id)
        assert report.review_status == "diterima" and report.counted
        _correct(focal, report.id, returned="1")
        assert _facts_returned(app_ctx) == 1
    finally:
        app_ctx.config["PROGRESS_REVIEW"] = True


@pytest.mark.parametrize("comment", ["x" * 2001, "<script>alert(1)</script>", "\x00"])
def test_hostile_comments_change_nothing_or_are_kept_as_text(world, as_user, comment):
    focal = as_user("dinsos@example.org")
    _post(focal, world.a1.id)
    report = _report(world.a1.id)
    coordinator = as_user("koordinator@example.org")
    resp = coordinator.post(f"/reviews/{report.id}/return", data={"comment": comment})
    assert resp.status_code in (200, 302, 400)  # NUL: refused by the app before any view (400)
    after = _report(world.a1.id)
    if len(comment) > 2000 or comment == "\x00":
        assert after.review_status == "diajukan"
    else:
        assert after.review_comment == comment
        page = as_user("dinsos@example.org").get(f"/actions/{world.a1.id}").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_lead_agency_reviews_its_supporting_agencies_when_the_setting_is_on(world, as_user, app_ctx):
    focal = as_user("dinsos@example.org")
    _post(focal, world.a2.id)  # a2 is led by Disdikbud, whose focal point would review
    from tests.conftest import make_user

    make_user("fokal.disdik@example.org", "fokal", world.disdik)
    db.session.commit()
    lead = as_user("fokal.disdik@example.org")
    assert lead.get("/reviews").status_code == 403
    app_ctx.config["REVIEW_BY_LEAD_AGENCY"] = True
    try:
        html = lead.get("/reviews").get_data(as_text=True)
        assert "1.1.2 Verifikasi" in html
        report = _report(world.a2.id)
        assert lead.post(f"/reviews/{report.id}/accept", data={}).status_code == 302
        # ... but not its own agency's reports, nor actions it does not lead
        own = as_user("fokal.disdik@example.org")
        _post(own, world.a2.id)
        mine = _report(world.a2.id, agency=world.disdik)
        assert mine is not None
        assert own.post(f"/reviews/{mine.id}/accept", data={}).status_code == 403
    finally:
        app_ctx.config["REVIEW_BY_LEAD_AGENCY"] = False


def test_the_monitor_tells_the_coordinator_how_many_wait(world, as_user, app_ctx):
    coordinator = as_user("koordinator@example.org")
    assert 'id="reviews-waiting"' not in coordinator.get("/monitor").get_data(as_text=True)
    app_ctx.config["FIXED_NOW"] = "2026-11-20T02:00:00"
    _post(as_user("dinsos@example.org"), world.a1.id)
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:00:00"
    _post(as_user("dpppa@example.org"), world.a3.id)
    page = as_user("koordinator@example.org").get("/monitor").get_data(as_text=True)
    assert "2 laporan kemajuan menunggu tinjauan Anda" in page and "sejak 20 November 2026" in page
    leader = as_user("pimpinan@example.org").get("/monitor").get_data(as_text=True)
    assert 'id="reviews-waiting"' not in leader  # leaders do not review


def test_aksi_saya_shows_each_reports_review_and_what_to_correct(world, as_user):
    focal = as_user("dinsos@example.org")
    resp = _post(focal, world.a1.id)
    assert resp.headers["Location"].endswith("/actions/mine")  # on to the next action to report
    mine = focal.get("/actions/mine").get_data(as_text=True)
    assert "sudah lapor" in mine and "menunggu tinjauan" in mine and 'id="returned-reports"' not in mine
    report = _report(world.a1.id)
    as_user("koordinator@example.org").post(f"/reviews/{report.id}/return", data={"comment": "Lampirkan BA"})
    mine = as_user("dinsos@example.org").get("/actions/mine").get_data(as_text=True)
    assert 'id="returned-reports"' in mine and "Lampirkan BA" in mine
    assert f"/progress/{report.id}/correct" in mine and "Perbaiki laporan" in mine


def test_two_reviewers_at_once_the_second_is_told_not_overwriting(world, as_user):
    """The page was open in two tabs: the other coordinator returned it a moment ago."""
    from sqlalchemy import update

    from coordinator.core.errors import DomainError
    from coordinator.review import service

    _post(as_user("dinsos@example.org"), world.a1.id)
    report = _report(world.a1.id)
    db.session.execute(update(ProgressUpdate).where(ProgressUpdate.id == report.id)
                       .values(review_status="dikembalikan", review_comment="Yang pertama")
                       .execution_options(synchronize_session=False))
    assert report.review_status == "diajukan"  # what this reviewer's page still shows
    with pytest.raises(DomainError) as err:
        service.accept(db.session, report, world.admin, datetime(2026, 11, 27, 3))
    assert "sudah ditinjau" in err.value.message
    db.session.expire_all()
    after = _report(world.a1.id)
    assert (after.review_status, after.review_comment, after.counted) == ("dikembalikan", "Yang pertama", False)


def test_days_waited_are_wita_days(world, as_user, app_ctx):
    """Sent at 07:00 WITA on 20 November (still 19 November in UTC): on the 27th it has waited 7 days, not 8."""
    app_ctx.config["FIXED_NOW"] = "2026-11-19T23:00:00"
    _post(as_user("dinsos@example.org"), world.a1.id)
    app_ctx.config["FIXED_NOW"] = "2026-11-27T02:00:00"
    html = as_user("koordinator@example.org").get("/reviews").get_data(as_text=True)
    row = html.split('id="review-queue"')[1].split("</tr>")[1]
    assert "7 hari" in row and "8 hari" not in row
