"""The action list as XLSX or CSV, same filters as the page."""
from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from coordinator.actions.listing import ActionRow
from coordinator.core.clock import to_wita, utcnow
from coordinator.core.export import to_csv, to_xlsx
from coordinator.core.formatting import fmt_number
from coordinator.figures.late import ACTION, MILESTONE, LateReason
from coordinator.plan.funding import FundingShare, funding_text

STATUS_LABELS = {"belum_mulai": "Belum mulai", "berjalan": "Berjalan", "terlambat": "Terlambat",
                 "selesai": "Selesai", "dibatalkan": "Dibatalkan"}


def late_text(reason: LateReason | None) -> str:
    """Why an action is late, in the words of the pages (templates/figures/_late.html)."""
    if reason is None:
        return ""
    if reason.kind == MILESTONE:
        return _("tahapan “%(title)s” lewat %(n)s hari", title=reason.milestone, n=fmt_number(reason.days))
    if reason.kind == ACTION:
        return _("tenggat aksi lewat %(n)s hari", n=fmt_number(reason.days))
    return _("ditandai terlambat oleh koordinator")


def export_actions(rows: list[ActionRow], fmt: str, funding: dict[str, str]) -> Response:
    headers = [_("Kode"), _("Pilar"), _("Program"), _("Aksi"), _("Keluaran"), _("Penanggung jawab"),
               _("Instansi terkait"), _("Wilayah"), _("Kategori ATS"), _("Mulai"), _("Tenggat"), _("Status"),
               _("Status manual"), _("Alasan terlambat"), _("Progres (%)"), _("Anggaran (Rp)"), _("Sumber dana"),
               _("Sub kegiatan"), _("Pembaruan terakhir")]
    data = []
    for r in rows:
        a = r.action
        data.append([
            a.code, f"{a.program.pillar.number}. {a.program.pillar.name}", f"{a.program.code} {a.program.name}",
            a.title, a.output or "", a.lead_agency.short_name, ", ".join(s.short_name for s in a.supporting_agencies),
            ", ".join(x.nama for x in a.areas), ", ".join(a.category_list), a.start_date, a.due_date,
            _(STATUS_LABELS[r.status]), _("ya") if r.overridden else "", late_text(r.late), r.percent,
            a.budget_amount, funding_text([FundingShare(f.source, f.amount) for f in a.fundings], funding),
            a.sub_kegiatan_code or "",
            to_wita(r.last_update).replace(tzinfo=None) if r.last_update else None,
        ])
    stamp = to_wita(utcnow()).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, mime, ext = to_csv(headers, data), "text/csv; charset=utf-8", "csv"
    else:
        body = to_xlsx(headers, data, sheet_title=_("Aksi"), money_columns=[15], date_columns=[9, 10, 18])
        mime, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="aksi-rad-ats-{stamp}.{ext}"'})
