"""The action list: filters, sort, pagination and the exports, plus plan editing."""
import csv
import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Action, ActionFunding, AuditEntry, Milestone, Pillar, Program, ReferenceItem


def _codes(html: str) -> list[str]:
    body = html.split('id="action-list"')[1].split("</table>")[0]
    return [chunk.split("</a>")[0].split(">")[-1] for chunk in body.split('href="/actions/')[1:]]


def test_filters(world, as_user):
    client = as_user("koordinator@example.org")
    assert _codes(client.get("/actions").get_data(as_text=True)) == ["1.1.1", "1.1.2", "1.1.3"]
    assert _codes(client.get("/actions?status=terlambat").get_data(as_text=True)) == ["1.1.2", "1.1.3"]
    assert _codes(client.get(f"/actions?agency={world.dinsos.id}").get_data(as_text=True)) == ["1.1.1", "1.1.2"]
    world.a3.areas = [world.desa]
    db.session.commit()
    assert _codes(client.get("/actions?kecamatan=64.08.04").get_data(as_text=True)) == ["1.1.3"]
    assert _codes(client.get("/actions?due_from=2026-11-01&due_to=2026-12-31").get_data(as_text=True)) == ["1.1.1"]
    assert _codes(client.get("/actions?q=perkawinan").get_data(as_text=True)) == ["1.1.3"]
    assert _codes(client.get("/actions?sort=due_date&dir=desc").get_data(as_text=True)) == ["1.1.3", "1.1.1", "1.1.2"]


def test_search_text_is_text_not_a_pattern(world, as_user):
    client = as_user("koordinator@example.org")
    world.a2.title = "Verifikasi lapangan 100% desa"
    db.session.commit()
    for q, codes in (("%", ["1.1.2"]), ("100%", ["1.1.2"]), ("_", []), ("lapangan_100", []), ("PERKAWINAN", ["1.1.3"])):
        assert _codes(client.get("/actions", query_string={"q": q}).get_data(as_text=True)) == codes, q


def test_junk_filters_are_ignored_not_500(world, as_user):
    client = as_user("koordinator@example.org")
    for qs in ["status=zzz", "pillar=abc", "agency=-1", "due_from=31-12-2026", "sort=drop", "page=-5", "page=99999",
               "kecamatan=%27%3B--", "q=" + "x" * 500]:
        assert client.get("/actions?" + qs).status_code == 200, qs


def test_focal_point_sees_only_actions_of_their_agency(world, as_user):
    client = as_user("dinsos@example.org")
    assert _codes(client.get("/actions").get_data(as_text=True)) == ["1.1.1", "1.1.2"]
    assert client.get(f"/actions/{world.a3.id}").status_code == 403
    mine = client.get("/actions/mine").get_data(as_text=True)
    assert "Pendampingan keluarga" in mine and "Verifikasi lapangan" in mine and "perkawinan" not in mine


def test_pagination(world, as_user, app_ctx):
    for i in range(4, 60):
        world.action(f"1.1.{i}", f"Aksi {i}", world.dinsos, date(2026, 1, 1), date(2027, 1, 1))
    db.session.commit()
    client = as_user("koordinator@example.org")
    first = _codes(client.get("/actions").get_data(as_text=True))
    third = _codes(client.get("/actions?page=3").get_data(as_text=True))
    assert len(first) == 25 and first[:2] == ["1.1.1", "1.1.2"] and first[-1] == "1.1.25"
    assert third == [f"1.1.{i}" for i in range(51, 60)]
    assert "Halaman 1 dari 3" in client.get("/actions").get_data(as_text=True)


def test_exports_match_the_filtered_list(world, as_user):
    world.a2.budget_amount = 1_250_000
    world.a2.fundings = [ActionFunding(source="APBD")]
    db.session.commit()
    client = as_user("koordinator@example.org")
    resp = client.get("/actions?status=terlambat&export=xlsx")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Kode" and [r[0] for r in rows[1:]] == ["1.1.2", "1.1.3"]
    assert rows[1][15] == 1_250_000 and rows[1][16] == "APBD Kabupaten" and rows[1][11] == "Terlambat"
    # why each late action is late, as on the page
    assert rows[0][13] == "Alasan terlambat" and rows[1][13] == "tenggat aksi lewat 27 hari"
    assert rows[2][13] == "tahapan “Sosialisasi tahap I” lewat 7 hari"
    resp = client.get("/actions?status=terlambat&export=csv")
    text = resp.data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[0][0] == "Kode" and [r[0] for r in parsed[1:]] == ["1.1.2", "1.1.3"]


def test_export_neutralises_formulas(world, as_user):
    world.a1.title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    client = as_user("koordinator@example.org")
    ws = load_workbook(io.BytesIO(client.get("/actions?export=xlsx").data)).active
    assert ws["D2"].value == '=HYPERLINK("http://evil")' and ws["D2"].data_type == "s" and ws["D2"].quotePrefix
    text = client.get("/actions?export=csv").data.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[3] == "'=HYPERLINK(\"http://evil\")"


