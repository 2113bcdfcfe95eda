"""Page 2 of the monthly report answers the leaders' three questions, in order: on track? what works? what needs a
decision (with the responsible agency)? With the trajectory chart, the waterfall and, on the summary, the map."""
from __future__ import annotations

from datetime import datetime

from coordinator.extensions import db
from coordinator.reports.archive import preview
from coordinator.reports.facts import collect_facts
from coordinator.reports.model import build_report
from tests.reports.report_data import OCTOBER, build_october, pdf_text

NOW = datetime(2026, 11, 27, 2, 0)


def test_page_two_answers_the_three_questions_in_order(world, app_ctx):
    build_october(world)
    report = build_report(collect_facts(db.session, OCTOBER, NOW))
    rendered = preview(db.session, OCTOBER, "kabupaten", "", "id", NOW)
    _text, pages = pdf_text(rendered.pdf)
    page2 = pages[1]
    first, second, third = (page2.index(q) for q in ("1. Apakah kita sesuai jalur?", "2. Apa yang berhasil?",
                                                     "3. Apa yang perlu diputuskan?"))
    assert first < second < third
    assert report.trajectory is not None and report.expected_now is not None
    verdict = "Sesuai jalur" if report.ats_now <= report.expected_now else "Di belakang jalur"
    assert verdict in page2
    assert f"{report.returned_total} anak berbeda kembali bersekolah" in page2
    # the decisions name the agency responsible for each action first
    for d in report.decisions:
        assert d["responsible"], d
        assert f"penanggung jawab: {d['responsible']}" in " ".join(pages[1:3])
    summary = " ".join(pages[2:4])
    assert "Peta kecamatan" in summary and "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)" in summary
