"""The realisation reported against an action's ceiling (pagu): above it only with a note, and never the same
money twice (each agency's latest cumulative figure, summed once)."""
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coordinator.actions import budget, progress
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import ProgressUpdate

CEILING = 660_000_000


def _post(client, url_action_id, **overrides):
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "120 anak didata ulang"}
    data.update(overrides)
    return client.post(f"/actions/{url_action_id}/progress/new", data=data, content_type="multipart/form-data")


def _correct(client, update_id, **overrides):
    data = {"period": "2026-11", "percent_complete": "45", "achievements": "Angka dikoreksi", "reason": "Salah ketik"}
    data.update(overrides)
    return client.post(f"/progress/{update_id}/correct", data=data, content_type="multipart/form-data")


def _count():
    return db.session.scalar(select(func.count()).select_from(ProgressUpdate))


def _note_errors(html: str) -> str:
    """The error list beside the note field ("" when there is none)."""
    found = re.search(r'<ul class="errors" id="budget_note-err">(.*?)</ul>', html, re.S)
    return found.group(1) if found else ""


def _card(page: str, update_id: int) -> str:
    return page[page.index(f'id="update-{update_id}"'):].split("</article>")[0]


@pytest.fixture()
def priced(world, app_ctx):
    """a1 (led by Dinsos) gets a ceiling of Rp 660 juta and DPPPA as supporting agency. The arithmetic of the
    ceiling is tested here, with reports counting when posted (the review off); tests/review covers the review."""
    world.a1.budget_amount = CEILING
    world.a1.supporting_agencies = [world.dpppa]
    db.session.commit()
    app_ctx.config["PROGRESS_REVIEW"] = False
    yield world
    app_ctx.config["PROGRESS_REVIEW"] = True


def test_the_note_field_sits_with_the_realisation_and_says_when_it_is_required(priced, as_user):
    html = as_user("dinsos@example.org").get(f"/actions/{priced.a1.id}/progress/new").get_data(as_text=True)
    assert html.index('name="budget_realised"') < html.index('name="budget_note"') < html.index('name="files"')
    assert "Keterangan realisasi anggaran" in html and "Wajib diisi bila realisasi melebihi pagu aksi" in html


def test_above_the_ceiling_without_a_note_is_refused_beside_the_field(priced, as_user):
    resp = _post(as_user("dinsos@example.org"), priced.a1.id, budget_realised="Rp 50.000.000.000")
    assert resp.status_code == 200
    errors = _note_errors(resp.get_data(as_text=True))
    assert "Rp 50.000.000.000" in errors and "Rp 660.000.000" in errors and "melebihi pagu aksi" in errors
    assert _count() == 0


def test_above_the_ceiling_with_a_note_is_accepted_and_flagged(priced, as_user):
    client = as_user("dinsos@example.org")
    note = "Termasuk dana hibah provinsi yang belum masuk pagu"
    assert _post(client, priced.a1.id, budget_realised="700.000.000", budget_note=f"  {note} ").status_code == 302
    update = db.session.scalar(select(ProgressUpdate))
    assert update.budget_realised == 700_000_000 and update.budget_note == note
    page = client.get(f"/actions/{priced.a1.id}").get_data(as_text=True)
    card = _card(page, update.id)
    assert note in card and "badge-over-ceiling" in card and "melebihi pagu" in card


def test_within_the_ceiling_needs_no_note_and_gets_no_badge(priced, as_user):
    client = as_user("dinsos@example.org")
    assert _post(client, priced.a1.id, budget_realised="660.000.000").status_code == 302
    assert "badge-over-ceiling" not in client.get(f"/actions/{priced.a1.id}").get_data(as_text=True)


def test_english_user_sees_the_error_on_the_note_field_and_nothing_is_saved(priced, as_user):
    priced.focal.locale = "en"
    db.session.commit()
    resp = _post(as_user("dinsos@example.org"), priced.a1.id, budget_realised="50000000000")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="budget_note-err"' in html and "660" in _note_errors(html)
    assert _count() == 0


