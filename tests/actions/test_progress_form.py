"""The progress form as a focal point meets it: last month's cumulative budget as the start, the number pad for
money on a phone, one clear message for a percentage with a decimal."""
import re

from tests.actions.test_progress import _post


def _percent_errors(html: str) -> list[str]:
    block = re.search(r'id="percent_complete-err">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_the_cumulative_budget_starts_from_the_agencys_last_figure(world, as_user):
    client = as_user("dinsos@example.org")
    assert 'name="budget_realised" type="text" value=""' in client.get(
        f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert _post(client, world.a1.id, period="2026-10", budget_realised="Rp 1.250.000").status_code == 302
    form = client.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert re.search(r'name="budget_realised"[^>]*value="1.250.000"', form)
    assert re.search(r'inputmode="numeric"[^>]*name="budget_realised"|name="budget_realised"[^>]*inputmode="numeric"',
                     form)
    # another agency on the same action starts from its own figure, not Dinsos's
    other = as_user("dpppa@example.org")
    world.a1.supporting_agencies = [world.dpppa]
    from coordinator.extensions import db

    db.session.commit()
    assert 'value="1.250.000"' not in other.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)


def test_a_percentage_with_a_decimal_gets_one_message(world, as_user):
    client = as_user("dinsos@example.org")
    for typed in ("12.5", "12,5", "dua belas", "150", "-1"):
        html = _post(client, world.a1.id, percent_complete=typed).get_data(as_text=True)
        errors = _percent_errors(html)
        assert len(errors) == 1, (typed, errors)
        assert "bilangan bulat" in errors[0] or "antara 0 dan 100" in errors[0], (typed, errors)


def test_a_correction_keeps_the_original_evidence_unless_removed(world, as_user, app_ctx):
    import io

    from sqlalchemy import select

    from coordinator.actions.evidence import path_of
    from coordinator.extensions import db
    from coordinator.models import Evidence, ProgressUpdate
    from tests.helpers import MINIMAL_PDF, PNG_1PX

    client = as_user("dinsos@example.org")
    assert _post(client, world.a1.id, files=[("berita-acara.pdf", MINIMAL_PDF), ("foto.png", PNG_1PX)]) \
        .status_code == 302
    original = db.session.scalar(select(ProgressUpdate))
    by_name = {e.original_name: e.id for e in original.evidence}
    form = client.get(f"/progress/{original.id}/correct").get_data(as_text=True)
    assert "Bukti laporan lama" in form and "Hapus berita-acara.pdf" in form and "Hapus foto.png" in form

    data = {"period": "2026-11", "percent_complete": "45", "achievements": "Diperbaiki", "reason": "Salah angka",
            "drop_evidence": [str(by_name["foto.png"])], "files": [(io.BytesIO(PNG_1PX), "foto-baru.png")]}
    resp = client.post(f"/progress/{original.id}/correct", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.expire_all()
    correction = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.supersedes_id == original.id))
    assert sorted(e.original_name for e in correction.evidence) == ["berita-acara.pdf", "foto-baru.png"]
    carried = next(e for e in correction.evidence if e.original_name == "berita-acara.pdf")
    kept = db.session.get(Evidence, by_name["berita-acara.pdf"])
    assert carried.stored_name != kept.stored_name and carried.sha256 == kept.sha256  # a copy of its own
    assert path_of(app_ctx.config["UPLOAD_DIR"], carried.stored_name).read_bytes() == MINIMAL_PDF
    assert sorted(e.original_name for e in db.session.get(ProgressUpdate, original.id).evidence) == [
        "berita-acara.pdf", "foto.png"]  # the superseded report keeps its own, as history
    page = client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert page.count("berita-acara.pdf") == 2


def test_carried_and_new_files_together_stay_within_ten(world, as_user):
    import io

    from sqlalchemy import func, select

    from coordinator.extensions import db
    from coordinator.models import ProgressUpdate
    from tests.helpers import PNG_1PX

    client = as_user("dinsos@example.org")
    _post(client, world.a1.id, files=[(f"foto-{i}.png", PNG_1PX) for i in range(6)])
    original = db.session.scalar(select(ProgressUpdate))
    data = {"period": "2026-11", "percent_complete": "45", "achievements": "Diperbaiki", "reason": "Tambah foto",
            "files": [(io.BytesIO(PNG_1PX), f"baru-{i}.png") for i in range(5)]}
    resp = client.post(f"/progress/{original.id}/correct", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200 and "Paling banyak 10 berkas" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1
    bad = {**data, "files": [], "drop_evidence": ["999999"]}
    resp = client.post(f"/progress/{original.id}/correct", data=bad, content_type="multipart/form-data")
    assert resp.status_code == 200 and db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1


def test_long_text_boxes_show_their_limit_and_are_never_cut(world, as_user):
    client = as_user("dinsos@example.org")
    form = client.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*data-max="10000"[^>]*id="achievements"|<textarea[^>]*id="achievements"'
                     r'[^>]*data-max="10000"', form)
    assert 'id="achievements-count"' in form and "paling banyak 10.000 karakter" in form
    assert "maxlength" not in form.split('id="achievements"')[1].split(">")[0]  # the browser cuts nothing
    assert "js/char-count.js" in form
    html = _post(client, world.a1.id, achievements="x" * 10001).get_data(as_text=True)
    assert "Paling banyak 10000 karakter." in html  # refused with a message instead


def _held(html: str) -> list[str]:
    return re.findall(r'name="kept_files" value="([0-9a-f]{32})"', html)


def test_files_chosen_for_a_refused_form_wait_for_the_next_try(world, as_user, app_ctx):
    import io

    from sqlalchemy import func, select

    from coordinator.extensions import db
    from coordinator.models import ProgressUpdate
    from tests.helpers import MINIMAL_PDF, PNG_1PX

    client = as_user("dinsos@example.org")
    html = _post(client, world.a1.id, achievements="", files=[("berita-acara.pdf", MINIMAL_PDF),
                                                              ("foto.png", PNG_1PX), ("palsu.pdf", b"bukan pdf")]
                 ).get_data(as_text=True)
    tokens = _held(html)
    assert len(tokens) == 2 and "Hapus berita-acara.pdf" in html and "Hapus foto.png" in html
    assert "palsu.pdf" in html.split('id="files-err"')[1][:400]  # the refused one is said, not kept
    held_dir = __import__("pathlib").Path(app_ctx.config["UPLOAD_DIR"]) / "evidence-pending"
    assert MINIMAL_PDF not in b"".join(p.read_bytes() for p in held_dir.iterdir())  # kept encrypted
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    # Next try: nothing chosen again; the photo is ticked away, one new file added.
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "Kunjungan keluarga",
            "kept_files": tokens, "drop_kept": [tokens[1]], "files": [(io.BytesIO(PNG_1PX), "baru.png")]}
    resp = client.post(f"/actions/{world.a1.id}/progress/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    report = db.session.scalar(select(ProgressUpdate))
    assert sorted(e.original_name for e in report.evidence) == ["baru.png", "berita-acara.pdf"]
    assert not any((held_dir / t).exists() for t in tokens)  # nothing of this form left waiting


def test_held_files_that_are_gone_or_forged(world, as_user):
    client = as_user("dinsos@example.org")
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "x", "kept_files": ["0" * 32]}
    html = client.post(f"/actions/{world.a1.id}/progress/new", data=data).get_data(as_text=True)
    assert "lebih dari satu jam" in html  # gone: said, and the report is not saved without them
    assert client.post(f"/actions/{world.a1.id}/progress/new",
                       data={**data, "kept_files": ["../../etc/passwd"]}).status_code == 400
