"""The maps on /ats (a kecamatan choropleth by a chosen measure) and on a kecamatan's page (its desa)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from coordinator.ats import pages as ats_pages
from coordinator.extensions import db
from coordinator.models import ProgressOutcome, ProgressUpdate
from coordinator.web.page_cache import content_cache
from tests.ats.conftest import kutim  # noqa: F401  # Kutim's real areas
from tests.ats.test_pages import BENGALON, SU, SWARGA_BARA, TELUK_LINGGA, snapshot, three_snapshots
from tests.conftest import login

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(autouse=True)
def _cold_cache():
    ats_pages._TOTALS_CACHE.clear()
    yield
    ats_pages._TOTALS_CACHE.clear()


def the_map(html: str) -> ET.Element:
    svg = re.search(r'<section class="card" id="ats-map".*?(<svg .*?</svg>)', html, re.S)
    assert svg, "no map on the page"
    return ET.fromstring(svg.group(1))  # noqa: S314  # our own page; well-formed XML is part of the check


def titles(svg: ET.Element) -> dict[str, str]:
    """href -> the area's title."""
    return {a.get("href"): a.find("svg:title", NS).text for a in svg.findall(".//svg:a", NS)}


def returns(world) -> None:
    update = ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 10, 1),
                            percent_complete=25, achievements="b", created_at=datetime(2026, 10, 6))
    db.session.add(update)
    db.session.flush()
    db.session.add_all([
        ProgressOutcome(update_id=update.id, area_kode=TELUK_LINGGA, reached=10, returned_formal=2, returned_paket=1),
        ProgressOutcome(update_id=update.id, area_kode=SWARGA_BARA, reached=5, returned_lkp=2),
    ])
    db.session.commit()


@pytest.mark.parametrize(("measure", "su", "bengalon"), [
    ("ats", "89", "50"),
    ("perubahan", "-31,5%", "-23,1%"),  # SU 130 -> 89, Bengalon 65 -> 50 since the baseline snapshot
    ("kembali", "5,6", "0,0"),  # 5 children back in Sangatta Utara's desa per 89 ATS, none in Bengalon
    ("intervensi", "2", "1"),
])
def test_overview_maps_the_kecamatan_by_the_chosen_measure(as_user, world, measure, su, bengalon):
    three_snapshots(world)
    returns(world)
    html = as_user("pimpinan@example.org").get(f"/ats?peta={measure}").get_data(as_text=True)
    svg = the_map(html)
    assert titles(svg) == {f"/ats/area/{SU}": f"Sangatta Utara: {su}", f"/ats/area/{BENGALON}": f"Bengalon: {bengalon}"}
    assert len(svg.findall(".//svg:path", NS)) == 2
    current = re.search(r'<a class="button"[^>]*aria-current="page"[^>]*data-measure="(\w+)"', html)
    assert current and current.group(1) == measure
    assert "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)" in html


def test_an_unknown_measure_is_ats_now_and_the_measure_keys_the_kept_page(as_user, world, app):
    app.config["PAGE_CACHE"] = True
    store = content_cache()
    store.clear()
    three_snapshots(world)
    client = as_user("koordinator@example.org")

    def su(url: str) -> str:
        return titles(the_map(client.get(url).get_data(as_text=True)))[f"/ats/area/{SU}"]

    assert su("/ats?peta=<x>") == "Sangatta Utara: 89"
    assert su("/ats?peta=intervensi") == "Sangatta Utara: 2"
    hits = store.hits
    assert su("/ats?peta=intervensi") == "Sangatta Utara: 2" and store.hits == hits + 1  # kept, and per measure
    assert su("/ats") == "Sangatta Utara: 89"
    store.clear()


def test_desa_without_a_shape_are_listed_beside_the_map(as_user, world):
    three_snapshots(world)  # the test world's desa codes are not in the boundaries file
    html = as_user("koordinator@example.org").get(f"/ats/area/{SU}").get_data(as_text=True)
    assert the_map(html).findall(".//svg:path", NS) == []
    unshaped = re.search(r'id="ats-map-unshaped">(.*?)</div>', html, re.S).group(1)
    assert f'href="/ats/area/{TELUK_LINGGA}">Teluk Lingga</a>: 50' in unshaped
    assert f'href="/ats/area/{SWARGA_BARA}">Swarga Bara</a>: 38' in unshaped


def test_a_kecamatan_page_maps_its_desa(kutim, client):  # noqa: F811
    desa = {"64.08.04.1010": (40, 5, 5), "64.08.04.2001": (12, 0, 0), "64.08.04.2011": (7, 1, 0)}
    snapshot(date(2026, 9, 30), {SU: (70, 6, 0), **desa})
    db.session.commit()
    login(client, "koordinator@example.org")
    html = client.get(f"/ats/area/{SU}").get_data(as_text=True)
    svg = the_map(html)
    assert titles(svg) == {"/ats/area/64.08.04.1010": "Teluk Lingga: 50",
                           "/ats/area/64.08.04.2001": "Sangatta Utara: 12",
                           "/ats/area/64.08.04.2011": "Singa Gembara: 8",
                           "/ats/area/64.08.04.2012": "Swarga Bara: tidak ada data"}
    assert len(svg.findall(".//svg:path", NS)) == 4
    assert 'id="ats-map-unshaped"' not in html and 'id="ats-map-measures"' not in html
    # a desa page has no map
    assert 'id="ats-map"' not in client.get("/ats/area/64.08.04.1010").get_data(as_text=True)
