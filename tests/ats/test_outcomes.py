"""Per-desa outcomes on progress updates: children reached and returned to school by pathway."""
import re

from sqlalchemy import func, select

from coordinator.ats import outcomes as ats_outcomes
from coordinator.extensions import db
from coordinator.models import Area, ProgressOutcome, ProgressUpdate
from tests.helpers import accept_waiting_reports


def _target_desa(world):
    """a1 targets desa Teluk Lingga and kecamatan Bengalon (which gets one desa)."""
    db.session.add(Area(kode="64.08.05.2001", nama="Sepaso", level="desa", jenis="desa", parent_kode="64.08.05"))
    db.session.add(Area(kode="64.08.04.1002", nama="Singa Gembara", level="desa", jenis="kelurahan",
                        parent_kode="64.08.04"))
    db.session.flush()
    world.a1.areas = [world.desa, world.kec2]
    db.session.commit()


def _post(client, url, rows=(), **overrides):
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "Kunjungan keluarga",
            "obstacles": "", "follow_up": ""}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"outcome-{i}-{key}"] = value
    data.update(overrides)
    return client.post(url, data=data, content_type="multipart/form-data")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


ROW_TELUK = {"area_kode": "64.08.04.1001", "reached": "20", "returned_formal": "6", "returned_paket": "3",
             "returned_pesantren": "1", "returned_lkp": "0"}
ROW_SEPASO = {"area_kode": "64.08.05.2001", "reached": "10", "returned_formal": "2", "returned_paket": "",
              "returned_pesantren": "", "returned_lkp": "1"}


def test_form_offers_only_the_action_target_desa(world, as_user):
    _target_desa(world)
    page = as_user("dinsos@example.org").get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert "Hasil per desa" in page
    options = set(re.findall(r'<option value="(64\.08[^"]+)"', page))
    # the targeted desa and the desa of the targeted kecamatan; not Singa Gembara (its kecamatan is not targeted)
    assert options == {"64.08.04.1001", "64.08.05.2001"}
    assert page.count('name="outcome-') == ats_outcomes.MAX_ROWS * 6
    # the existing fields keep their labels (the e2e test fills them by label)
    for label in ("Bulan laporan", "Persentase selesai (%)", "Capaian", "Kendala", "Rencana tindak lanjut", "Bukti"):
        assert label in page


def test_whole_regency_action_offers_every_desa(world):
    _target_desa(world)
    kodes = {k for k, _ in ats_outcomes.desa_choices(db.session, world.a2)}
    assert kodes == {"64.08.04.1001", "64.08.04.1002", "64.08.05.2001"}


def test_post_update_with_outcomes_and_action_page_shows_sums(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    resp = _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK, ROW_SEPASO])
    assert resp.status_code == 302, resp.get_data(as_text=True)
    update = db.session.scalar(select(ProgressUpdate))
    got = {o.area_kode: (o.reached, o.returned_formal, o.returned_paket, o.returned_pesantren, o.returned_lkp)
           for o in db.session.scalars(select(ProgressOutcome).where(ProgressOutcome.update_id == update.id))}
    assert got == {"64.08.04.1001": (20, 6, 3, 1, 0), "64.08.05.2001": (10, 2, 0, 0, 1)}
    assert 'data-desa="64.08.04.1001"' not in client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert accept_waiting_reports() == 1  # the sums are of accepted reports
    page = client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    section = page[page.index('id="outcomes"'):]
    assert "Hasil untuk anak" in section
    teluk = section[section.index('data-desa="64.08.04.1001"'):]
    assert [c for c in re.findall(r'class="num">([^<]*)<', teluk)[:6]] == ["20", "6", "3", "1", "0", "10"]
    total = section[section.index('class="total"'):]
    assert re.findall(r"<strong>([^<]*)</strong>", total)[:3] == ["Jumlah", "30", "13"]


def test_sums_span_updates_and_use_thousands_separators(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    big = dict(ROW_TELUK, reached="1200", returned_formal="1000")
    assert _post(client, f"/actions/{world.a1.id}/progress/new", [big], period="2026-10").status_code == 302
    assert _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK]).status_code == 302
    assert accept_waiting_reports() == 2
    sums = ats_outcomes.sums_for_action(db.session, world.a1.id)
    assert [(s.area_kode, s.reached, s.returned) for s in sums] == [("64.08.04.1001", 1220, 1014)]
    page = client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert "1.220" in page and "1.014" in page


