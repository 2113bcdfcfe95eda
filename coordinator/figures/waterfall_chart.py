"""The waterfall of a change in ATS as a server-side SVG: one row a step, each labelled in words and numbers (the
steps differ by more than colour: a step down is hatched and signed −, a step up signed +)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from flask_babel import gettext as _

from coordinator.figures.waterfall import Waterfall
from coordinator.models import RETURNED_OUTCOMES

TOTAL, DOWN, UP = "total", "down", "up"


@dataclass(frozen=True)
class Step:
    label: str
    value: int  # a total's level, or a step's size (negative: fewer children)
    kind: str  # TOTAL | DOWN | UP


def _t(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def steps_svg(steps: list[Step], title: str, fmt, width: int = 640) -> str:  # type: ignore[no-untyped-def]
    """`fmt(int) -> str` writes a number in the page's language (13.411)."""
    row, label_w, value_w = 28, 230, 90
    height = row * len(steps) + 20
    levels, level = [], 0
    for s in steps:
        start = 0 if s.kind == TOTAL else level
        level = s.value if s.kind == TOTAL else level + s.value
        levels.append((start, level))
    top = max([max(a, b) for a, b in levels] + [1])
    span = width - label_w - value_w - 10

    def x(v: int) -> float:
        return round(label_w + span * max(v, 0) / top, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_t(title)}" class="waterfall"><title>{_t(title)}</title>',
             '<defs><pattern id="wf-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f6c9c4"/>'
             '<line x1="0" y1="0" x2="0" y2="6" stroke="#b42318" stroke-width="2"/></pattern></defs>']
    for i, (s, (a, b)) in enumerate(zip(steps, levels, strict=True)):
        y = 10 + i * row
        lo, hi = sorted((a, b))
        fill = {"total": "#1849a9", "down": "url(#wf-hatch)", "up": "#f79009"}[s.kind]
        sign = "" if s.kind == TOTAL else ("−" if s.value < 0 else "+")
        figure = f"{sign}{fmt(abs(s.value))}"
        parts.append(f'<g><title>{_t(s.label)}: {_t(figure)}</title>'
                     f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13">{_t(s.label)}</text>'
                     f'<rect x="{x(lo)}" y="{y + 4}" width="{max(x(hi) - x(lo), 1.5)}" height="{row - 10}" '
                     f'fill="{fill}" stroke="#344054" stroke-width="0.5"/>'
                     f'<text x="{width - 4}" y="{y + 17}" text-anchor="end" font-size="13" '
                     f'font-weight="{"bold" if s.kind == TOTAL else "normal"}">{_t(figure)}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def waterfall_steps(w: Waterfall, words: Mapping[str, str], start_label: str, end_label: str) -> list[Step]:
    """The steps of a covered waterfall: the start total, each pathway back to school, the list cleaned, the rest,
    the end total. `words`: the translated names of the pathways (formal, paket, pesantren, lkp), "cleaned" and
    "rest"."""
    if not w.covered or w.start_total is None or w.end_total is None or w.rest is None:
        return []
    steps = [Step(start_label, w.start_total, TOTAL)]
    steps += [Step(words[p], -w.returned[p], DOWN) for p in RETURNED_OUTCOMES if w.returned.get(p)]
    if w.cleaned_total:
        steps.append(Step(words["cleaned"], -w.cleaned_total, DOWN))
    steps.append(Step(words["rest"], w.rest, UP if w.rest > 0 else DOWN))
    steps.append(Step(end_label, w.end_total, TOTAL))
    return steps


def waterfall_words() -> dict[str, str]:
    """The waterfall's step names in the current language (the ATS pages use them too)."""
    return {"formal": _("Kembali ke sekolah formal"), "paket": _("Kembali lewat Paket A/B/C"),
            "pesantren": _("Kembali ke pesantren/madrasah"), "lkp": _("Kembali ke LKP/kursus"),
            "cleaned": _("Ternyata bukan ATS"), "rest": _("Sisa perubahan")}
