"""Where the fall in ATS comes from: returns by pathway, the list being cleaned, and the rest, adding up to the
change; an area the by-name list does not cover is said to be so."""
from __future__ import annotations

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.extensions import db
from coordinator.figures.waterfall import Waterfall, area_waterfall
from coordinator.figures.waterfall_chart import DOWN, TOTAL, UP, Step, steps_svg
from coordinator.models import AtsFigure, AtsSnapshot, ChildCase, ChildVerification
from tests.verval.verval_data import make_child

NOW = datetime(2026, 11, 27, 2, 0)
TELUK = "64.08.04.1001"


def _snapshot(as_of: date, kec04: int, kec05: int) -> None:
    snap = AtsSnapshot(as_of=as_of, source="Pusdatin", created_at=NOW)
    db.session.add(snap)
    db.session.flush()
    for kode, n in (("64.08.04", kec04), ("64.08.05", kec05)):
        db.session.add(AtsFigure(snapshot_id=snap.id, kind="area", area_kode=kode, category="DO", detail="", count=n))
    db.session.flush()


def _case(child, action, outcome: str, on: date) -> None:
    db.session.add(ChildCase(child_id=child.id, action_id=action.id, outcome=outcome, outcome_date=on,
                             created_at=NOW, updated_at=NOW))


def _verified(child, status: str, on: date, verifier) -> None:
    db.session.add(ChildVerification(child_id=child.id, status=status, verified_on=on, verifier_id=verifier.id,
                                     created_at=NOW))


def test_the_parts_add_up_to_the_change_and_name_their_pathways(world, app_ctx):
    world.plan.baseline_year = 2025
    _snapshot(date(2025, 3, 31), 100, 40)
    _snapshot(date(2026, 11, 15), 80, 38)
    kids = [make_child(app_ctx, f"Anak {i}", TELUK, serial=i + 1) for i in range(6)]
    _case(kids[0], world.a1, "formal", date(2026, 5, 2))
    _case(kids[0], world.a2, "paket", date(2026, 6, 1))  # the same child through a second action: once, formal
    _case(kids[1], world.a1, "paket", date(2026, 7, 1))
    _case(kids[2], world.a2, "lkp", date(2024, 12, 1))  # before the baseline: not this period's
    _verified(kids[3], "pindah", date(2026, 4, 1), world.coordinator)
    _verified(kids[4], "data_ganda", date(2026, 8, 1), world.coordinator)
    _verified(kids[0], "masih_sekolah", date(2026, 9, 1), world.coordinator)  # already counted as returned
    _verified(kids[5], "ats_valid", date(2026, 9, 1), world.coordinator)  # confirmed out of school: no part
    db.session.flush()

    regency = area_waterfall(db.session, None)
    assert (regency.start_total, regency.end_total, regency.change) == (140, 118, -22)
    assert regency.returned == {"formal": 1, "paket": 1} and regency.cleaned == {"pindah": 1, "data_ganda": 1}
    assert regency.rest == -22 + 2 + 2 == -18
    assert -regency.returned_total - regency.cleaned_total + regency.rest == regency.change

    kec = area_waterfall(db.session, "64.08.04")
    assert (kec.change, kec.covered, kec.returned_total, kec.cleaned_total, kec.rest) == (-20, True, 2, 2, -16)
    bengalon = area_waterfall(db.session, "64.08.05")
    assert bengalon.change == -2 and not bengalon.covered and bengalon.rest is None  # no list: not split


def test_without_two_snapshots_there_is_nothing_to_split(world, app_ctx):
    assert area_waterfall(db.session, None) is None
    _snapshot(date(2025, 3, 31), 100, 40)
    assert area_waterfall(db.session, None) is None


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 20_000), st.integers(0, 20_000), st.dictionaries(st.sampled_from(["formal", "paket", "lkp"]),
       st.integers(0, 500)), st.dictionaries(st.sampled_from(["pindah", "meninggal"]), st.integers(0, 500)))
def test_parts_always_sum_to_the_change(start, end, returned, cleaned):
    w = Waterfall(date(2025, 3, 31), date(2026, 10, 31), start, end, True, returned, cleaned)
    assert -w.returned_total - w.cleaned_total + w.rest == w.change == end - start


def test_the_chart_labels_every_step_in_words_and_numbers():
    svg = steps_svg([Step("ATS 31 Maret 2025", 13411, TOTAL), Step("Kembali ke <sekolah> formal", -120, DOWN),
                     Step("Sisa perubahan", 30, UP), Step("ATS 31 Oktober 2026", 13321, TOTAL)],
                    "Asal perubahan ATS", lambda n: f"{n:,}".replace(",", "."))
    assert svg.startswith("<svg") and svg.count("<rect") == 5  # four bars and the hatch pattern
    assert "13.411" in svg and "−120" in svg and "+30" in svg and "&lt;sekolah&gt;" in svg
    assert 'role="img"' in svg and "<title>Asal perubahan ATS</title>" in svg


def test_the_ats_pages_show_where_the_change_comes_from(world, app_ctx, as_user):
    world.plan.baseline_year = 2025
    _snapshot(date(2025, 3, 31), 100, 40)
    _snapshot(date(2026, 11, 15), 80, 38)
    child = make_child(app_ctx, "Anak Satu", TELUK)
    _case(child, world.a1, "formal", date(2026, 5, 2))
    db.session.commit()
    client = as_user("pimpinan@example.org")
    regency = client.get("/ats").get_data(as_text=True)
    assert 'id="waterfall"' in regency and "Kembali ke sekolah formal" in regency and "−1" in regency
    assert "Perubahan -22 anak: 1 kembali bersekolah (terverifikasi by name), 0 ternyata bukan ATS" in regency
    assert "dan -21 sisanya" in regency  # -22 = -1 - 0 + (-21)
    bengalon = client.get("/ats/area/64.08.05").get_data(as_text=True)
    assert 'id="waterfall-not-covered"' in bengalon and "belum memuat anak di wilayah ini" in bengalon
