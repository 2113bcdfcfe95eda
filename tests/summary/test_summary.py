"""The leaders' summary: on track or not, what came of it, what needs a decision, with the month's figures."""
from __future__ import annotations

import json
import re
from datetime import date

from coordinator.demo.content import DEMO_PASSWORD
from coordinator.extensions import db
from coordinator.figures.trajectory import Trajectory
from coordinator.models import Plan


def number(text: str) -> int:
    return int(text.replace(".", ""))


def test_a_leader_lands_on_the_summary_and_its_figures_are_the_months(app_ctx, client):
    assert app_ctx.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    resp = client.post("/login", data={"email": "pimpinan@example.org", "password": DEMO_PASSWORD})
    assert resp.status_code == 302 and client.get("/").headers["Location"].endswith("/ringkasan")
    html = client.get("/ringkasan").get_data(as_text=True)
    f = json.loads(app_ctx.test_cli_runner().invoke(args=["report", "figures", "--period", "2026-11"]).output)

    def shown(element_id: str) -> int:
        return number(re.search(rf'id="{element_id}">([\d.]+)<', html).group(1))

    assert shown("ats-now") == f["ats"]["current"]
    assert shown("children-total") == f["children_returned"]["distinct_total"]
    assert shown("actions-late") == f["actions"]["terlambat"]
    assert shown("actions-on-track") == f["actions"]["berjalan"] + f["actions"]["selesai"]
    plan = db.session.query(Plan).first()
    expected = Trajectory(date.fromisoformat(f["ats"]["baseline_as_of"]), f["ats"]["baseline"],
                          date(plan.end_year, 12, 31), plan.target_ats).on(date(2026, 11, 27))
    assert shown("ats-expected") == expected
    verdict = "Sesuai jalur" if f["ats"]["current"] <= expected else "Di belakang jalur"
    assert verdict in html
    assert html.count("penanggung jawab:") >= 3  # the issues for decision name the responsible agency
    assert '<abbr title="Anak Tidak Sekolah' in html  # no abbreviation without its words
    assert 'id="ats-map"' in html and html.count('<a href="/ats/area/64.08.') >= 18  # the kecamatan map, linked


def test_the_trajectory_is_a_straight_line_from_baseline_to_target():
    t = Trajectory(date(2025, 1, 1), 13_000, date(2028, 12, 31), 6_000)
    assert t.on(date(2024, 6, 1)) == 13_000 and t.on(date(2028, 12, 31)) == 6_000 and t.on(date(2030, 1, 1)) == 6_000
    middle = t.on(date(2026, 12, 31))
    assert 9_400 < middle < 9_600
