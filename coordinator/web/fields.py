"""Form fields for Indonesian input habits: money with dots, months as YYYY-MM."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Field, IntegerField, SelectMultipleField, StringField, widgets
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from coordinator.core.money import parse_rupiah


def parse_money(raw: str) -> int | None:
    """A typed rupiah amount as the RAD matrix reads it (core/money.py): "1.250.000", "Rp 1.250.000,-", "600 juta",
    "Rp600jt"; None when blank, ValueError (with the message to show) when it is no amount."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        return parse_rupiah(raw)
    except ValueError:
        raise ValueError(str(_l("Tulis jumlah rupiah, mis. 1.250.000 atau 600 juta."))) from None


class MoneyField(StringField):
    """Accepts what parse_money does; stores whole rupiah. Phones show the number pad (inputmode), while the box
    still takes "Rp 1.250.000" as typed on a computer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if valuelist:
            self.data = parse_money(str(valuelist[0]))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        return f"{int(self.data):,}".replace(",", ".")


class CountField(IntegerField):
    """A whole number as Indonesians write it: "13.411" (dots group thousands) or "13411"; shown with its dots
    in a text box (a number box refuses the dots)."""

    widget = widgets.TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric"})
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return f"{self.data:,}".replace(",", ".") if isinstance(self.data, int) else ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and re.fullmatch(r"\s*-?\d{1,3}(\.\d{3})+\s*", str(valuelist[0])):
            valuelist = [str(valuelist[0]).replace(".", "").strip()]
        super().process_formdata(valuelist)


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


class FundingSharesField(Field):
    """The funding sources of an action, as a table: one row per source (choices), ticked, with its amount where
    known. Posted as <name>-<code>-on and <name>-<code>-amount; the tick decides (static/js/funding-shares.js ticks
    a row when an amount is typed and empties the amount when a row is unticked). data: [(code, amount)]
    in the order of the choices."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, **kwargs)
        self.choices: list[tuple[str, str]] = []
        self.typed: dict[str, str] = {}  # code -> amount as typed, shown again with an error
        self.bad: dict[str, str] = {}  # code -> why its amount was refused, shown on its row

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        rows = [] if data is unset_value or data is None else data
        self.data = [(r.source, r.amount) if hasattr(r, "source") else (r[0], r[1]) for r in rows]
        if formdata is None or not any(k.startswith(f"{self.name}-") for k in formdata):
            return  # not posted (<name>-shown comes with the table, so that untick-all is a submission)
        prefix = f"{self.name}-"
        on = {k[len(prefix):-3] for k in formdata if k.startswith(prefix) and k.endswith("-on")}
        self.typed = {k[len(prefix):-7]: str(v).strip() for k, v in formdata.items()
                      if k.startswith(prefix) and k.endswith("-amount") and str(v).strip()}
        self.data = []
        for code in sorted(on):  # the tick decides: an amount left in an unticked row is not a share
            try:
                amount = parse_money(self.typed[code]) if code in self.typed else None
            except ValueError as err:
                self.bad[code] = str(err)
                continue
            self.data.append((code, amount))

    def pre_validate(self, form: Any) -> None:
        labels = dict(self.choices)
        for code, message in self.bad.items():
            self.errors.append(f"{labels.get(code, code)}: {message}")
        if any(code not in labels for code, _amount in self.data):
            raise ValidationError(str(_l("Pilih sumber dana dari daftar.")))
        known = list(labels)
        self.data.sort(key=lambda share: known.index(share[0]))

    def __call__(self, **kwargs: Any) -> Markup:
        amounts = dict(self.data)
        label_amount = str(_l("Jumlah (Rp)"))
        rows = []
        for code, label in self.choices:
            typed = self.typed.get(code)
            if typed is None:
                typed = f"{amounts[code]:,}".replace(",", ".") if amounts.get(code) is not None else ""
            error = Markup("")
            if code in self.bad:
                error = Markup(' aria-invalid="true" aria-describedby="{n}-{c}-amount-err"><small class="error" '
                               'id="{n}-{c}-amount-err">{m}</small').format(n=self.name, c=code, m=self.bad[code])
            rows.append(Markup(
                '<tr><td><label><input type="checkbox" name="{n}-{c}-on" value="y"{chk}> {label}</label></td>'
                '<td><input type="text" inputmode="numeric" id="{n}-{c}-amount" name="{n}-{c}-amount" value="{v}" '
                'aria-label="{la} {label}" placeholder="{la}"{err}></td></tr>').format(
                    n=self.name, c=code, chk=Markup(" checked") if code in amounts or code in self.bad else "",
                    label=label, v=typed, la=label_amount, err=error))
        return Markup('<input type="hidden" name="{n}-shown" value="1"><table class="funding-shares" id="{id}">'
                      '<tbody>{rows}</tbody></table><script src="{js}" defer></script>').format(
            n=self.name, id=kwargs.get("id", self.id), rows=Markup("").join(rows),
            js=url_for("static", filename="js/funding-shares.js"))
