"""Rupiah amounts as people write them in Indonesian documents: 1.250.000, Rp 1.250.000,00, Rp600jt, 600 juta,
1,2 miliar, 600.000.000,-."""
from __future__ import annotations

import re

MULTIPLIERS = {"rb": 10**3, "ribu": 10**3, "jt": 10**6, "juta": 10**6, "m": 10**9, "miliar": 10**9,
               "milyar": 10**9, "t": 10**12, "triliun": 10**12}
MAX_RUPIAH = 10**15  # Rp 1.000 triliun: far above any action; past it a figure is a typo
MULTIPLIER_WORDS = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_AMOUNT = re.compile(rf"(?i)(?:rp\.?\s*)?(\d[\d.,]*)\s*({MULTIPLIER_WORDS})?\.?")
_DASH_END = re.compile(r"\s*[,.]\s*-\s*$")  # "600.000.000,-": no cents


def parse_rupiah(text: str) -> int:
    """Whole rupiah (cents rounded); ValueError when the text is no amount or past MAX_RUPIAH."""
    m = _AMOUNT.fullmatch(_DASH_END.sub("", text.strip()))
    if not m:
        raise ValueError(text)
    digits, word = m.group(1), (m.group(2) or "").lower()
    if len(re.sub(r"\D", "", digits)) > 18:
        raise ValueError(text)  # no float of such a length is an amount (and it would overflow)
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", digits):  # 1.250.000 or 1.250.000,50
        value = float(digits.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d+(?:,\d+)?", digits):  # 600, 1,2 (with a multiplier), 1250000,00
        value = float(digits.replace(",", "."))
    elif re.fullmatch(r"\d+\.\d{1,2}", digits) and word:  # 1.5 juta
        value = float(digits)
    else:
        raise ValueError(text)
    if "," in digits and not word and not (re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d{1,2}", digits)
                                            or re.search(r",00?$", digits)):
        raise ValueError(text)  # "12,5" or "12,345" alone: no rupiah amount
    amount = round(value * MULTIPLIERS.get(word, 1))
    if amount > MAX_RUPIAH:
        raise ValueError(text)
    return amount