def _action_form(world, fundings=None, **overrides):
    """The action form as posted; fundings: funding source code -> amount as typed ("" when unknown)."""
    data = {"program_id": world.program.id, "code": "1.1.9", "title": "Kelas jauh di Sandaran",
            "description": "", "output": "3 kelas jauh", "lead_agency_id": world.disdik.id,
            "supporting_agency_ids": [world.dinsos.id], "area_kodes": ["64.08.04"], "ats_categories": ["DO", "LTM"],
            "start_date": "2026-12-01", "due_date": "2027-06-30", "budget_amount": "Rp 150.000.000",
            "sub_kegiatan_code": "1.01.02.2.01.0001", "fundings-shown": "1"}
    for code, amount in (fundings if fundings is not None else {"APBD": ""}).items():
        data[f"fundings-{code}-on"] = "y"
        data[f"fundings-{code}-amount"] = amount
    data.update(overrides)
    return data


def test_coordinator_creates_edits_deletes_action_with_history(world, as_user):
    client = as_user("koordinator@example.org")
    resp = client.post("/actions/new", data=_action_form(world))
    assert resp.status_code == 302
    action = db.session.scalar(select(Action).where(Action.code == "1.1.9"))
    assert action.budget_amount == 150_000_000 and action.ats_categories == "DO,LTM"
    assert [a.code for a in action.supporting_agencies] == ["DINSOS"] and [a.kode for a in action.areas] == ["64.08.04"]
    resp = client.post(f"/actions/{action.id}/edit", data=_action_form(world, due_date="2027-07-31",
                                                                       supporting_agency_ids=[],
                                                                       due_reason="Menunggu APBD perubahan"))
    assert resp.status_code == 302
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "31 Juli 2027" in html and "Rp 150.000.000" in html
    # before and after in the history, in words: field names, agency names, dates
    history = html.split("Riwayat perubahan")[1]
    assert "<td>Tenggat</td><td>30 Juni 2027</td><td>31 Juli 2027</td>" in history
    assert "<td>Instansi terkait</td><td>Dinsos</td><td>–</td>" in history
    assert "koordinator@example.org".split("@")[0].title() in history
    client.post(f"/actions/{action.id}/delete")
    assert client.get(f"/actions/{action.id}").status_code == 404
    ops = db.session.scalars(select(AuditEntry.operation).where(AuditEntry.entity_type == "action",
                                                                AuditEntry.entity_id == str(action.id))).all()
    assert ops == ["create", "update", "delete"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.operation == "update",
                                                       AuditEntry.entity_id == str(action.id)))
    assert entry.user.email == "koordinator@example.org"
    assert entry.before["supporting_agencies"] == [str(world.dinsos.id)] and entry.after["supporting_agencies"] == []


def test_action_form_errors_change_nothing(world, as_user):
    client = as_user("koordinator@example.org")
    before = db.session.scalar(select(func.count()).select_from(Action))
    for overrides, message in [
        ({"title": ""}, "Wajib diisi"),
        ({"due_date": "2026-01-01"}, "tidak boleh sebelum tanggal mulai"),
        ({"code": "1.1.1"}, "sudah dipakai"),
        ({"budget_amount": "dua belas juta"}, "jumlah rupiah"),
        ({"start_date": "31/12/2026"}, "Tanggal tidak sah"),
        ({"lead_agency_id": "99999"}, "Pilihan tidak sah"),
        ({"area_kodes": ["99.99"]}, "bukan pilihan yang sah"),
        ({"ats_categories": ["XYZ"]}, "bukan pilihan yang sah"),
    ]:
        resp = client.post("/actions/new", data=_action_form(world, **overrides))
        assert resp.status_code == 200, overrides
        assert message in resp.get_data(as_text=True), overrides
    assert db.session.scalar(select(func.count()).select_from(Action)) == before


def test_milestone_crud(world, as_user):
    client = as_user("koordinator@example.org")
    resp = client.post(f"/actions/{world.a2.id}/milestones/new",
                       data={"title": "Rekap", "due_date": "2026-12-15", "state": "belum_mulai"})
    assert resp.status_code == 302
    ms = db.session.scalar(select(Milestone).where(Milestone.title == "Rekap"))
    resp = client.post(f"/milestones/{ms.id}/edit", data={"title": "Rekap", "due_date": "2026-12-15",
                                                          "state": "selesai", "completed_on": "2027-01-01"})
    assert resp.status_code == 200 and "masa depan" in resp.get_data(as_text=True)
    client.post(f"/milestones/{ms.id}/delete")
    assert db.session.get(Milestone, ms.id) is None
    history = db.session.scalars(select(AuditEntry.operation).where(AuditEntry.entity_type == "milestone",
                                                                    AuditEntry.entity_id == str(ms.id))).all()
    assert history == ["create", "delete"]


