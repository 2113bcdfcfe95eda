"""One truth for every figure: on the demo, the monitor, the action list, the area page, the API and the monthly
report show exactly the numbers `flask report figures` prints, for several months and a scope of each kind."""
from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from coordinator.accounts import api_tokens
from coordinator.demo.content import DEMO_PASSWORD
from coordinator.extensions import db
from coordinator.models import Agency, User
from coordinator.reports.archive import preview
from coordinator.reports.facts import close_month, parse_period
from tests.reports.report_data import pdf_text

NOW = datetime(2026, 11, 27, 2, 0)  # tests' FIXED_NOW: 27 November 2026, 10:00 WITA
STATUSES = ("selesai", "berjalan", "terlambat", "belum_mulai")
KECAMATAN = "64.08.04"  # Sangatta Utara


def number(text: str) -> int:
    """'13.411' -> 13411 (Indonesian grouping)."""
    return int(text.strip().replace(".", ""))


def figures(app, *args: str) -> dict:
    result = app.test_cli_runner().invoke(args=["report", "figures", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def card(html: str, element_id: str) -> int:
    m = re.search(rf'id="{element_id}"[^>]*><b>([\d.]+)</b>', html)
    assert m, element_id
    return number(m.group(1))


def listed(client, **filters: str) -> int:
    html = client.get("/actions", query_string=filters).get_data(as_text=True)
    m = re.search(r"Daftar aksi <small class=\"muted\">· ([\d.]+) aksi", html)
    assert m, filters
    return number(m.group(1))


def api_total(client, secret: str, **filters: str) -> int:
    resp = client.get("/api/v1/actions", query_string=filters, headers={"Authorization": f"Bearer {secret}"})
    assert resp.status_code == 200, resp.json
    return int(resp.json["total"])


def adds_up(f: dict) -> None:
    """Rows plus residu give the figure at the top, in every column."""
    assert sum(a["ats_current"] or 0 for a in f["areas"]) + f["residu"]["ats_current"] == f["ats"]["current"]
    assert sum(a["children_returned"] for a in f["areas"]) + f["residu"]["children_returned"] == \
        f["children_returned"]["distinct_total"]
    children = f["children_returned"]
    assert children["distinct_total"] == children["by_name"] + children["reported_only"]
    assert sum(f["actions"][s] for s in (*STATUSES, "dibatalkan")) == f["actions"]["total"]
    budget = f["budget"]
    for kind in ("by_pillar", "by_source", "by_agency"):  # never the same money twice, none left out
        assert sum(line["realised"] for line in budget[kind]) == budget["realised"], kind
    assert sum(line["ceiling"] for line in budget["by_pillar"]) == budget["ceiling"]


def in_pdf(app, period: str, scope: str = "kabupaten", key: str = "") -> str:
    rendered = preview(db.session, parse_period(period), scope, key, "id", NOW)
    db.session.rollback()
    text, _pages = pdf_text(rendered.pdf)
    return " ".join(text.split())


def matches_pdf(text: str, f: dict) -> None:
    def n(v: int) -> str:
        return f"{v:,}".replace(",", ".")  # 13.411

    def shows(figure: int, label: str, where: str = text) -> None:
        assert re.search(rf"(?<![\d.]){re.escape(n(figure))} ?{re.escape(label)}", where), (figure, label)

    assert f"dari {n(f['actions']['total'])} aksi; {n(f['milestones_late'])} tahapan terlambat" in text
    summary = text.split("Pelaksanaan aksi")[1][:400]
    for status, label in (("selesai", "Selesai"), ("terlambat", "Terlambat"), ("belum_mulai", "Belum mulai")):
        shows(f["actions"][status], label, summary)
    c = f["children_returned"]
    shows(c["distinct_total"], "Anak berbeda kembali bersekolah")
    assert f"Dari {n(c['distinct_total'])} anak: {n(c['by_name'])} menurut daftar by name" in text
    assert f"dan {n(c['reported_only'])} menurut laporan agregat" in text
    shows(f["budget"]["ceiling"], "Pagu aksi", text.replace("Rp ", ""))
    shows(f["budget"]["realised"], "Realisasi kumulatif", text.replace("Rp ", ""))
    budget = text.split("Anggaran: pagu, realisasi, dan daya serap")[1]
    for line in f["budget"]["by_pillar"]:
        assert f"{line['name']} Rp {n(line['ceiling'])} Rp {n(line['realised'])}" in budget, line
    after = text.split("Tanpa wilayah (residu)")[1]
    residu, total = after.split("Jumlah")[0].split(), after.split("Jumlah")[1].split()
    assert number(residu[2]) == f["residu"]["ats_current"] and number(residu[-1]) == f["residu"]["children_returned"]
    assert number(total[2]) == f["ats"]["current"]


@pytest.fixture()
def demo(app_ctx, client):
    result = app_ctx.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    coordinator = db.session.scalar(select(User).where(User.email == "koordinator@example.org"))
    _token, secret = api_tokens.create_token(db.session, coordinator.id, "uji", None, None, NOW)
    db.session.commit()
    assert client.post("/login", data={"email": coordinator.email, "password": DEMO_PASSWORD}).status_code == 302
    return secret


def test_the_running_month_is_the_same_everywhere(app_ctx, client, demo):
    secret = demo
    f = figures(app_ctx, "--period", "2026-11")
    adds_up(f)
    assert f["actions"]["terlambat"] > 0 and f["milestones_late"] > 0 and f["children_returned"]["by_name"] > 0
    monitor = client.get("/monitor").get_data(as_text=True)
    assert card(monitor, "late-actions") == f["actions"]["terlambat"]
    assert card(monitor, "late-milestones") == f["milestones_late"]
    for status in STATUSES:
        assert listed(client, status=status) == f["actions"][status] == api_total(client, secret, status=status)
    # Every late action names why, on the list and in the API
    late_page = client.get("/actions", query_string={"status": "terlambat"}).get_data(as_text=True)
    assert late_page.count('class="late-reason"') == f["actions"]["terlambat"]
    items = client.get("/api/v1/actions?status=terlambat&per_page=100",
                       headers={"Authorization": f"Bearer {secret}"}).json["items"]
    assert all(i["late_reason"] and i["late_reason"]["days_late"] > 0 for i in items)
    matches_pdf(in_pdf(app_ctx, "2026-11"), f)
    api = client.get("/api/v1/figures?period=2026-11", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200 and api.json == f

    # A kecamatan: its action list, the API and its area page
    k = figures(app_ctx, "--period", "2026-11", "--kecamatan", KECAMATAN)
    adds_up(k)
    assert listed(client, kecamatan=KECAMATAN, status="terlambat") == k["actions"]["terlambat"] == \
        api_total(client, secret, kecamatan=KECAMATAN, status="terlambat")
    area = client.get(f"/ats/area/{KECAMATAN}").get_data(as_text=True)
    assert number(re.search(r'data-total="total">([\d.]+)<', area).group(1)) == k["ats"]["current"]
    assert number(re.search(r'data-children="distinct"><strong>([\d.]+)<', area).group(1)) == \
        k["children_returned"]["distinct_total"]
    # ... and which actions returned them, adding up to the same children
    by_action = re.search(r'id="returned-by">(.*?)</dd>', area, re.S).group(1)
    assert sum(number(n) for n in re.findall(r": ([\d.]+)</span>", by_action)) == \
        k["children_returned"]["distinct_total"]
    regency_row = next(a for a in f["areas"] if a["kode"] == KECAMATAN)
    assert regency_row["ats_current"] == k["ats"]["current"]
    assert regency_row["children_returned"] == k["children_returned"]["distinct_total"]

    # An agency: the actions it leads or supports
    dinsos = db.session.scalar(select(Agency).where(Agency.code == "DINSOS"))
    a = figures(app_ctx, "--period", "2026-11", "--agency", "DINSOS")
    for status in STATUSES:
        assert listed(client, agency=str(dinsos.id), status=status) == a["actions"][status] == \
            api_total(client, secret, agency=str(dinsos.id), status=status)


def test_past_months_are_as_their_reports_say_closed_or_not(app_ctx, client, demo):
    for period in ("2026-09", "2026-10"):
        f = figures(app_ctx, "--period", period)
        adds_up(f)
        assert f["as_of"].startswith(period) and f["closed"] is False
        matches_pdf(in_pdf(app_ctx, period), f)
    before = figures(app_ctx, "--period", "2026-10")
    close_month(db.session, parse_period("2026-10"), NOW, None)
    db.session.commit()
    after = figures(app_ctx, "--period", "2026-10")
    assert after["closed"] is True and {**after, "closed": False} == before
    kec = figures(app_ctx, "--period", "2026-10", "--kecamatan", KECAMATAN)
    adds_up(kec)


def test_bad_requests_say_what_is_wrong(app_ctx, demo):
    runner = app_ctx.test_cli_runner()
    for args, message in ((["--period", "2026-13"], "Periode harus berbentuk TTTT-BB"),
                          (["--period", "2027-01"], "belum dimulai"),
                          (["--period", "2026-11", "--agency", "TIDAKADA"], "tidak memiliki aksi"),
                          (["--period", "2026-11", "--kecamatan", "99.99"], "Kode kecamatan tidak dikenal"),
                          (["--period", "2026-11", "--agency", "DINSOS", "--kecamatan", KECAMATAN], "not both")):
        result = runner.invoke(args=["report", "figures", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)


def test_the_api_refuses_bad_parameters_by_name(client, demo):
    headers = {"Authorization": f"Bearer {demo}"}
    for query, parameter in (("period=2026-13", "period"), ("period=2027-01", "period"),
                             ("agency=TIDAKADA", "agency"), ("kecamatan=99.99", "kecamatan"),
                             ("agency=DINSOS&kecamatan=64.08.04", "agency")):
        resp = client.get(f"/api/v1/figures?{query}", headers=headers)
        assert resp.status_code == 400 and resp.json["error"]["parameter"] == parameter, (query, resp.json)
    k = client.get("/api/v1/figures?period=2026-10&kecamatan=64.08.04", headers=headers).json
    assert k["scope"] == {"kind": "kecamatan", "key": "64.08.04", "name": "Sangatta Utara"}