def test_lead_and_supporting_agency_together_above_the_ceiling_need_a_note(priced, as_user):
    lead = as_user("dinsos@example.org")
    assert _post(lead, priced.a1.id, budget_realised="400.000.000").status_code == 302
    supporting = as_user("dpppa@example.org")
    resp = _post(supporting, priced.a1.id, budget_realised="300.000.000")
    assert resp.status_code == 200
    errors = _note_errors(resp.get_data(as_text=True))
    assert "Rp 700.000.000" in errors and "Rp 660.000.000" in errors
    assert _count() == 1
    assert _post(supporting, priced.a1.id, budget_realised="300.000.000",
                 budget_note="Dana pendamping dari CSR").status_code == 302
    assert budget.realised_by_agency(db.session, priced.a1.id, date(2026, 11, 1)) == {
        priced.dinsos.id: 400_000_000, priced.dpppa.id: 300_000_000}
    assert budget.realisation_total(db.session, priced.a1.id, date(2026, 11, 1)) == 700_000_000
    # The badge goes on the report that took the action past the ceiling, not on the lead's earlier one.
    page = supporting.get(f"/actions/{priced.a1.id}").get_data(as_text=True)
    ids = dict(db.session.execute(select(ProgressUpdate.agency_id, ProgressUpdate.id)).all())
    assert "badge-over-ceiling" in _card(page, ids[priced.dpppa.id])
    assert "badge-over-ceiling" not in _card(page, ids[priced.dinsos.id])


def test_the_same_agency_is_never_counted_twice(priced, as_user):
    client = as_user("dinsos@example.org")
    # October 400 then November 600 (cumulative): the total is 600, not 1 000.
    assert _post(client, priced.a1.id, period="2026-10", budget_realised="400.000.000").status_code == 302
    assert _post(client, priced.a1.id, budget_realised="600.000.000").status_code == 302
    november = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.period == date(2026, 11, 1)))
    # Its own correction replaces the figure (650, not 600 + 650).
    assert _correct(client, november.id, budget_realised="650.000.000").status_code == 302
    assert budget.realisation_total(db.session, priced.a1.id, date(2026, 11, 1)) == 650_000_000
    assert budget.realisation_total(db.session, priced.a1.id, date(2026, 10, 1)) == 400_000_000
    assert "badge-over-ceiling" not in client.get(f"/actions/{priced.a1.id}").get_data(as_text=True)


def test_a_correction_follows_the_same_rule(priced, as_user):
    assert _post(as_user("dinsos@example.org"), priced.a1.id, budget_realised="400.000.000").status_code == 302
    client = as_user("dpppa@example.org")
    assert _post(client, priced.a1.id, budget_realised="300.000.000", budget_note="Dana CSR").status_code == 302
    original = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.agency_id == priced.dpppa.id))
    form = client.get(f"/progress/{original.id}/correct").get_data(as_text=True)
    assert "Dana CSR" in form  # the note comes with the report into its correction
    resp = _correct(client, original.id, budget_realised="310.000.000", budget_note="")
    assert resp.status_code == 200 and "Rp 710.000.000" in _note_errors(resp.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, original.id).superseded_at is None and _count() == 2
    # Corrected down to within the ceiling, no note is needed.
    assert _correct(client, original.id, budget_realised="260.000.000", budget_note="").status_code == 302
    assert budget.realisation_total(db.session, priced.a1.id, date(2026, 11, 1)) == 660_000_000


def test_a_negative_realisation_is_still_refused(priced, as_user, app_ctx):
    resp = _post(as_user("dinsos@example.org"), priced.a1.id, budget_realised="-5", budget_note="catatan")
    assert resp.status_code == 200 and "jumlah rupiah" in resp.get_data(as_text=True)  # the form's own check
    assert _count() == 0
    data = progress.ProgressInput(period=date(2026, 11, 1), percent_complete=10, achievements="x",
                                  budget_realised=-5, budget_note="catatan")
    with pytest.raises(DomainError) as refused:  # and the service's, note or not
        progress.record_progress_update(db.session, priced.a1, priced.focal, data, datetime(2026, 11, 27, 2),
                                        app_ctx.config["UPLOAD_DIR"], app_ctx.config["EVIDENCE_MAX_BYTES"])
    assert refused.value.field == "budget_realised" and _count() == 0


