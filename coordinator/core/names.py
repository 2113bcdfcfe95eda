"""Several names in one cell, as Indonesian plans write them: "Dinsos dan DPPPA", "TP-PKK, DPMDes; Disdukcapil",
"APBN/APBD". Official names hold the same words ("Dinas Pendidikan dan Kebudayaan", "Kepala Desa/Lurah",
"Dinas Komunikasi, Informatika, Statistik dan Persandian"), so a cell is split knowing which names exist."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# Between names: "," ";" "/" "&" "+" a line break or " dan ", outside parentheses.
_SEPARATOR = re.compile(r"\s*(?:[,;/&+\n]|\s+dan\s+)\s*", re.IGNORECASE)
_JOINS_ONLY_KNOWN = ("dan", "/", "&", "+")  # split there only between two known names


def _tokens(text: str) -> tuple[list[str], list[str], list[str]]:
    """The pieces of a cell between separators outside parentheses, the separators (normalised) and the
    separators as written."""
    pieces: list[str] = []
    seps: list[str] = []
    written: list[str] = []
    start = pos = depth = 0
    while pos < len(text):
        ch = text[pos]
        depth = max(0, depth + (ch == "(") - (ch == ")"))
        m = _SEPARATOR.match(text, pos) if depth == 0 else None
        if m and m.end() > pos and (m.group().strip() or "\n" in m.group()):
            pieces.append(text[start:pos])
            seps.append(m.group().strip().lower() or "\n")
            written.append(m.group())
            start = pos = m.end()
            continue
        pos += 1
    pieces.append(text[start:])
    return [" ".join(p.split()) for p in pieces], seps, written


def _join(pieces: list[str], written: list[str], i: int, j: int) -> str:
    """Pieces i..j-1 as one name, their separators as written ("Kepala Desa/Lurah", "0+")."""
    out = pieces[i]
    for k in range(i + 1, j):
        out += written[k - 1] + pieces[k]
    return out


MAX_PIECES = 8  # the longest official name spans four pieces; a bound keeps a cell of 1.000 commas linear


def split_names(text: str, known: Callable[[str], bool]) -> list[str]:
    """The names a cell holds. The longest run of pieces that is a known name is one name; "dan", "/", "&" and "+"
    separate two names only when both are known ("Dinsos dan DPPPA"), else the name stays whole ("Dinas
    Pendidikan dan Kebudayaan" where only "Dinas Pendidikan" is known is one unknown name); "," ";" and line
    breaks always separate unknown names."""
    return [name for name, _sep in split_names_with_separators(text, known)]


def split_names_with_separators(text: str, known: Callable[[str], bool]) -> list[tuple[str, str]]:
    """split_names, each name with the separator before it ("" for the first; "dan", "/", ",", ";", "\n" …)."""
    pieces, seps, written = _tokens(text or "")
    segments: list[tuple[int, int, bool]] = []  # piece range, and whether it is a known name
    i = 0
    while i < len(pieces):
        last = min(len(pieces), i + MAX_PIECES)
        j = next((j for j in range(last, i, -1) if known(_join(pieces, written, i, j))), 0)
        segments.append((i, j, True) if j else (i, i + 1, False))
        i = j or i + 1
    merged: list[tuple[int, int, bool]] = []
    for seg in segments:
        if merged and seps[seg[0] - 1] in _JOINS_ONLY_KNOWN and not (merged[-1][2] and seg[2]):
            merged[-1] = (merged[-1][0], seg[1], False)
        else:
            merged.append(seg)
    out = []
    for a, b, _known in merged:
        name = " ".join(_join(pieces, written, a, b).split())
        if name and name not in ("-", "–", "—"):
            out.append((name, seps[a - 1] if a else ""))
    return out


def plain_key(name: str) -> str:
    """Lower case, accents, spaces and punctuation removed: the key names written by hand are compared by
    ("Dinas Sosial" = "DINAS  SOSIAL" = "Dinas-Sosial")."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "", text)
