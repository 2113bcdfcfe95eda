"""The public page /publik: off by default (a 404), on without login; aggregates only, no area figure under 5, no
child's data, no way into the app's pages, and the same regency figures as `flask report figures`."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

import config
from coordinator.ats import pages as ats_pages
from coordinator.ats.page_types import Row
from coordinator.core.clock import utcnow, wita_today
from coordinator.extensions import db
from coordinator.figures.live import children_as_of
from coordinator.maps import measures
from coordinator.maps.shapes import kecamatan_shapes
from coordinator.models import Child
from coordinator.public.figures import AreaCount, area_count, public_figure, public_map, withhold_complements
from coordinator.web.page_cache import content_cache
from tests.conftest import login

NIK_SHAPED = re.compile(r"(?<![\d.])\d{16}(?![\d.])")
FIGURE = re.compile(r"^\d{1,3}(\.\d{3})*$")  # an Indonesian whole number: 13.411


def number(text: str) -> int:
    return int(text.replace(".", ""))


class Page(HTMLParser):
    """The links, the kecamatan table's cells and the map's areas of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.rows: list[str] = []  # ids of the kecamatan table's rows
        self.cells: dict[tuple[str, str], str] = {}  # (row id, ats|returned) -> text
        self.status_cells: dict[str, str] = {}
        self.areas: list[tuple[str, str]] = []  # (href, data-kode) of the map's areas
        self.map_titles: list[str] = []
        self.svg_texts: list[str] = []
        self._row: str | None = None
        self._cell: tuple[str, str] | str | None = None
        self._in_map_area = self._in_title = self._in_svg_text = False
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
            if "data-kode" in a:
                self.areas.append((a["href"], a["data-kode"]))
                self._in_map_area = True
        elif tag == "tr" and a.get("id", "").startswith("kec-"):
            self._row = a["id"]
            self.rows.append(a["id"])
        elif tag == "td" and self._row and "data-figure" in a:
            self._cell, self._text = (self._row, a["data-figure"]), []
        elif tag == "td" and "data-status" in a:
            self._cell, self._text = a["data-status"], []
        elif tag == "title" and self._in_map_area:
            self._in_title, self._text = True, []
        elif tag == "text":
            self._in_svg_text, self._text = True, []

    def handle_data(self, data: str) -> None:
        if self._cell is not None or self._in_title or self._in_svg_text:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text).strip()
        if tag == "td" and self._cell is not None:
            if isinstance(self._cell, tuple):
                self.cells[self._cell] = text
            else:
                self.status_cells[self._cell] = text
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "title" and self._in_title:
            self.map_titles.append(text)
            self._in_title = False
        elif tag == "a":
            self._in_map_area = False
        elif tag == "text" and self._in_svg_text:
            self.svg_texts.append(text)
            self._in_svg_text = False


def assert_no_small_figure(text: str, what: str) -> None:
    assert text == "< 5" or (FIGURE.match(text) and number(text) >= 5), f"{what}: {text!r}"


@pytest.fixture()
def public_on(app_ctx):
    app_ctx.config["PUBLIC_PAGE"] = True
    yield app_ctx
    app_ctx.config["PUBLIC_PAGE"] = False


@pytest.fixture()
def demo(public_on):
    assert public_on.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    return public_on


def test_off_by_default_the_page_does_not_exist(client, world):
    assert client.application.config["PUBLIC_PAGE"] is False
    resp = client.get("/publik")
    assert resp.status_code == 404 and "Location" not in resp.headers  # not sent to the login page: there is none
    login(client, "koordinator@example.org")
    assert client.get("/publik").status_code == 404


def test_the_setting_comes_from_the_environment(monkeypatch):
    for value, expected in (("1", True), ("true", True), ("TRUE ", True), ("yes", True), ("0", False),
                            ("false", False), ("", False)):
        monkeypatch.setenv("PUBLIC_PAGE", value)
        cfg = config.TestingConfig()
        config._switches_from_env(cfg)
        assert cfg.PUBLIC_PAGE is expected, value
    monkeypatch.delenv("PUBLIC_PAGE")
    cfg = config.TestingConfig()
    config._switches_from_env(cfg)
    assert cfg.PUBLIC_PAGE is False


