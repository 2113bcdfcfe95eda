"""Issue 20, one truth for every figure: the monthly PDF names quarters and orders codes as the pages do."""
from __future__ import annotations

import re
from datetime import date, datetime

from coordinator.core.formatting import in_locale
from coordinator.extensions import db
from coordinator.models import Indicator, IndicatorValue
from coordinator.reports.facts import collect_facts
from coordinator.reports.model import build_report
from coordinator.reports.pdf import letterhead_of, render_html
from tests.reports.report_data import OCTOBER, build_october

NOW = datetime(2026, 11, 27, 2, 0)


def _html(report, locale: str) -> str:
    return render_html(report, letterhead_of(report, None), locale, draft=True, number="RAD-ATS/2026/10/KAB",
                       generated_on=date(2026, 11, 27), has_logo=False)


def _report(world):
    build_october(world)
    for code in ("I-10", "I-2"):
        ind = Indicator(plan=world.plan, code=code, name=f"Indikator {code}", unit="anak", direction="naik")
        db.session.add(ind)
        db.session.flush()
        db.session.add(IndicatorValue(indicator_id=ind.id, year=2026, quarter=3, value=5,
                                      entered_at=datetime(2026, 10, 2)))
    world.action("1.1.10", "Aksi kesepuluh", world.disdik, date(2026, 1, 1), date(2026, 12, 31))
    db.session.commit()
    return build_report(collect_facts(db.session, OCTOBER, NOW))


def test_quarters_in_the_pdf_read_as_on_the_pages(world, app_ctx):
    report = _report(world)
    with in_locale("id"):
        assert [str(i.actual_period) for i in report.indicators if i.code != "I-1"] == ["TW III 2026"] * 2
    html_id, html_en = _html(report, "id"), _html(report, "en")
    assert "TW III 2026" in html_id and "2026 T3" not in html_id
    assert "Q3 2026" in html_en and "TW III" not in html_en and "2026 T3" not in html_en


def test_codes_in_the_pdf_are_in_natural_order(world, app_ctx):
    report = _report(world)
    assert [i.code for i in report.indicators] == ["I-1", "I-2", "I-10"]
    assert [a.code for a in report.annex] == ["1.1.1", "1.1.2", "1.1.3", "1.1.10"]
    html = _html(report, "id")
    assert re.findall(r'data-code="(1\.1\.\d+)"', html) == ["1.1.1", "1.1.2", "1.1.3", "1.1.10"]


def test_the_reports_ats_chart_tells_two_snapshots_of_a_month_apart(world, app_ctx):
    from coordinator.reports.charts import report_charts
    from tests.reports.report_data import _snapshot

    build_october(world)
    _snapshot(date(2026, 10, 15), (780, 290, 245), (545, 145, 88))  # 2.093, between 30 Sep and 31 Oct
    db.session.commit()
    report = build_report(collect_facts(db.session, OCTOBER, NOW))
    for locale, month, days, figure in (("id", "Okt 26", ("15 Okt 2026", "31 Okt 2026"), "2.093"),
                                        ("en", "Oct 26", ("15 Oct 2026", "31 Oct 2026"), "2,093")):
        with in_locale(locale):
            svg = report_charts(report, locale)["ats"]
        axis = re.findall(r"<text[^>]*>([^<]*)</text>", re.search(r'<g class="x-labels".*?</g>', svg, re.S).group(0))
        assert axis.count(month) == 1, axis
        total = re.search(r'<g class="series-total".*?</g>', svg, re.S).group(0)
        tips = re.findall(r"<title>([^<]*)</title>", total)
        assert f"Total · {days[0]}: {figure}" in " ".join(tips), tips
        assert any(days[1] in t for t in tips), tips
        desc = re.search(r"<desc>(.*?)</desc>", svg, re.S).group(1)
        assert all(d in desc for d in days), desc
