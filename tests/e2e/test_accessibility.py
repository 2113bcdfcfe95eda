"""Accessibility and CSP of the main pages of every role, on a phone and on a desktop.

axe-core 4.14.1 is vendored in tests/e2e/vendor/ (see a11y.py: how it is injected under the app's strict CSP and
how to update it). On each page: no axe violation of impact "serious" or "critical" (WCAG 2.x A/AA and axe's
best practices), and no console error, uncaught exception or CSP violation (`securitypolicyviolation` event)
while it loads, while its phone menu opens and while axe runs. Minor and moderate findings are printed.
"""
from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.a11y import AXE_VERSION, VENDOR, axe_problems
from tests.e2e.conftest import LiveServer
from tests.e2e.helpers import SIZES, Watch, is_phone, login, main_nav, new_context, path_of, size_name


def test_axe_is_vendored_with_its_licence() -> None:
    assert re.fullmatch(r"4\.\d+\.\d+", AXE_VERSION), AXE_VERSION
    assert "Mozilla Public License" in (VENDOR / "LICENSE-axe-core.txt").read_text(encoding="utf-8")


def _href(page: Page, link: Locator) -> str:
    href = link.first.get_attribute("href")
    assert href, f"no link on {path_of(page)}"
    return href


# Per role: log in, then the main pages it works with (paths found through the pages, as a user would).
def _anonymous(page: Page) -> list[str]:
    return ["/login", "/password/forgot", "/publik"]


def _coordinator(page: Page) -> list[str]:
    login(page, "koordinator@example.org", "/monitor")
    page.goto("/actions?status=terlambat")
    action = _href(page, page.locator("#action-list tbody tr td:first-child a"))
    page.goto("/ats")
    kecamatan = _href(page, page.locator("#ats-kecamatan tbody tr td a"))
    page.goto("/meetings")
    meeting = _href(page, page.locator("#meetings tbody tr td a").first)
    page.goto("/follow-ups?status=diajukan")
    reported = _href(page, page.locator("#follow-ups tbody tr td a").first)  # with the accept and return forms
    return ["/monitor", "/actions", "/actions?status=terlambat", action, f"{action}/edit", f"{action}/milestones/new",
            "/ats", kecamatan, "/indicators", "/reports/", "/reports/2026-10", "/verval/", "/account", "/meetings",
            meeting, "/follow-ups", reported]


def _focal(page: Page) -> list[str]:
    login(page, "dinsos@example.org", "/actions/mine")
    form = _href(page, page.get_by_role("link", name="Lapor kemajuan"))
    action = _href(page, page.locator("#my-actions tbody tr td:first-child a"))
    follow_up = _href(page, page.locator("#my-follow-ups a"))  # with the closing form and its file field
    return ["/actions/mine", action, form, follow_up, "/account"]


def _leader(page: Page) -> list[str]:
    login(page, "pimpinan@example.org", "/ringkasan")
    return ["/ringkasan", "/monitor", "/reports/", "/ats", "/ats?peta=kembali", "/indicators", "/definisi",
            "/hasil-intervensi"]


def _admin(page: Page) -> list[str]:
    login(page, "admin@example.org", "/monitor")
    page.goto("/indicators")
    indicator = _href(page, page.locator("#indicator-list tbody tr td:first-child a"))
    page.goto("/admin/users?q=dinsos")
    user = _href(page, page.locator("#user-list tbody tr td:first-child a"))
    return ["/admin/users", "/admin/users/new", user, "/admin/api-tokens", "/admin/reference", "/admin/areas",
            indicator]


def _verifier(page: Page) -> list[str]:
    login(page, "verifikator@example.org", "/verval/anak")
    child = _href(page, page.locator("#child-list tbody tr").first.locator("td a").first)
    page.goto(child)
    verify = _href(page, page.locator("#verify-button"))
    return ["/verval/anak", child, verify, "/account"]


ROLES: dict[str, Callable[[Page], list[str]]] = {
    "anonymous": _anonymous, "koordinator": _coordinator, "fokal": _focal, "pimpinan": _leader,
    "admin": _admin, "verifikator": _verifier,
}


@SIZES
@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_pass_axe_and_the_csp(live_server: LiveServer, chromium_browser: Browser, role: str,
                                         device: dict) -> None:
    watch = Watch()
    context = new_context(chromium_browser, live_server, device, watch=watch)
    problems: list[str] = []
    minor: list[str] = []
    try:
        page = context.new_page()
        for number, path in enumerate(ROLES[role](page)):
            response = page.goto(path)
            page.wait_for_load_state("load")
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            if number == 0 and role != "anonymous" and is_phone(device):
                main_nav(page)  # the phone menu, opened: its links are checked too
            blocking, small = axe_problems(page)
            problems += blocking + watch.take(page)
            minor += small
    finally:
        context.close()
    if minor:
        print(f"axe {AXE_VERSION}, {role} on a {size_name(device)}: minor or moderate findings\n" + "\n".join(minor))
    assert not problems, (f"axe {AXE_VERSION}, {role} on a {size_name(device)}: {len(problems)} problem(s)\n"
                          + "\n".join(problems))
