"""Rupiah amounts as people write them in Indonesian documents: 1.250.000, Rp 1.250.000,00, 600 juta, 1,2 miliar."""
from __future__ import annotations

import re

MULTIPLIERS = {"rb": 10**3, "ribu": 10**3, "jt": 10**6, "juta": 10**6, "m": 10**9, "miliar": 10**9,
               "milyar": 10**9, "t": 10**12, "triliun": 10**12}
MAX_RUPIAH = 10**15  # far above any action; past it a figure is a typo
_AMOUNT = re.compile(r"(?i)(?:rp\.?\s*)?(\d[\d.,]*)\s*(" + "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
                     + r")?\.?")


def parse_rupiah(text: str) -> int:
    """Whole rupiah; ValueError when the text is no amount or past MAX_RUPIAH."""
    m = _AMOUNT.fullmatch(text.strip())
    if not m:
        raise ValueError(text)
    digits, word = m.group(1), (m.group(2) or "").lower()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", digits):  # 1.250.000 or 1.250.000,00
        value = float(digits.split(",")[0].replace(".", ""))
    elif re.fullmatch(r"\d+(?:,\d+)?", digits):  # 600, 1,2 (with a multiplier)
        value = float(digits.replace(",", "."))
    elif re.fullmatch(r"\d+\.\d{1,2}", digits) and word:  # 1.5 juta
        value = float(digits)
    else:
        raise ValueError(text)
    amount = round(value * MULTIPLIERS.get(word, 1))
    if amount > MAX_RUPIAH or (not word and "," in digits and not digits.endswith((",0", ",00"))):
        raise ValueError(text)
    return amount