def test_an_action_without_a_ceiling_never_needs_a_note(world, as_user):
    assert world.a1.budget_amount is None
    client = as_user("dinsos@example.org")
    assert _post(client, world.a1.id, budget_realised="50.000.000.000").status_code == 302
    assert "badge-over-ceiling" not in client.get(f"/actions/{world.a1.id}").get_data(as_text=True)


def test_a_tampered_action_id_does_not_bypass_the_check(priced, as_user):
    """The action comes from the URL: a hidden action_id naming an action without a ceiling changes nothing."""
    client = as_user("dinsos@example.org")
    assert priced.a2.budget_amount is None and priced.a2.involves_agency(priced.dinsos.id)
    resp = _post(client, priced.a1.id, budget_realised="700.000.000", action_id=str(priced.a2.id))
    assert resp.status_code == 200 and "Rp 660.000.000" in _note_errors(resp.get_data(as_text=True))
    assert _post(client, priced.a1.id, budget_realised="600.000.000").status_code == 302
    update = db.session.scalar(select(ProgressUpdate))
    resp = _correct(client, update.id, budget_realised="700.000.000", action_id=str(priced.a2.id),
                    agency_id=str(priced.dpppa.id))
    assert resp.status_code == 200 and "Rp 700.000.000" in _note_errors(resp.get_data(as_text=True))
    db.session.expire_all()
    assert _count() == 1 and db.session.get(ProgressUpdate, update.id).superseded_at is None


# The domain functions, on reports written directly -----------------------------------------------------------

def _report(world, agency, period, amount, superseded=False, created=datetime(2026, 11, 20)):
    author = world.focal if agency is world.dinsos else world.other_focal
    u = ProgressUpdate(action=world.a1, agency=agency, author=author, period=period, percent_complete=10,
                       achievements="x", budget_realised=amount, created_at=created,
                       superseded_at=datetime(2026, 11, 21) if superseded else None)
    db.session.add(u)
    db.session.flush()
    return u


def test_realised_by_agency_takes_each_agencys_latest_current_figure(priced):
    w = priced
    _report(w, w.dinsos, date(2026, 9, 1), 100)
    _report(w, w.dinsos, date(2026, 10, 1), 999, superseded=True)  # corrected: not counted
    _report(w, w.dinsos, date(2026, 10, 1), 200)
    _report(w, w.dinsos, date(2026, 11, 1), None)  # no figure this month: October's stands
    _report(w, w.dpppa, date(2026, 10, 1), 50)
    _report(w, w.dpppa, date(2026, 12, 1), 80)  # after the month asked for
    assert budget.realised_by_agency(db.session, w.a1.id, date(2026, 8, 1)) == {}
    assert budget.realised_by_agency(db.session, w.a1.id, date(2026, 9, 1)) == {w.dinsos.id: 100}
    assert budget.realised_by_agency(db.session, w.a1.id, date(2026, 11, 1)) == {w.dinsos.id: 200, w.dpppa.id: 50}
    assert budget.realisation_total(db.session, w.a1.id, date(2026, 11, 1)) == 250
    assert budget.realisation_total(db.session, w.a1.id, date(2026, 12, 1)) == 280


def test_a_late_report_for_an_earlier_month_is_checked_against_the_months_after_it(priced):
    """DPPPA sends October after Dinsos's November: its figure stands in November too, until its own next one."""
    w = priced
    _report(w, w.dinsos, date(2026, 11, 1), 400_000_000)
    figures = budget._current_figures(db.session, w.a1.id)
    assert budget.peak_total_with(figures, w.dpppa.id, date(2026, 10, 1), 300_000_000) == 700_000_000
    _report(w, w.dpppa, date(2026, 11, 1), 100_000_000)
    figures = budget._current_figures(db.session, w.a1.id)
    assert budget.peak_total_with(figures, w.dpppa.id, date(2026, 10, 1), 300_000_000) == 300_000_000
    with pytest.raises(DomainError) as refused:
        budget.check_against_ceiling(db.session, w.a1, w.dpppa.id, date(2026, 11, 1), 300_000_000, None)
    assert refused.value.field == "budget_note"
    assert refused.value.params == {"total": "Rp 700.000.000", "ceiling": "Rp 660.000.000"}  # no request: Indonesian
    budget.check_against_ceiling(db.session, w.a1, w.dpppa.id, date(2026, 11, 1), 300_000_000, "Dana CSR")
