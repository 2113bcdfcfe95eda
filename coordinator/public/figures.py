"""What the public page /publik shows: aggregates of the plan for citizens, DPRD and the press.

Only counts, never a child: the plan's progress by pillar, ATS per kecamatan (with the map and the regency trend)
and children back in school. An area's count of children under MIN_SHOWN is never shown as itself, on the page or
in the map's titles and legend, only as "< 5" (AreaCount.hidden): a small number in a known place can point at a
family. Regency totals are shown as they are. Every figure comes from the same functions as the app's own pages
and `flask report figures`, so the public numbers agree with them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.actions.status import load_action_facts
from coordinator.ats import pages as ats_pages
from coordinator.ats.page_types import Point, Row
from coordinator.core.charts import Series, line_chart
from coordinator.core.clock import wita_today
from coordinator.core.errors import N_
from coordinator.core.formatting import current_locale, fmt_month, fmt_number
from coordinator.figures.live import children_as_of
from coordinator.maps import measures
from coordinator.maps.choropleth import AreaValue, choropleth_svg, without_shape
from coordinator.maps.shapes import ShapeSet, kecamatan_shapes
from coordinator.models import Pillar, Plan

MIN_SHOWN = 5  # an area's count of children below this is shown as "< 5"
SMALL = N_("< 5")
WITHHELD = N_("disembunyikan")
WITHHELD_OR_NO_DATA = N_("tidak ada data atau disembunyikan")
STATUSES = ("selesai", "berjalan", "terlambat", "belum_mulai", "dibatalkan")
MAP_HOW_TO_READ = N_("Makin gelap warnanya, makin banyak ATS; wilayah berarsir tidak punya data. Angka di bawah 5 "
                     "ditulis “< 5”. Setiap wilayah bertaut ke barisnya di tabel.")


@dataclass(frozen=True)
class AreaCount:
    """A count of children of one area as the public may see it: `shown` only when it is at least MIN_SHOWN."""

    shown: int | None = None
    hidden: bool = False  # a count under MIN_SHOWN (zero included): written "< 5", its value never leaves here
    withheld: bool = False  # at least MIN_SHOWN, hidden too so that a lone "< 5" cannot be had by subtraction


def area_count(n: int | None) -> AreaCount:
    if n is None:
        return AreaCount()
    return AreaCount(None, True) if n < MIN_SHOWN else AreaCount(n)


def withhold_complements(counts: Sequence[AreaCount]) -> list[AreaCount]:
    """A column of area counts whose regency total is shown: where exactly one area is "< 5", the total minus the
    others would give it away, so the smallest shown count is withheld as well (a second unknown)."""
    out = list(counts)
    if sum(c.hidden for c in out) != 1:
        return out
    shown = [(c.shown, i) for i, c in enumerate(out) if c.shown is not None]
    if shown:
        _n, i = min(shown)
        out[i] = AreaCount(None, False, True)
    return out


def public_figure(value: float) -> str:
    """An area's count in the reader's language, or "< 5" (the map's titles and legend)."""
    return gettext(SMALL) if value < MIN_SHOWN else fmt_number(value)


@dataclass
class PillarProgress:
    number: int
    name: str
    counts: dict[str, int]  # status -> actions

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class KecamatanLine:
    kode: str
    nama: str
    ats: AreaCount
    returned: AreaCount


@dataclass
class PublicPage:
    plan_name: str | None
    start_year: int | None
    end_year: int | None
    today: date
    ats_as_of: date | None  # the latest Pusdatin snapshot
    ats_now: int | None  # the regency's
    ats_baseline: int | None
    ats_baseline_as_of: date | None
    target_ats: int | None
    pillars: list[PillarProgress]
    statuses: list[str]  # the columns of the pillar table
    actions: dict[str, int]  # the regency's actions per status
    children_returned: int  # distinct children back in school, the regency
    kecamatan: list[KecamatanLine]
    series: list[Point] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # the overview's rows, for the map only (raw counts)


def _plan(session: Session) -> Plan | None:
    return session.scalars(select(Plan).order_by(Plan.id).limit(1)).first()


def pillar_progress(session: Session, plan: Plan | None, today: date) -> list[PillarProgress]:
    pillars = [] if plan is None else list(session.scalars(
        select(Pillar).where(Pillar.plan_id == plan.id).order_by(Pillar.number)))
    out = {p.id: PillarProgress(p.number, p.name, dict.fromkeys(STATUSES, 0)) for p in pillars}
    for a in load_action_facts(session):
        line = out.get(a.pillar_id)
        if line is not None:
            status = a.status(today)
            line.counts[status] = line.counts.get(status, 0) + 1
    return list(out.values())


def public_page(session: Session, now: datetime) -> PublicPage:
    """The page's figures as of `now`: statuses and children back in school today (WITA), ATS per the latest
    snapshot."""
    today = wita_today(now)
    plan = _plan(session)
    pillars = pillar_progress(session, plan, today)
    actions = {s: sum(p.counts.get(s, 0) for p in pillars) for s in STATUSES}
    statuses = [s for s in STATUSES if s in ("selesai", "berjalan", "terlambat") or actions[s]]
    data = ats_pages.overview(session, today)
    children = children_as_of(session, None, today)
    parents = {k: a.parent_kode for k, a in ats_pages.load_areas(session).items()}
    returned = measures.returned_per_kecamatan(children.by_area, parents)
    rows = sorted(((r.kode, r) for r in data.rows if r.kode), key=lambda kr: kr[1].nama)
    ats = withhold_complements([area_count(r.total) for _k, r in rows])
    back = withhold_complements([area_count(returned.get(kode, 0)) for kode, _r in rows])
    lines = [KecamatanLine(kode, r.nama, a, b) for (kode, r), a, b in zip(rows, ats, back, strict=True)]
    cmp = data.cmp
    return PublicPage(
        plan_name=plan.name if plan else None, start_year=plan.start_year if plan else None,
        end_year=plan.end_year if plan else None, today=today,
        ats_as_of=cmp.latest.snapshot.as_of if cmp.latest else None,
        ats_now=cmp.latest.total["total"] if cmp.latest else None,
        ats_baseline=cmp.baseline.total["total"] if cmp.baseline else None,
        ats_baseline_as_of=cmp.baseline.snapshot.as_of if cmp.baseline else None,
        target_ats=plan.target_ats if plan else None,
        pillars=pillars, statuses=statuses, actions=actions, children_returned=children.distinct_total,
        kecamatan=lines, series=data.series, rows=data.rows)


def row_anchor(kode: str) -> str:
    """The id of a kecamatan's row in the public table: the map's areas link there, never into the app."""
    return f"kec-{kode}"


@dataclass
class PublicMap:
    svg: str
    unshaped: list[tuple[str, str, str]]  # kode, nama, figure ("< 5" under MIN_SHOWN)


def public_map(rows: Sequence[Row], href_of: Callable[[str], str] | None = None,
               shapes: ShapeSet | None = None, withheld: frozenset[str] = frozenset()) -> PublicMap:
    """The kecamatan by ATS now, as the ATS pages map them (maps/measures.py), but every figure written by
    `public_figure` (titles and legend alike), the `withheld` areas drawn without a figure, and every area linked
    to its row of the public table."""
    shapes = shapes or kecamatan_shapes()
    values: list[AreaValue] = [AreaValue(v.kode, v.nama, None) if v.kode in withheld else v
                               for v in measures.area_values(rows, measures.ATS)]
    link = href_of or (lambda kode: f"#{row_anchor(kode)}")
    label = gettext(measures.MEASURES[measures.ATS])
    no_data = gettext(WITHHELD_OR_NO_DATA) if withheld else gettext(measures.NO_DATA)
    svg = choropleth_svg(values, shapes, title=f"{gettext('Peta kecamatan')}: {label}", legend_title=label,
                         fmt=public_figure, href_of=link, credit=gettext(measures.CREDIT), no_data=no_data,
                         desc=gettext(MAP_HOW_TO_READ), pid="map-publik")
    unshaped = [(a.kode, a.nama, no_data if a.value is None else public_figure(a.value))
                for a in without_shape(values, shapes)]
    return PublicMap(svg, unshaped)


def trend_chart(series: Sequence[Point]) -> str:
    """The regency's ATS per live snapshot (regency totals only: no area is drawn)."""
    points = [(p.as_of, p.counts["total"] if p.counts else None) for p in series]
    return line_chart([Series(gettext("ATS Kabupaten Kutai Timur"), [float(v) if v is not None else None
                                                                      for _d, v in points])],
                      [fmt_month(d) for d, _v in points], gettext("Jumlah ATS Kabupaten Kutai Timur"),
                      gettext("anak"), width=640, height=280, locale=current_locale(),
                      empty_text=gettext("Belum ada data ATS."))
