"""axe-core and the CSP watch, for test_accessibility.py and for the journeys' error pages.

axe-core is vendored in tests/e2e/vendor/axe.min.js: the npm package axe-core 4.14.1 (MPL-2.0, see
vendor/LICENSE-axe-core.txt and vendor/LICENSE-axe-core-3RD-PARTY.txt). To update it: `npm pack axe-core`, then
copy package/axe.min.js, package/LICENSE and package/LICENSE-3RD-PARTY.txt here.

The app sends a strict Content-Security-Policy (script-src 'self', no inline scripts), so axe cannot be added as
a <script> tag: its source is evaluated through the DevTools protocol (page.evaluate), which the page's CSP does
not govern, and axe.run is then called the same way.
"""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.helpers import path_of

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
AXE_VERSION = re.search(r"axe v(\d+\.\d+\.\d+)", AXE_SOURCE[:200]).group(1)  # type: ignore[union-attr]
BLOCKING = ("serious", "critical")
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                      "best-practice"]},
               "resultTypes": ["violations"]}

def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate("""async (options) => {
        const result = await axe.run(document, options);
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            targets: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''}))}));
    }""", AXE_OPTIONS)


def describe(page: Page, v: dict, most: int = 6) -> str:
    lines = [f"{path_of(page)}: {v['id']} (impact {v['impact']}): {v['help']} <{v['helpUrl']}>"]
    lines += [f"    target {t['target']}: {' / '.join(t['summary'].splitlines())}" for t in v["targets"][:most]]
    if len(v["targets"]) > most:
        lines.append(f"    … and {len(v['targets']) - most} more")
    return "\n".join(lines)


def axe_problems(page: Page) -> tuple[list[str], list[str]]:
    """(serious or critical violations, minor or moderate ones), each described for a person to fix."""
    blocking, minor = [], []
    for v in axe_violations(page):
        (blocking if v["impact"] in BLOCKING else minor).append(describe(page, v))
    return blocking, minor


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation on the page now shown (used by the journeys on their forms)."""
    blocking, _minor = axe_problems(page)
    assert not blocking, f"axe {AXE_VERSION}: " + "\n".join(blocking)
