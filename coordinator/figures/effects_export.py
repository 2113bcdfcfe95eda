"""The table of /hasil-intervensi as XLSX or CSV: the same rows in the same order, money and figures as numbers."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask_babel import gettext as _

from coordinator.actions.exports import STATUS_LABELS
from coordinator.core.clock import to_wita, utcnow
from coordinator.core.export import to_csv, to_xlsx
from coordinator.figures.effects import ActionEffect

MONEY_COLUMNS = [7, 8]


def effect_headers() -> list[str]:
    return [_("Kode"), _("Aksi"), _("Penanggung jawab"), _("Status"), _("Wilayah sasaran"), _("Anak dijangkau"),
            _("Anak kembali bersekolah"), _("Realisasi (Rp)"), _("Biaya per anak kembali (Rp)"),
            _("Perubahan ATS wilayah sasaran (%)"), _("Kecamatan pembanding"), _("Perubahan ATS pembanding (%)"),
            _("Selisih (poin persen)")]


def effect_rows(effects: list[ActionEffect]) -> list[list[Any]]:
    return [[e.code, e.title, e.lead_agency, _(STATUS_LABELS.get(e.status, e.status)),
             ", ".join(e.area_names) if e.areas else _("Seluruh kabupaten"), e.reached, e.returned, e.realised,
             e.cost_per_child, e.ats_change_pct, ", ".join(e.comparison_names), e.comparison_change_pct,
             e.difference_pct] for e in effects]


def export_effects(effects: list[ActionEffect], fmt: str) -> Response:
    headers, rows = effect_headers(), effect_rows(effects)
    stamp = to_wita(utcnow()).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, mime, ext = to_csv(headers, rows), "text/csv; charset=utf-8", "csv"
    else:
        body = to_xlsx(headers, rows, sheet_title=_("Hasil intervensi"), money_columns=MONEY_COLUMNS)
        mime, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="hasil-intervensi-{stamp}.{ext}"'})
