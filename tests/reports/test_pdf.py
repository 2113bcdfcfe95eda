"""The monthly PDF report: figures read back from the PDF, frozen months, the archive, safety, the CLI."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Action, MonthlySnapshot, ProgressUpdate, ReportArchive
from coordinator.reports.archive import archive_path, generate, preview
from coordinator.reports.facts import close_month, collect_facts, live_snapshot, load_facts, reopen_month
from coordinator.reports.model import build_report
from coordinator.reports.pdf import BASE_URL, static_only_fetcher
from tests.reports.report_data import DINSOS_OBSTACLE, DISDIK_OBSTACLE, OCTOBER, build_october, pdf_text

NOW = datetime(2026, 11, 27, 2, 0)


@pytest.fixture()
def october(world, app_ctx):
    build_october(world)
    return world


def _close_and_generate(app, locale="id", scope="kabupaten", key=""):
    snapshot = live_snapshot(db.session, OCTOBER) or close_month(db.session, OCTOBER, NOW, None)
    archive = generate(db.session, snapshot, scope, key, locale, NOW, None, app.config["UPLOAD_DIR"])
    db.session.commit()
    return snapshot, archive


def _pages_to_png(data: bytes, artifacts_dir: Path, name: str) -> list[Path]:
    folder = artifacts_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes(data)
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to render the report pages")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(folder / name)], check=True, timeout=120)
    return sorted(folder.glob(f"{name}-*.png"))


def test_regency_report_holds_the_months_figures(october, app_ctx, artifacts_dir):
    _snapshot, archive = _close_and_generate(app_ctx)
    data = archive_path(app_ctx.config["UPLOAD_DIR"], archive).read_bytes()
    text, pages = pdf_text(data)
    assert "Laporan Kemajuan Rencana Aksi Daerah Penanganan Anak Tidak Sekolah" in text
    assert "Oktober 2026" in text and "RAD-ATS/2026/10/KAB" in text
    # ATS now (31 Oct), baseline, target, reduction achieved and still needed, in Indonesian number format.
    for figure in ("2.045", "2.611", "1.500", "566", "545"):
        assert figure in text, figure
    assert "2.140" not in text.split("Lampiran")[0] or "1.350" in text  # last month appears with its kecamatan
    assert "1.280" in text and "1.350" in text and "1.700" in text  # Sangatta Utara now / last month / baseline
    assert "999" not in text  # the November snapshot is not October's
    assert DINSOS_OBSTACLE in text and DISDIK_OBSTACLE in text
    assert "1.1.2" in text and "16" in text  # 1.1.2 late by 16 days on 31 October
    assert "Sangatta Utara" in text and "Bengalon" in text
    assert "Jumlah anak tidak sekolah" in text  # the indicator against its target
    annex = " ".join(text.split("Lampiran: pembaruan")[-1].split("Lampiran: definisi")[0].split())
    flat = " ".join(text.split())
    # Tables that add up, late items named with their own date, the budget and the children split, the glossary
    assert "Tanpa wilayah (residu)" in flat and "% terhadap baseline" in flat
    assert "Yang terlambat" in flat and "tenggat aksi" in flat
    assert "Pagu aksi" in flat and "Daya serap" in flat and "Anak berbeda kembali bersekolah" in flat
    assert "Lampiran: definisi angka" in flat and "Anak berbeda kembali bersekolah Setiap anak dihitung sekali" in flat
    assert "Anggaran Rp 150.000.000 · APBD Kabupaten: Rp 100.000.000; CSR: Rp 50.000.000" in annex
    report = build_report(load_facts(db.session.get(MonthlySnapshot, archive.snapshot_id)))
    assert (report.returned_month, report.returned_total, report.reached_month) == (9, 13, 25)
    assert report.status_counts["terlambat"] == 1 and [x.code for x in report.late] == ["1.1.2"]
    assert report.late[0].days_late == 16
    assert [d["code"] for d in report.decisions] == ["1.1.2", "1.1.1"]  # the late one first
    # Page count is sane and every page after the cover is numbered.
    assert 4 <= archive.pages <= 30 and len(pages) == archive.pages
    for number, page in enumerate(pages[1:], start=2):
        assert f"Halaman {number} dari {archive.pages}" in page, (number, page[-200:])
    pngs = _pages_to_png(data, artifacts_dir, "laporan-2026-10-kabupaten")
    assert len(pngs) == archive.pages


def test_fonts_come_from_the_project_and_charts_are_vector(october, app_ctx):
    rendered = preview(db.session, OCTOBER, "kabupaten", "", "id", NOW)
    assert any(u.endswith("/static/fonts/DejaVuSansCondensed.ttf") for u in rendered.served)
    assert any(u.endswith("/static/css/report.css") for u in rendered.served)
    assert rendered.refused == []
    reader = PdfReader(BytesIO(rendered.pdf))
    fonts = set()
    images = 0
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
        images += len(page.images)
    # Every font is the @font-face family "Laporan" loaded from coordinator/static/fonts, none a system font.
    assert fonts and all("+Laporan" in f for f in fonts), fonts
    assert images == 0  # the charts are drawn as vector paths, not embedded pictures


def test_english_report(october, app_ctx):
    _snapshot, archive = _close_and_generate(app_ctx, locale="en")
    text, _pages = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], archive).read_bytes())
    assert "October 2026" in text and "Progress Report" in text
    assert "Page 2 of" in text
    assert "Corporate social responsibility (CSR): Rp 50,000,000" in " ".join(text.split())


def test_agency_and_kecamatan_variants(october, app_ctx):
    _s, dinsos = _close_and_generate(app_ctx, scope="opd", key="DINSOS")
    text, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], dinsos).read_bytes())
    assert "Dinas Sosial" in text and "RAD-ATS/2026/10/DINSOS" in text
    assert "Pendampingan keluarga" in text and "Verifikasi lapangan" in text  # leads 1.1.1, supports 1.1.2
    assert "Sosialisasi perkawinan anak" not in text  # DPPPA's alone
    _s, kec = _close_and_generate(app_ctx, scope="kecamatan", key="64.08.04")
    text, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], kec).read_bytes())
    assert "Sangatta Utara" in text and "Teluk Lingga" in text and "1.280" in text
    assert "Sosialisasi perkawinan anak" not in text
    with pytest.raises(DomainError):
        build_report(load_facts(live_snapshot(db.session, OCTOBER)), "kecamatan", "64.08.99")
    with pytest.raises(DomainError):
        build_report(load_facts(live_snapshot(db.session, OCTOBER)), "opd", "TIDAKADA")


def test_a_closed_month_is_unaffected_by_later_edits(october, app_ctx):
    snapshot, first = _close_and_generate(app_ctx)
    before = build_report(load_facts(snapshot))
    # After closing: a title changes, 1.1.2 is marked complete, a late October report and a correction arrive,
    # and a new ATS import for 31 October.
    a1 = db.session.get(Action, october.a1.id)
    a1.title = "Judul baru sesudah penutupan"
    a2 = db.session.get(Action, october.a2.id)
    a2.marked_complete, a2.completed_on = True, date(2026, 10, 10)
    db.session.add(ProgressUpdate(action=october.a3, agency=october.dpppa, author=october.other_focal,
                                  period=OCTOBER, percent_complete=90, achievements="Terlambat masuk",
                                  obstacles="Kendala baru", created_at=datetime(2026, 11, 26)))
    db.session.commit()
    second = generate(db.session, db.session.get(MonthlySnapshot, snapshot.id), "kabupaten", "", "id", NOW, None,
                      app_ctx.config["UPLOAD_DIR"])
    db.session.commit()
    assert second.revision == 1 and second.document_number == "RAD-ATS/2026/10/KAB-R1"
    after = build_report(load_facts(db.session.get(MonthlySnapshot, snapshot.id)))
    assert after == before
    t1, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], first).read_bytes())
    t2, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], second).read_bytes())
    assert t2.replace("KAB-R1", "KAB") == t1  # the same figures, word for word
    assert "Judul baru" not in t2 and "Kendala baru" not in t2
    # The live data (a draft of the same month, were it open) has moved on.
    live = build_report(collect_facts(db.session, OCTOBER, NOW))
    assert live.status_counts["terlambat"] == 0 and live != before


def test_archived_pdf_downloads_unchanged(october, app_ctx, client):
    _s, archive = _close_and_generate(app_ctx)
    stored = archive_path(app_ctx.config["UPLOAD_DIR"], archive).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == archive.sha256
    for email in ("pimpinan@example.org", "koordinator@example.org"):
        client.post("/logout")
        client.post("/login", data={"email": email, "password": "demo-kutim-2026"})
        resp = client.get(f"/reports/archive/{archive.id}/download")
        assert resp.status_code == 200 and resp.mimetype == "application/pdf"
        assert resp.data == stored
        assert "Laporan-RAD-ATS-2026-10.pdf" in resp.headers["Content-Disposition"]
    # A file altered on disk is not handed out as the archived report.
    archive_path(app_ctx.config["UPLOAD_DIR"], archive).write_bytes(stored + b"%tampered")
    resp = client.get(f"/reports/archive/{archive.id}/download")
    assert resp.status_code == 302
    assert "tidak cocok" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_closing_rules(october, app_ctx):
    with pytest.raises(DomainError):
        close_month(db.session, date(2026, 11, 1), NOW, None)  # November has not ended on 27 November
    snapshot = close_month(db.session, OCTOBER, NOW, None)
    with pytest.raises(DomainError):
        close_month(db.session, OCTOBER, NOW, None)
    with pytest.raises(DomainError):
        reopen_month(db.session, snapshot, NOW, None, "  ")
    reopen_month(db.session, snapshot, NOW, None, "Laporan DPPPA terlambat masuk")
    with pytest.raises(DomainError):
        generate(db.session, snapshot, "kabupaten", "", "id", NOW, None, app_ctx.config["UPLOAD_DIR"])
    again = close_month(db.session, OCTOBER, NOW, None)
    db.session.commit()
    assert again.id != snapshot.id and live_snapshot(db.session, OCTOBER).id == again.id
    assert db.session.scalar(select(func.count()).select_from(MonthlySnapshot)) == 2  # nothing lost


def test_user_text_is_escaped_and_the_renderer_fetches_nothing_else(october, app_ctx):
    a1 = db.session.get(Action, october.a1.id)
    a1.title = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.com/x.css">Aksi'
    update = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.action_id == a1.id,
                                                            ProgressUpdate.period == OCTOBER))
    update.obstacles = '<script>alert(1)</script><iframe src="https://example.com"></iframe>'
    db.session.commit()
    rendered = preview(db.session, OCTOBER, "kabupaten", "", "id", NOW)
    assert rendered.refused == []  # escaped: the renderer never even tried
    assert all(u.startswith(BASE_URL + "static/") for u in rendered.served)
    text, _ = pdf_text(rendered.pdf)
    assert '<img src="file:///etc/passwd">' in text and "<script>alert(1)</script>" in text
    assert "DRAF" in text  # October is still open here: a draft


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://example.com/logo.png", "https://example.com/a.css", "data:text/css,body{}",
    BASE_URL + "static/../../config.py", BASE_URL + "static/%2e%2e/%2e%2e/config.py", BASE_URL + "asset/logo",
    BASE_URL + "uploads/evidence/x.pdf", "https://sitisek.invalid.example.com/static/css/report.css",
])
def test_fetcher_refuses_everything_but_static_files(url):
    fetcher = static_only_fetcher(logo=None)
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    served = fetcher.fetch(BASE_URL + "static/css/report.css")
    assert served.read().startswith(b"") and fetcher.served == [BASE_URL + "static/css/report.css"]


def test_cli_monthly_contract(october, app_ctx, tmp_path):
    runner = app_ctx.test_cli_runner()
    out = tmp_path / "draf.pdf"
    result = runner.invoke(args=["report", "monthly", "--period", "2026-10", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "DRAF" in pdf_text(out.read_bytes())[0]  # open month: a draft, nothing archived
    assert db.session.scalar(select(func.count()).select_from(ReportArchive)) == 0
    result = runner.invoke(args=["report", "monthly", "--period", "2026-10", "--out", str(out), "--close"])
    assert result.exit_code == 0, result.output
    archive = db.session.scalar(select(ReportArchive))
    assert out.read_bytes() == archive_path(app_ctx.config["UPLOAD_DIR"], archive).read_bytes()
    assert archive.sha256 in result.output
    for extra, expected in ((["--agency", "dinsos"], "Dinas Sosial"), (["--kecamatan", "64.08.04"], "Teluk Lingga")):
        result = runner.invoke(args=["report", "monthly", "--period", "2026-10", "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        assert expected in pdf_text(out.read_bytes())[0]
    for bad in (["--period", "2026-13"], ["--period", "oktober"], ["--period", "2026-10", "--agency", "NOPE"],
                ["--period", "2026-10", "--kecamatan", "99.99"],
                ["--period", "2026-10", "--agency", "DINSOS", "--kecamatan", "64.08.04"],
                ["--period", "2026-12", "--close"]):
        result = runner.invoke(args=["report", "monthly", "--out", str(tmp_path / "x.pdf"), *bad])
        assert result.exit_code != 0, bad
    assert db.session.scalar(select(func.count()).select_from(ReportArchive)) == 3


def test_by_name_list_reconciles_in_the_report_each_child_once(october, app_ctx):
    from coordinator.models import ChildCase, ChildVerification
    from tests.verval.verval_data import make_child

    kids = [make_child(app_ctx, f"Anak {i}", october.desa.kode, serial=i) for i in range(1, 5)]
    findings = [("ats_valid", date(2026, 10, 5)), ("ats_valid", date(2026, 10, 6)), ("pindah", date(2026, 10, 7)),
                ("ats_valid", date(2026, 11, 3))]  # the last one after October: not verified in October's report
    for kid, (status, day) in zip(kids, findings, strict=True):
        kid.status, kid.verified_on, kid.created_at = status, day, datetime(2026, 10, 1)  # listed in October
        db.session.add(ChildVerification(child_id=kid.id, status=status, verified_on=day,
                                         verifier_id=october.coordinator.id, created_at=NOW))
    for action in (october.a1, october.a2):  # two actions, one child back at school
        db.session.add(ChildCase(child_id=kids[0].id, action_id=action.id, outcome="formal",
                                 outcome_date=date(2026, 10, 20), school_npsn="30405060", created_at=NOW,
                                 updated_at=NOW))
    db.session.add(ChildCase(child_id=kids[1].id, action_id=october.a1.id, outcome="paket", institution="PKBM Maju",
                             outcome_date=date(2026, 11, 2), created_at=NOW, updated_at=NOW))  # November: not yet
    late = make_child(app_ctx, "Masuk November", october.desa.kode, serial=9)  # imported after October
    late.created_at = datetime(2026, 11, 2)
    db.session.commit()
    _s, archive = _close_and_generate(app_ctx)
    report = build_report(load_facts(db.session.get(MonthlySnapshot, archive.snapshot_id)))
    [row] = [r for r in report.area_rows if r.kode == "64.08.04"]
    assert (row.listed, row.verified, row.valid_ats, row.returned_by_name) == (4, 3, 2, 1)
    assert (report.returned_by_name_month, report.returned_by_name_total) == (1, 1)
    text, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], archive).read_bytes())
    assert "Rekonsiliasi" in text and "ATS valid" in text
    assert "Anak 1" not in text  # no child's name in a report for leaders


def test_frozen_cover_first_submission_and_late_indicator_values(october, app_ctx):
    from coordinator.models import Indicator, IndicatorValue, ReportSettings

    manual = Indicator(plan=october.plan, code="I-9", name="Sekolah ramah anak", unit="sekolah", direction="naik")
    db.session.add(manual)
    db.session.flush()
    db.session.add_all([
        IndicatorValue(indicator=manual, year=2026, quarter=4, value=20, entered_at=datetime(2026, 10, 20)),
        IndicatorValue(indicator=manual, year=2026, quarter=4, value=99, entered_at=datetime(2026, 11, 3)),
        ReportSettings(id=1, pemkab_name="Pemerintah Kabupaten Kutai Timur", office_name="Disdikbud",
                       send_day=5, send_time="08:00", auto_send=True, default_locale="id"),
    ])
    # 1.1.1's October report is corrected on 3 November: still on time (first made on 20 October).
    first = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.action_id == october.a1.id,
                                                           ProgressUpdate.period == OCTOBER))
    first.superseded_at = datetime(2026, 11, 3)
    db.session.add(ProgressUpdate(action=october.a1, agency=october.dinsos, author=october.focal, period=OCTOBER,
                                  percent_complete=65, achievements="Koreksi", created_at=datetime(2026, 11, 3),
                                  supersedes_id=first.id, correction_reason="angka salah"))
    db.session.commit()
    snapshot, archive = _close_and_generate(app_ctx)
    report = build_report(load_facts(snapshot))
    [line] = [i for i in report.indicators if i.code == "I-9"]
    assert line.actual == 20  # the value entered on 3 November is not October's
    [dinsos] = [a for a in report.agencies if a.short_name == "Dinsos"]
    assert (dinsos.reported, dinsos.on_time) == (1, 1)
    # The cover stays as it was at closing when the settings change later.
    db.session.get(ReportSettings, 1).pemkab_name = "Nama Baru Sesudah Penutupan"
    db.session.commit()
    again = generate(db.session, snapshot, "kabupaten", "", "id", NOW, None, app_ctx.config["UPLOAD_DIR"])
    text, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], again).read_bytes())
    assert "Nama Baru" not in text and "PEMERINTAH KABUPATEN KUTAI TIMUR" in text


def test_cli_reuses_the_archive_and_checks_the_output_path_first(october, app_ctx, tmp_path):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["report", "monthly", "--period", "2026-10", "--close", "--out",
                                 str(tmp_path / "nope" / "x.pdf")])
    assert result.exit_code != 0 and live_snapshot(db.session, OCTOBER) is None  # nothing closed or archived
    for _ in range(2):
        result = runner.invoke(args=["report", "monthly", "--period", "2026-10", "--close", "--out",
                                     str(tmp_path / "x.pdf")])
        assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(ReportArchive)) == 1
    result = runner.invoke(args=["report", "monthly", "--period", "2026-10", "--regenerate", "--out",
                                 str(tmp_path / "x.pdf")])
    assert result.exit_code == 0 and "KAB-R1" in result.output