def test_plan_pillar_program_editing(world, as_user):
    client = as_user("koordinator@example.org")
    resp = client.post("/plan/edit", data={"name": "SITISEK 2025–2028", "legal_basis": "Perbup 12/2026",
                                           "start_year": "2025", "end_year": "2028", "baseline_ats": "13411",
                                           "baseline_year": "2025", "target_ats": "6.706"})  # dots as people type
    assert resp.status_code == 302
    html = client.get("/plan").get_data(as_text=True)
    assert "Perbup 12/2026" in html and "13.411" in html and "6.706" in html
    assert 'name="target_ats" type="text" value="6.706"' in client.get("/plan/edit").get_data(as_text=True)
    resp = client.post("/plan/edit", data={"name": "X", "start_year": "2025", "end_year": "2028",
                                           "target_ats": "6.70"})
    assert resp.status_code == 200 and "Bukan bilangan bulat yang sah" in resp.get_data(as_text=True)
    resp = client.post("/plan/edit", data={"name": "X", "start_year": "2028", "end_year": "2025"})
    assert "Tahun akhir tidak boleh sebelum tahun awal" in resp.get_data(as_text=True)
    assert client.post("/pillars/new", data={"number": "1", "name": "Ganda"}).status_code == 200
    assert client.post("/pillars/new", data={"number": "2", "name": "Pencegahan"}).status_code == 302
    pillar = db.session.scalar(select(Pillar).where(Pillar.number == 2))
    assert client.post("/programs/new", data={"pillar_id": pillar.id, "code": "2.1",
                                              "name": "Perlindungan anak"}).status_code == 302
    # a pillar with programs, a program with actions cannot be deleted
    client.post(f"/pillars/{pillar.id}/delete")
    assert db.session.get(Pillar, pillar.id) is not None
    client.post(f"/programs/{world.program.id}/delete")
    assert db.session.get(Program, world.program.id) is not None


def test_editing_keeps_values_that_were_deactivated_since(world, as_user):
    """Fixing a typo must not silently move the action to another agency or drop its areas."""
    world.a2.areas = [world.desa]
    world.a2.fundings = [ActionFunding(source="CSR")]
    db.session.commit()
    world.disdik.active = False
    world.dinsos.active = False
    world.desa.active = False
    db.session.execute(ReferenceItem.__table__.update().where(ReferenceItem.code == "CSR").values(active=False))
    db.session.commit()
    client = as_user("koordinator@example.org")
    html = client.get(f"/actions/{world.a2.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{world.disdik.id}">' in html
    assert '<option selected value="64.08.04.1001">' in html and 'name="fundings-CSR-on" value="y" checked' in html
    form = _action_form(world, code="1.1.2", title="Verifikasi lapangan (ejaan)", lead_agency_id=world.disdik.id,
                        supporting_agency_ids=[world.dinsos.id], area_kodes=["64.08.04.1001"], fundings={"CSR": ""},
                        start_date="2026-01-01", due_date="2026-10-31")
    assert client.post(f"/actions/{world.a2.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    a2 = db.session.get(Action, world.a2.id)
    assert a2.lead_agency_id == world.disdik.id and [a.kode for a in a2.areas] == ["64.08.04.1001"]
    assert [f.source for f in a2.fundings] == ["CSR"] and a2.title == "Verifikasi lapangan (ejaan)"
    # an inactive agency cannot become the lead of another action
    resp = client.post(f"/actions/{world.a1.id}/edit", data=_action_form(world, code="1.1.1",
                                                                        lead_agency_id=world.disdik.id))
    assert resp.status_code == 200 and "Pilihan tidak sah" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Action, world.a1.id).lead_agency_id == world.dinsos.id


def test_deleting_a_program_with_deleted_actions_is_refused_not_500(world, as_user):
    client = as_user("koordinator@example.org")
    for action in (world.a1, world.a2, world.a3):
        client.post(f"/actions/{action.id}/delete")
    resp = client.post(f"/programs/{world.program.id}/delete", follow_redirects=True)
    assert resp.status_code == 200 and "sudah dihapus beserta riwayatnya" in resp.get_data(as_text=True)
    assert db.session.get(Program, world.program.id) is not None


def test_huge_ids_and_old_dates_are_404_or_errors_not_500(world, as_user):
    client = as_user("koordinator@example.org")
    huge = "9" * 25
    for url in (f"/actions/{huge}", f"/agencies/{huge}", f"/evidence/{huge}", f"/indicators/{huge}",
                f"/actions?pillar={huge}", f"/actions?agency={huge}&export=csv"):
        assert client.get(url).status_code in (200, 404), url
    resp = client.post("/actions/new", data=_action_form(world, start_date="0001-01-01"))
    assert resp.status_code == 200 and "antara 2000 dan 2100" in resp.get_data(as_text=True)
    resp = client.post("/actions/new", data=_action_form(world, code=" 1.1.1 "))
    assert resp.status_code == 200 and "sudah dipakai" in resp.get_data(as_text=True)


def test_sort_by_agency_uses_the_name(world, as_user):
    world.dpppa.short_name = "Bappeda"  # created last, sorts first by name
    db.session.commit()
    client = as_user("koordinator@example.org")
    # Bappeda (1.1.3) < Dinsos (1.1.1) < Disdikbud (1.1.2), whatever their ids
    assert _codes(client.get("/actions?sort=agency").get_data(as_text=True)) == ["1.1.3", "1.1.1", "1.1.2"]
