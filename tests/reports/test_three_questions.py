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


def test_a_long_unbroken_string_wraps_inside_the_page(world, app_ctx):
    """A pasted link or a code without spaces in an obstacle breaks across lines instead of running off the page."""
    from io import BytesIO

    from pypdf import PdfReader
    from sqlalchemy import select

    from coordinator.models import ProgressUpdate

    build_october(world)
    long_text = "https://drive.example.org/" + "x" * 260
    for update in db.session.scalars(select(ProgressUpdate)):
        update.obstacles = long_text
    db.session.commit()
    rendered = preview(db.session, OCTOBER, "kabupaten", "", "id", NOW)
    pages = PdfReader(BytesIO(rendered.pdf)).pages
    lines = [line for page in pages for line in (page.extract_text() or "").split("\n")]
    pieces = [line for line in lines if "xxxxxxxxxx" in line]
    assert pieces, "the obstacle is in the report"
    assert max(len(line) for line in pieces) < 140  # broken into lines that fit the page


def test_the_report_names_the_most_and_least_effective_actions_from_its_own_facts(app_ctx):
    """On the demo: five each, ranked by cost per child returned, only actions that report children; a closed
    month keeps its ranking whatever happens later."""
    from coordinator.reports.facts import close_month, live_snapshot, load_facts

    assert app_ctx.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    report = build_report(collect_facts(db.session, OCTOBER, NOW))
    best, worst = report.most_effective, report.least_effective
    assert len(best) == 5 and len(worst) == 5 and not {e.id for e in best} & {e.id for e in worst}
    costs = [e.cost_per_child for e in best]
    assert costs == sorted(costs) and all(e.returned > 0 for e in best)
    assert all(e.reached or e.returned for e in best + worst)
    close_month(db.session, OCTOBER, NOW, None)
    db.session.commit()
    frozen = build_report(load_facts(live_snapshot(db.session, OCTOBER)))
    assert [e.code for e in frozen.most_effective] == [e.code for e in best]
    _text, pages = pdf_text(preview(db.session, OCTOBER, "kabupaten", "", "id", NOW).pdf)
    text = " ".join(pages)
    assert "Aksi dengan hasil terbaik dan terlemah" in text and best[0].code in text


def test_categories_get_charts_of_their_own_when_their_scales_differ(app_ctx):
    """One line chart flattens DO and LTM under BPB: then each category also gets a small chart on its own scale;
    the main chart names its lines at their ends, so no line is told apart by colour alone."""
    from datetime import date
    from types import SimpleNamespace

    from coordinator.reports.charts import _ats_svg, _category_svgs

    def report(bpb: int, do: int, ltm: int) -> SimpleNamespace:
        counts = {"BPB": bpb, "DO": do, "LTM": ltm, "total": bpb + do + ltm}
        return SimpleNamespace(ats_series=[(date(2026, 9, 30), counts), (date(2026, 10, 31), counts)],
                               scope="kabupaten", scope_name="")

    with app_ctx.test_request_context():
        apart = _category_svgs(report(6000, 1200, 1100), "id")
        assert len(apart) == 3 and all(svg.startswith("<svg") for svg in apart)
        assert ">DO<" in apart[1] and ">LTM<" in apart[2]
        assert _category_svgs(report(300, 200, 150), "id") == []  # one scale shows them all
        assert 'class="direct-labels"' in _ats_svg(report(6000, 1200, 1100), "id")
