"""The monthly report as a PDF: HTML from a template, laid out by WeasyPrint.

WeasyPrint only ever sees our own files: the fetcher below answers for the
application's static directory (stylesheet, fonts) and the uploaded logo, and
refuses every other URL (file:, http:, data:, anything), so text typed by users
cannot pull in a local file or reach the network. All user text reaches the
template through Jinja's autoescaping.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template

from coordinator.core.clock import wita_today
from coordinator.core.formatting import in_locale
from coordinator.models import SCOPE_AGENCY, SCOPE_KECAMATAN, ReportSettings
from coordinator.reports.model import MonthlyReport

BASE_URL = "https://sitisek.invalid/"  # never resolved: the fetcher answers for it
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
LOGO_URL = BASE_URL + "asset/logo"
LOGO_TYPES = {"image/png", "image/jpeg"}


def static_only_fetcher(logo: tuple[bytes, str] | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves /static/... from the application's static directory and /asset/logo
    from memory; nothing else."""
    return _fetcher_class()(logo)


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    # WeasyPrint takes a third of a second of CPU to import: only processes that make a PDF pay it, not every
    # CLI run (a reminder run under load) or web worker start.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves /static/... from the application's static directory and /asset/logo from memory; nothing else."""

        def __init__(self, logo: tuple[bytes, str] | None = None) -> None:
            super().__init__(allowed_protocols=("https",), allow_redirects=False)
            self.logo = logo
            self.served: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith(BASE_URL):
                parts = urlsplit(url)
                path = unquote(parts.path)
                if path == "/asset/logo" and self.logo is not None:
                    self.served.append(url)
                    return URLFetcherResponse(url, self.logo[0], {"Content-Type": self.logo[1]})
                if path.startswith("/static/") and not parts.query:
                    target = (STATIC_DIR / path.removeprefix("/static/")).resolve()
                    if target.is_file() and target.is_relative_to(STATIC_DIR):
                        self.served.append(url)
                        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": _mime(target)})
            self.refused.append(url)
            raise ValueError(f"not served to the PDF renderer: {url[:200]}")

    return StaticOnlyFetcher


def _mime(path: Path) -> str:
    return {".css": "text/css", ".ttf": "font/ttf", ".svg": "image/svg+xml", ".png": "image/png",
            ".jpg": "image/jpeg"}.get(path.suffix.lower(), "application/octet-stream")


@dataclass
class RenderedReport:
    pdf: bytes
    pages: int
    seconds_total: float
    seconds_layout: float  # WeasyPrint's layout and PDF writing
    served: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @property
    def share_outside_layout(self) -> float:
        return 0.0 if self.seconds_total <= 0 else 1 - self.seconds_layout / self.seconds_total


def scope_code(scope: str, key: str) -> str:
    return key if scope in (SCOPE_AGENCY, SCOPE_KECAMATAN) else "KAB"


def document_number(report: MonthlyReport, revision: int) -> str:
    """RAD-ATS/2026/10/KAB (first version), RAD-ATS/2026/10/KAB-R1 (regenerated)."""
    base = f"RAD-ATS/{report.period:%Y}/{report.period:%m}/{scope_code(report.scope, report.scope_key)}"
    return base if revision == 0 else f"{base}-R{revision}"


@dataclass
class Letterhead:
    pemkab_name: str
    office_name: str
    logo_stored_name: str | None
    logo_content_type: str | None


def letterhead_of(report: MonthlyReport, settings: ReportSettings | None) -> Letterhead:
    """A closed month's cover as frozen at closing; a draft's (or an older snapshot's) from the settings."""
    frozen = report.letterhead
    if frozen:
        return Letterhead(frozen.get("pemkab_name") or "", frozen.get("office_name") or "",
                          frozen.get("logo_stored_name"), frozen.get("logo_content_type"))
    return letterhead_from_settings(settings)


def letterhead_from_settings(settings: ReportSettings | None) -> Letterhead:
    if settings is None:
        return Letterhead("Pemerintah Kabupaten Kutai Timur", "", None, None)
    return Letterhead(settings.pemkab_name, settings.office_name, settings.logo_stored_name,
                      settings.logo_content_type)


def load_logo(head: Letterhead) -> tuple[bytes, str] | None:
    if not head.logo_stored_name or head.logo_content_type not in LOGO_TYPES:
        return None
    path = Path(current_app.config["UPLOAD_DIR"]) / "logo" / Path(head.logo_stored_name).name
    return (path.read_bytes(), str(head.logo_content_type)) if path.is_file() else None


def render_html(report: MonthlyReport, head: Letterhead, locale: str, *, draft: bool, number: str,
                generated_on: date, has_logo: bool) -> str:
    from coordinator.reports.charts import report_charts

    with in_locale(locale):
        return render_template(
            "reports/pdf/monthly.html", report=report, charts=report_charts(report, locale),
            pemkab_name=head.pemkab_name, office_name=head.office_name,
            logo_url=LOGO_URL if has_logo else None, draft=draft, document_number=number,
            generated_on=generated_on, locale=locale)


def render_report(report: MonthlyReport, settings: ReportSettings | None, locale: str, now: datetime, *,
                  draft: bool, revision: int = 0) -> RenderedReport:
    started = time.perf_counter()
    head = letterhead_of(report, settings)
    logo = load_logo(head)
    html = render_html(report, head, locale, draft=draft, number=document_number(report, revision),
                       generated_on=wita_today(now), has_logo=logo is not None)
    fetcher = static_only_fetcher(logo)
    layout_start = time.perf_counter()
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    pdf = document.write_pdf()
    done = time.perf_counter()
    return RenderedReport(pdf=pdf, pages=len(document.pages), seconds_total=done - started,
                          seconds_layout=done - layout_start, served=fetcher.served, refused=fetcher.refused)


def html_to_pdf(html: str, logo: tuple[bytes, str] | None = None) -> tuple[bytes, int]:
    """Any of our print templates to PDF with the same locked-down fetcher: (bytes, pages). With `logo`, the
    template's LOGO_URL shows it."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher(logo)).render()
    return document.write_pdf(), len(document.pages)


def new_stored_name() -> str:
    return f"{secrets.token_hex(16)}.pdf"
