"""Form fields for Indonesian input habits: money with dots, months as YYYY-MM."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, widgets


class MoneyField(StringField):
    """Accepts "1.250.000", "Rp 1.250.000" or "1250000"; stores whole rupiah."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist:
            return
        raw = str(valuelist[0]).strip()
        if not raw:
            return
        cleaned = re.sub(r"^rp\.?\s*", "", raw, flags=re.I).replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,00?)?", cleaned):
            cleaned = cleaned.split(",")[0].replace(".", "")
        elif re.fullmatch(r"\d+(,00?)?", cleaned):
            cleaned = cleaned.split(",")[0]
        if not cleaned.isdigit() or len(cleaned) > 15:
            self.data = None
            raise ValueError(str(_l("Tulis jumlah rupiah tanpa desimal, mis. 1.250.000.")))
        self.data = int(cleaned)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{int(self.data):,}".replace(",", ".")


class MonthField(StringField):
    """A month as YYYY-MM (the browser's month picker); data is the first day."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        m = re.fullmatch(r"(\d{4})-(\d{2})", str(valuelist[0]).strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or not 2000 <= int(m.group(1)) <= 2100:
            raise ValueError(str(_l("Tulis bulan sebagai TTTT-BB, mis. 2026-03.")))
        self.data = date(int(m.group(1)), int(m.group(2)), 1)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.strftime("%Y-%m") if isinstance(self.data, date) else ""


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
