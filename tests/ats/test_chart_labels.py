"""Issue 20: two ATS snapshots in one month are told apart on the chart (tooltips and text equivalent by day), and
the axis never shows the same month label twice."""
from __future__ import annotations

import re
from datetime import date

import pytest

from coordinator.ats import pages as ats_pages
from coordinator.extensions import db
from tests.ats.test_pages import BENGALON, SU, snapshot


@pytest.fixture(autouse=True)
def _cold_cache():
    ats_pages._TOTALS_CACHE.clear()
    yield
    ats_pages._TOTALS_CACHE.clear()


def chart_parts(html: str) -> tuple[list[str], str, list[str]]:
    """Axis labels, <desc> and the total's point tooltips of the page's ATS chart."""
    svg = re.search(r'<svg[^>]*class="line-chart ats-chart".*?</svg>', html, re.S).group(0)
    axis = re.findall(r"<text[^>]*>([^<]*)</text>", re.search(r'<g class="x-labels".*?</g>', svg, re.S).group(0))
    desc = re.search(r"<desc>(.*?)</desc>", svg, re.S).group(1)
    total = re.search(r'<g class="series-total".*?</g>', svg, re.S).group(0)
    return axis, desc, re.findall(r"<title>([^<]*)</title>", total)


def test_two_snapshots_in_one_month(as_user, world):
    snapshot(date(2026, 10, 1), {SU: (100, 20, 10), BENGALON: (50, 10, 5)})
    snapshot(date(2026, 10, 15), {SU: (90, 20, 10), BENGALON: (50, 10, 5)})
    db.session.commit()
    axis, desc, tips = chart_parts(as_user("pimpinan@example.org").get("/ats").get_data(as_text=True))
    assert axis == ["Okt 26"]
    assert tips == ["Total · 1 Okt 2026: 195 anak", "Total · 15 Okt 2026: 185 anak"]
    assert "Total (anak) — 1 Okt 2026: 195; 15 Okt 2026: 185" in desc

    world.leader.locale = "en"
    db.session.commit()
    axis, desc, tips = chart_parts(as_user("pimpinan@example.org").get("/ats").get_data(as_text=True))
    assert axis == ["Oct 26"] and tips == ["Total · 1 Oct 2026: 195 children", "Total · 15 Oct 2026: 185 children"]
    assert "1 Oct 2026: 195; 15 Oct 2026: 185" in desc


def test_direct_labels_name_every_line_without_overlapping():
    """The PDF's trend chart names each category beside its last point, not by colour alone; labels that would
    sit on each other (BPB and DO ending at the same count) are moved apart."""
    import re as _re
    from datetime import date as _date

    from coordinator.core.charts import Series, ats_chart

    dates = [_date(2026, 9, 30), _date(2026, 10, 31)]
    series = [Series("BPB", [50.0, 40.0]), Series("DO", [45.0, 40.0]), Series("LTM", [20.0, 18.0]),
              Series("Total", [115.0, 98.0])]
    svg = ats_chart(series, dates, ["Sep 26", "Okt 26"], [], "ATS", "anak", direct_labels=True)
    labels = _re.search(r'<g class="direct-labels".*?</g>', svg, _re.S).group(0)
    found = _re.findall(r'y="([\d.]+)"[^>]*>([^<]+)</text>', labels)
    assert sorted(name for _y, name in found) == ["BPB", "DO", "LTM", "Total"]
    ys = sorted(float(y) for y, _name in found)
    assert all(b - a >= 12 for a, b in zip(ys, ys[1:], strict=False))
    assert "direct-labels" not in ats_chart(series, dates, ["Sep 26", "Okt 26"], [], "ATS", "anak")