def test_on_anyone_reads_it_without_login_and_proxies_may_keep_it(public_on, client, world):
    resp = client.get("/publik")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "public, max-age=300"
    assert "Set-Cookie" not in resp.headers
    assert world.plan.name in html and "2025–2028" in html and "Validasi data" in html
    assert "Belum ada data ATS." in html  # no snapshot yet: said, not a broken map
    assert "Keluar" not in html and "/login" not in html  # no navigation into the app
    for email in ("pimpinan@example.org", "dinsos@example.org", "dpppa@example.org", "koordinator@example.org",
                  "admin@example.org"):
        client.post("/logout")
        assert login(client, email).status_code == 302
        resp = client.get("/publik")
        assert resp.status_code == 200, email
        # the same content, but the answer may carry the reader's session cookie: no shared cache keeps it
        assert resp.headers["Cache-Control"] == "private, max-age=300"
        assert email.split("@")[0].title() not in resp.get_data(as_text=True)  # nobody's name on it
    # A village verifier, kept to their children's pages everywhere else, reads the public page as everyone does
    client.post("/logout")
    login(client, "verifikator@example.org")
    assert client.get("/publik").status_code == 200


def test_the_content_is_kept_for_everyone(public_on, client, world):
    cache = content_cache()
    client.get("/publik")
    hits = cache.hits
    assert client.get("/publik").status_code == 200 and cache.hits == hits + 1
    login(client, "pimpinan@example.org")
    assert client.get("/publik").status_code == 200 and cache.hits == hits + 2  # the same kept content


