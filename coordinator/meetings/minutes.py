"""A meeting's minutes (notulen) as a PDF: the monthly report's letterhead, the attendance, the agenda and minutes,
the decisions with who carries them out and by when, and a space where the chair signs."""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.core.formatting import in_locale
from coordinator.models import Agency, Meeting, ReportSettings, User
from coordinator.reports.pdf import LOGO_URL, html_to_pdf, letterhead_from_settings, load_logo


def minutes_html(session: Session, meeting: Meeting, locale: str, now: datetime, has_logo: bool) -> str:
    head = letterhead_from_settings(session.get(ReportSettings, 1))
    invited = meeting.invited_ids()
    agencies = {a.id: a for a in session.scalars(select(Agency).where(Agency.id.in_(invited)))} if invited else {}
    attendance = sorted(((agencies[a.agency_id], a.present) for a in meeting.attendance if a.agency_id in agencies),
                        key=lambda row: row[0].short_name)
    recorder = session.get(User, meeting.created_by_id)
    with in_locale(locale):
        return render_template("meetings/minutes_pdf.html", meeting=meeting, attendance=attendance,
                               pemkab_name=head.pemkab_name, office_name=head.office_name,
                               logo_url=LOGO_URL if has_logo else None, generated_on=wita_today(now),
                               recorder=recorder.name if recorder else "", locale=locale)


def minutes_pdf(session: Session, meeting: Meeting, now: datetime) -> bytes:
    """In the reader's language; the logo is the one in the report settings today."""
    locale = str(get_locale() or "id")[:2]
    logo = load_logo(letterhead_from_settings(session.get(ReportSettings, 1)))
    pdf, _pages = html_to_pdf(minutes_html(session, meeting, locale, now, logo is not None), logo)
    return pdf