def test_validation_errors_rerender_in_indonesian_and_save_nothing(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    url = f"/actions/{world.a1.id}/progress/new"
    cases = [
        ([dict(ROW_TELUK, returned_formal="30")], "melebihi anak yang dijangkau"),
        ([ROW_TELUK, dict(ROW_TELUK, reached="5", returned_formal="0", returned_paket="0",
                          returned_pesantren="0")], "desa yang sama diisi dua kali"),
        ([dict(ROW_TELUK, reached="-3")], "tidak boleh negatif"),
        ([dict(ROW_TELUK, reached="dua puluh")], "bukan bilangan bulat"),
        ([dict(ROW_TELUK, area_kode="64.08.04.1002")], "bukan wilayah sasaran"),
        ([dict(ROW_TELUK, area_kode="99.99")], "bukan wilayah sasaran"),
        ([dict(ROW_TELUK, area_kode="")], "pilih desanya"),
    ]
    for rows, message in cases:
        resp = _post(client, url, rows)
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200, message
        assert message in body, message
    assert _count(ProgressUpdate) == 0 and _count(ProgressOutcome) == 0
    # the typed values come back on the re-rendered form
    body = _post(client, url, [dict(ROW_TELUK, returned_formal="30")]).get_data(as_text=True)
    assert 'name="outcome-0-returned_formal" value="30"' in body


def test_blank_rows_are_ignored(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    assert _post(client, f"/actions/{world.a1.id}/progress/new").status_code == 302
    assert _count(ProgressUpdate) == 1 and _count(ProgressOutcome) == 0


def test_correction_carries_its_own_rows(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    assert _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK, ROW_SEPASO]).status_code == 302
    accept_waiting_reports()
    original = db.session.scalar(select(ProgressUpdate))
    form = client.get(f"/progress/{original.id}/correct").get_data(as_text=True)
    assert 'name="outcome-0-reached" value="20"' in form  # prefilled for convenience, nothing is copied
    fixed = dict(ROW_TELUK, reached="25", returned_formal="9")
    resp = _post(client, f"/progress/{original.id}/correct", [fixed], reason="Salah hitung")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    correction = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.supersedes_id == original.id))
    mine = db.session.scalars(select(ProgressOutcome).where(ProgressOutcome.update_id == correction.id)).all()
    assert [(o.area_kode, o.reached, o.returned_formal) for o in mine] == [("64.08.04.1001", 25, 9)]
    # the original keeps its rows as history, but only the accepted version in force counts
    assert _count(ProgressOutcome) == 3
    assert accept_waiting_reports() == 1
    sums = ats_outcomes.sums_for_action(db.session, world.a1.id)
    assert [(s.area_kode, s.reached, s.returned) for s in sums] == [("64.08.04.1001", 25, 13)]


def test_invalid_correction_changes_nothing(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK])
    original = db.session.scalar(select(ProgressUpdate))
    resp = _post(client, f"/progress/{original.id}/correct", [dict(ROW_TELUK, returned_lkp="50")], reason="x")
    assert resp.status_code == 200 and "melebihi" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert _count(ProgressUpdate) == 1 and original.superseded_at is None and _count(ProgressOutcome) == 1


def test_other_agency_cannot_post_outcomes(world, as_user):
    _target_desa(world)
    resp = _post(as_user("dpppa@example.org"), f"/actions/{world.a1.id}/progress/new", [ROW_TELUK])
    assert resp.status_code == 403
    assert _count(ProgressOutcome) == 0


def test_fifteen_desa_rows_for_the_reported_month_only(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    page = client.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert ats_outcomes.MAX_ROWS == 15
    assert page.count('class="filters outcome-row"') == 15
    # the first row shows; the other fourteen sit under the collapsed "Desa lain"
    first, rest = page[page.index('id="outcomes"'):].split("<details", 1)
    assert 'id="outcome-0"' in first and 'id="outcome-1"' not in first
    assert rest.startswith("><summary>Desa lain</summary>") and 'id="outcome-14"' in rest
    note = re.search(r'id="outcomes-month-only">(.*?)</p>', page, re.S).group(1)
    assert "bulan laporan ini saja" in note and "bukan jumlah kumulatif" in note
    last = {f"outcome-14-{k}": v for k, v in ROW_SEPASO.items()}
    resp = _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK], **last)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert {o.area_kode for o in db.session.scalars(select(ProgressOutcome))} == {"64.08.04.1001", "64.08.05.2001"}
    # a row beyond the fifteenth is not read
    rows = ats_outcomes.raw_rows({"outcome-15-area_kode": "64.08.04.1001", "outcome-15-reached": "3"})
    assert len(rows) == 15 and all(not r["area_kode"] for r in rows)


def test_a_correction_reopens_desa_lain_when_later_rows_are_filled(world, as_user):
    _target_desa(world)
    client = as_user("dinsos@example.org")
    assert _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK, ROW_SEPASO]).status_code == 302
    accept_waiting_reports()
    original = db.session.scalar(select(ProgressUpdate))
    form = client.get(f"/progress/{original.id}/correct").get_data(as_text=True)
    assert "<details open>" in form[form.index('id="outcomes"'):] and form.count('class="filters outcome-row"') == 15