def test_english_on_request(public_on, client, world):
    html = client.get("/publik?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and 'aria-current="true">EN<' in html
    assert '<html lang="id">' in client.get("/publik").get_data(as_text=True)  # the link chose, not the session


def test_area_counts_under_five_are_never_shown():
    assert area_count(None) == AreaCount() and area_count(0) == AreaCount(None, True)
    assert area_count(4) == AreaCount(None, True) and area_count(5) == AreaCount(5)


def test_the_map_writes_small_figures_as_under_five(app_ctx):
    kodes = ["64.08.04", "64.08.05", "64.08.06"]
    assert all(k in kecamatan_shapes() for k in kodes)
    rows = [Row(k, f"Kec {i}", {"total": v, "BPB": v, "DO": 0, "LTM": 0})
            for i, (k, v) in enumerate(zip(kodes, (3, 0, 1250), strict=True))]
    with app_ctx.test_request_context():
        m = public_map(rows)
        assert public_figure(4) == "< 5" and public_figure(5) == "5"
    page = Page(m.svg)
    assert sorted(page.map_titles) == ["Kec 0: < 5", "Kec 1: < 5", "Kec 2: 1.250"]
    assert {href for href, _k in page.areas} == {f"#kec-{k}" for k in kodes}
    for label in page.svg_texts:  # the legend: ranges of figures, none under 5
        for part in re.findall(r"< 5|\d[\d.]*", label):
            assert part == "< 5" or number(part) >= 5, label


def test_a_lone_small_count_withholds_the_next_smallest():
    """With the regency total shown, one "< 5" in a column is the total minus the rest: a second cell goes too."""
    one = withhold_complements([AreaCount(40), AreaCount(None, True), AreaCount(7), AreaCount(12)])
    assert one == [AreaCount(40), AreaCount(None, True), AreaCount(None, False, True), AreaCount(12)]
    two = [AreaCount(40), AreaCount(None, True), AreaCount(None, True), AreaCount(7)]
    assert withhold_complements(two) == two  # two unknowns already: nothing more to hide
    none = [AreaCount(40), AreaCount(7), AreaCount()]
    assert withhold_complements(none) == none
    assert withhold_complements([AreaCount(None, True), AreaCount()]) == [AreaCount(None, True), AreaCount()]


def test_the_map_draws_a_withheld_area_without_its_figure(app_ctx):
    kodes = ["64.08.04", "64.08.05", "64.08.06"]
    rows = [Row(k, f"Kec {i}", {"total": v, "BPB": v, "DO": 0, "LTM": 0})
            for i, (k, v) in enumerate(zip(kodes, (3, 212, 1250), strict=True))]
    with app_ctx.test_request_context():
        m = public_map(rows, withheld=frozenset({"64.08.05"}))
    page = Page(m.svg)
    assert sorted(page.map_titles) == ["Kec 0: < 5", "Kec 1: tidak ada data atau disembunyikan", "Kec 2: 1.250"]
    assert "212" not in m.svg


def _figures(app) -> dict:
    return json.loads(app.test_cli_runner().invoke(args=["report", "figures", "--period", "2026-11"]).output)


def test_on_the_demo_no_area_figure_under_five_and_the_regency_figures_are_the_reports(demo, client):
    resp = client.get("/publik")
    html = resp.get_data(as_text=True)
    page = Page(html)
    f = _figures(demo)
    assert number(re.search(r'id="ats-now">([\d.]+)<', html).group(1)) == f["ats"]["current"]
    assert number(re.search(r'id="children-returned">([\d.]+)<', html).group(1)) == \
        f["children_returned"]["distinct_total"]
    for status in ("selesai", "berjalan", "terlambat"):
        assert number(page.status_cells[status]) == f["actions"][status], status
    for status, text in page.status_cells.items():
        assert number(text) == f["actions"][status], status
    assert "Data ATS per" in html and "27 November 2026" in html
    assert "&lt; 5" in html and ">< 5<" not in html  # written, and escaped like any text

    # Every kecamatan cell: "< 5" or a figure of at least 5; and exactly the area's own count when shown.
    today = wita_today(utcnow())
    rows = ats_pages.overview(db.session, today).rows
    parents = {k: a.parent_kode for k, a in ats_pages.load_areas(db.session).items()}
    returned = measures.returned_per_kecamatan(children_as_of(db.session, None, today).by_area, parents)
    assert len(page.rows) == len(rows) >= 18
    small, any_withheld = 0, False
    for figure in ("ats", "returned"):
        column = [(r, page.cells[(f"kec-{r.kode}", figure)], r.total if figure == "ats" else returned.get(r.kode, 0))
                  for r in rows]
        hidden = sum(text == "< 5" for _r, text, _raw in column)
        withheld = [raw for _r, text, raw in column if text == "disembunyikan"]
        # a lone "< 5" would be the regency total minus the others: the next smallest is withheld with it
        assert withheld == ([min(raw for _r, text, raw in column if text not in ("< 5",))] if hidden == 1 else [])
        for r, text, raw in column:
            if text == "disembunyikan":
                continue
            assert_no_small_figure(text, f"{r.nama} {figure}")
            assert (text == "< 5") == (raw is not None and raw < 5)
            if text != "< 5":
                assert number(text) == raw
        small += hidden
        any_withheld = any_withheld or bool(withheld)
    assert small > 0 and any_withheld  # the demo has one kecamatan with few children back: both rules are exercised
    assert "angka terkecil berikutnya juga disembunyikan" in html  # and the page says why
    for title in page.map_titles:
        name, _sep, figure = title.rpartition(": ")
        assert figure == "tidak ada data" or assert_no_small_figure(figure, name) is None

    # The map: one path per kecamatan, each linking to its row of the table on this page.
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="map"'):]
    svg = svg[:svg.index("</svg>")]
    drawn = {k for _href, k in page.areas}
    shaped = {r.kode for r in rows if r.kode in kecamatan_shapes()}
    assert svg.count("<path ") == len(page.areas) == len(shaped) >= 18 and drawn == shaped
    for href, kode in page.areas:
        assert href == f"#kec-{kode}" and f"kec-{kode}" in page.rows


def test_a_crawl_as_anonymous_finds_no_child_and_no_way_into_the_app(demo, client):
    names = [n for n in db.session.scalars(select(Child.nama).where(Child.nama.is_not(None)).limit(40))]
    mothers = [n for n in db.session.scalars(select(Child.nama_ibu).where(Child.nama_ibu.is_not(None)).limit(20))]
    masked = [n for n in db.session.scalars(select(Child.nik_masked).where(Child.nik_masked.is_not(None)).limit(20))]
    assert len(names) >= 10 and masked  # the demo has a by-name list to leak
    seen: set[str] = set()
    todo = ["/publik"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        resp = client.get(url)
        assert resp.status_code == 200, url  # no link to a login page, a redirect or a missing page
        html = resp.get_data(as_text=True)
        for secret in (*names, *mothers, *masked):
            assert secret not in html, (url, secret)
        assert not NIK_SHAPED.search(html), url
        for href in Page(html).links:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, href  # no link leaves the site ...
            if not parts.path:
                assert href.startswith("#"), href
                continue
            assert parts.path == "/publik", href  # ... nor this page
            todo.append(href.split("#", 1)[0])
    assert {"/publik", "/publik?lang=en", "/publik?lang=id"} <= seen
