"""Reading a RAD matrix (XLSX) as coordinators keep it: title rows, a one- or two-row header,
pillars and programs in their own (often merged) columns or as section rows, an action's cells
merged over the rows of its indicators, dates in words, a Jumlah row at the bottom.

parse_matrix is a pure function of the bytes: names (agencies, areas) stay as written and are
matched by the import (importing). Row numbers are the sheet's, as Excel shows them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coordinator.ats.parse import TOTAL_WORDS
from coordinator.core.money import MAX_RUPIAH
from coordinator.core.table_files import FileRefused
from coordinator.rad_matrix import parse_messages as msg
from coordinator.rad_matrix.dates import ROMAN, BadDate, parse_when
from coordinator.rad_matrix.layout import (
    INDICATOR_SHEET,
    MAIN_SHEET,
    PLAN_SHEET,
    QUARTER_KEYS,
    Issue,
    MatrixAction,
    MatrixIndicator,
    ParsedMatrix,
)
from coordinator.rad_matrix.parse_cells import (
    NOT_XLSX,
    NotANumber,
    Sheet,
    as_int,
    free_text,
    header_key,
    is_mark,
    norm_header,
    one_line,
    open_workbook,
    parse_categories,
    parse_milestone,
    parse_number,
    small_int,
    split_list,
    split_locations,
)
from coordinator.rad_matrix.parse_header import read_header
from coordinator.rad_matrix.parse_sheets import plan_from_title, read_indicator_defs, read_plan

__all__ = ["FileRefused", "parse_matrix"]

HEADER_SCAN = 20
ACTION_HEADER = "Kegiatan/Aksi"
_TOTAL = re.compile(r"(?:jumlah|total)(?: (?:anggaran|biaya|pagu|keseluruhan|seluruhnya|rp))*")
_PREFIX = re.compile(r"([a-z]|\d{1,2})[.)]\s+(.+)", re.S)
_ROMAN = "|".join(sorted(ROMAN, key=len, reverse=True))
_PILLAR = [re.compile(rf"(\d+|{_ROMAN})\s*[.):]\s*(.*)", re.S | re.I),
           re.compile(rf"(?:pilar|strategi)\s+(\d+|{_ROMAN})\b\s*[.):\-–]?\s*(.*)", re.S | re.I),
           re.compile(r"(\d+)\s+(.+)", re.S)]
_PROGRAM = [re.compile(r"(\d+(?:\.\d+)+)\.?\s*[:\-–]?\s*(.*)", re.S),
            re.compile(r"program\s+(\d+(?:\.\d+)*)\.?\b\s*[:\-–]?\s*(.*)", re.S | re.I)]


@dataclass
class _Building:
    action: MatrixAction
    origin: int  # 0-based row whose action cell the action comes from
    marks: set[int] = field(default_factory=set)
    when: dict[str, tuple[Any, str]] = field(default_factory=dict)  # key -> (cell, header)


def _number_of(raw: str) -> int | None:
    raw = raw.lower().strip().rstrip(".")
    if raw.isdigit():
        return small_int(raw)
    return ROMAN.get(raw)


def _split_name(text: str, patterns: list[re.Pattern[str]]) -> tuple[str | None, str]:
    for pattern in patterns:
        m = pattern.fullmatch(text)
        if m:
            return m.group(1), (m.group(2).strip() or text)
    return None, text


def parse_matrix(data: bytes, file_name: str) -> ParsedMatrix:
    """Raises FileRefused when the bytes are not a readable XLSX (or unpack too large)."""
    if not data.startswith(b"PK\x03\x04"):
        raise FileRefused(NOT_XLSX)
    sheets = open_workbook(data)
    main = sheets.get(MAIN_SHEET) or next((s for n, s in sheets.items() if n not in (INDICATOR_SHEET, PLAN_SHEET)),
                                          next(iter(sheets.values())))
    result = ParsedMatrix()
    _Reader(main, result).read()
    if INDICATOR_SHEET in sheets and sheets[INDICATOR_SHEET] is not main:
        read_indicator_defs(sheets[INDICATOR_SHEET], result)
    if PLAN_SHEET in sheets and sheets[PLAN_SHEET] is not main:
        result.plan = read_plan(sheets[PLAN_SHEET], result)
    return result


class _Reader:
    def __init__(self, sheet: Sheet, result: ParsedMatrix) -> None:
        self.s, self.out = sheet, result
        self.col: dict[str, int] = {}
        self.amount_cols: list[tuple[int, str, str]] = []  # column, funding source, header: parse_header
        self.target_year: int | None = None
        self.pillars: dict[str, tuple[int, str]] = {}
        self.programs: dict[tuple[int, str], tuple[str, str]] = {}
        self.pillar: tuple[int, str] | None = None
        self.program: tuple[str, str] | None = None
        self.by_code: dict[str, _Building] = {}
        self.current: _Building | None = None
        self.built: list[_Building] = []

    # ------------------------------------------------------------------ header
    def error(self, row: int | None, message: str, column: str | None = None, **params: Any) -> None:
        if row is not None:
            params["row"] = row
        if column is not None:
            params["column"] = column
        self.out.errors.append(Issue(row, message, params, self.s.name, column))

    def read(self) -> None:
        rows = self.s.rows
        h = None
        for r in range(min(HEADER_SCAN, len(rows))):
            keys = {header_key(c)[0] for c in rows[r] if free_text(c)} - {None}
            if len(keys) >= 3:
                if "action" not in keys:
                    self.out.errors.append(Issue(None, msg.NO_ACTION_COLUMN, {"column": ACTION_HEADER, "row": r + 1}))
                    return
                h = r
                break
        if h is None:
            self.out.errors.append(Issue(None, msg.NO_HEADER, {"rows": HEADER_SCAN, "column": ACTION_HEADER}))
            return
        title = next((one_line(c) for row in rows[:h] for c in row if one_line(c)), "")
        self.out.title = title or None
        header = read_header(self.s, h)
        self.col, self.amount_cols, self.target_year = header.columns, header.amounts, header.target_year
        self.out.columns.update(header.written)
        first = h + (2 if header.two_rows else 1)
        lines = [one_line(c) for row in rows[:h] for c in dict.fromkeys(row) if one_line(c)]
        above = " ".join(lines)  # any title line
        self.out.title_plan = plan_from_title(lines)
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", above) if 2000 <= int(y) <= 2100]
        self.out.default_year = self.target_year or (years[0] if years else None)
        self.target_year = self.target_year or self.out.default_year
        for r in range(first, len(rows)):
            self._row(r)
        for b in self.built:
            self._finish(b)
        self.out.actions = [b.action for b in self.built]

    # ------------------------------------------------------------------ rows
    def own(self, r: int, key: str) -> Any:
        c = self.col.get(key)
        return None if self.s.from_above(r, c) else self.s.cell(r, c)

    def get(self, r: int, key: str) -> Any:
        return self.s.cell(r, self.col.get(key))

    def head(self, key: str) -> str:
        return self.out.columns.get(key, key)

    def _row(self, r: int) -> None:
        s, row = self.s, self.s.rows[r]
        own = {c: free_text(v) for c, v in enumerate(row) if free_text(v) and not s.from_above(r, c)}
        if not own:
            return
        lead_cells = [one_line(self.own(r, k)) for k in ("no", "pillar", "program", "action")] + [one_line(row[0])]
        if any(norm_header(t) in TOTAL_WORDS or _TOTAL.fullmatch(norm_header(t)) for t in lead_cells if t):
            return  # the Jumlah / Total row under the table
        if self._section(r, own):
            return
        for key in ("pillar", "program"):  # a blank cell carries the pillar / program of the rows above
            text = one_line(self.get(r, key))
            if text:
                self._enter(key, text, None)
        self._action_row(r)

    def _section(self, r: int, own: dict[int, str]) -> bool:
        """A row holding a number and one text: a pillar ("I" / "PILAR 1: …") or program ("1.1", "Program …")."""
        no_col = self.col.get("no")
        no = own.get(no_col, "") if no_col is not None else ""
        texts = {t for c, t in own.items() if c != no_col}
        if no and no in texts:
            no = ""
        if len(texts) != 1:
            return False
        text = texts.pop()
        data_cols = {self.col[k] for k in self.col if k not in ("no", "pillar", "program", "action")}
        if all(c in data_cols for c, t in own.items() if t == text and c != no_col):
            return False  # an indicator or a value alone: a continuation row
        if re.fullmatch(r"\d+(\.\d+){2,}\.?", no):
            return False  # a full action code: an action with a title only
        words = norm_header(text)
        kind = None
        if words.startswith(("pilar", "strategi")):
            kind = "pillar"
        elif words.startswith("program"):
            kind = "program"
        elif re.fullmatch(r"\d+\.\d+\.?", no):
            kind = "program"
        elif no.lower().rstrip(".") in ROMAN and not no.rstrip(".").isdigit():
            kind = "pillar"
        elif no.rstrip(".").isdigit():
            kind = "pillar" if "pillar" not in self.col else "program" if "program" not in self.col else None
        if kind is None:
            if no:
                return False
            self.out.warnings.append(Issue(r + 1, msg.ROW_IGNORED, {"row": r + 1, "value": text[:60]}, self.s.name))
            return True
        self._enter(kind, text, no.rstrip(".") or None)
        return True

    def _enter(self, kind: str, text: str, no: str | None) -> None:
        if kind == "pillar":
            if text not in self.pillars:
                raw, name = _split_name(text, _PILLAR)
                number = _number_of(raw or no or "")
                if number is None:
                    number = max((n for n, _ in self.pillars.values()), default=0) + 1
                self.pillars[text] = (number, name)
            if self.pillar != self.pillars[text]:
                self.pillar, self.program = self.pillars[text], None
            return
        pillar = self.pillar[0] if self.pillar else 0
        if (pillar, text) not in self.programs:
            code, name = _split_name(text, _PROGRAM)
            if code is None and name.lower().startswith("program ") and name[8:].strip():
                name = name[8:].strip()  # "Program Pendataan" in a section row: the word is not the name
            code = code or no
            if code is None or "." not in code:
                k = small_int(code) if code and code.isdigit() else sum(1 for p, _ in self.programs if p == pillar) + 1
                code = f"{pillar}.{k}"
            self.programs[(pillar, text)] = (code, name)
        self.program = self.programs[(pillar, text)]

    def _action_row(self, r: int) -> None:
        s, rn = self.s, r + 1
        a_col = self.col["action"]
        b = self.current
        if s.from_above(r, a_col) and b is not None and s.origin.get((r, a_col)) == b.origin:
            self._indicator(r, b)
            return
        title = free_text(s.cell(r, a_col))
        no = one_line(self.own(r, "no")).rstrip(".") if not s.from_above(r, self.col.get("no")) else ""
        if not title:
            self.current = None
            self.error(rn, msg.NO_TITLE, self.head("action"))
            return
        number: int | None = None
        code = None
        if re.fullmatch(r"\d+(\.\d+)+", no):
            code = no  # the action's code: a title starting "a. " or "1) " is the title as written
        m = None if code else _PREFIX.fullmatch(title)
        if m:
            raw, title = m.group(1), m.group(2).strip()
            number = int(raw) if raw.isdigit() else ord(raw) - ord("a") + 1
        if code is None and re.fullmatch(r"\d+|[a-zA-Z]", no):
            number = small_int(no) if no.isdigit() else ord(no.lower()) - ord("a") + 1
        if self.pillar is None or self.program is None:
            self.current = None
            self.error(rn, msg.NO_PILLAR if self.pillar is None else msg.NO_PROGRAM, None, title=title[:80])
            return
        program_code = self.program[0]
        if code is None and number is not None:
            code = f"{program_code}.{number}"
        elif code is None:  # by position; a number written on another action is not taken twice
            index = sum(1 for x in self.built if x.action.program_code == program_code) + 1
            while f"{program_code}.{index}" in self.by_code:
                index += 1
            code = f"{program_code}.{index}"
        same = self.by_code.get(code)
        if same is not None:
            if norm_header(same.action.title) != norm_header(title):
                self.current = None
                self.error(rn, msg.DUPLICATE_CODE, None, code=code, first=same.action.row, other=same.action.title[:80])
                return
            self.current = same
            self._indicator(r, same)
            return
        action = MatrixAction(row=rn, pillar_number=self.pillar[0], pillar_name=self.pillar[1],
                              program_code=program_code, program_name=self.program[1], code=code, title=title)
        b = self.current = self.by_code[code] = _Building(action, s.origin.get((r, a_col), r))
        self.built.append(b)
        self._fields(r, b)
        self._indicator(r, b)

    def _fields(self, r: int, b: _Building) -> None:
        a, rn = b.action, r + 1
        a.output = free_text(self.get(r, "output")) or None
        a.description = free_text(self.get(r, "remarks")) or None
        a.lead_text, a.supporting_text = free_text(self.get(r, "lead")), free_text(self.get(r, "supporting"))
        leads = split_list(self.get(r, "lead"))  # a first reading: the import splits again, knowing the agencies
        a.lead_agency = leads[0] if leads else ""
        a.supporting_agencies = list(dict.fromkeys(leads[1:] + split_list(self.get(r, "supporting"))))
        a.locations = split_locations(self.get(r, "location"))
        a.funding_source = free_text(self.get(r, "funding")) or None
        for c, source, header in self.amount_cols:
            cell = self.s.cell(r, c)
            if is_mark(cell):  # √ under "Sumber dana": the source is used, its amount not given
                a.funding_amounts.append((source, None))
                continue
            try:
                amount = as_int(parse_number(cell))
            except NotANumber:
                self.error(rn, msg.NOT_A_NUMBER, header, value=one_line(cell)[:30])
                continue
            if amount is not None and not 0 <= amount <= MAX_RUPIAH:
                self.error(rn, msg.BAD_AMOUNT, header, max=f"{MAX_RUPIAH:,}".replace(",", "."))
            elif amount:
                a.funding_amounts.append((source, amount))
        a.sub_kegiatan_code = one_line(self.get(r, "sub_kegiatan")) or None
        try:
            a.budget = as_int(parse_number(self.get(r, "budget")))
        except NotANumber:
            self.error(rn, msg.NOT_A_NUMBER, self.head("budget"), value=one_line(self.get(r, "budget"))[:30])
        try:
            a.categories = parse_categories(self.get(r, "categories"))
        except ValueError as err:
            self.error(rn, msg.BAD_CATEGORY, self.head("categories"), value=str(err)[:40])
        for line in free_text(self.get(r, "milestones")).split("\n"):
            if not line:
                continue
            try:
                a.milestones.append(parse_milestone(line, self.out.default_year))
            except ValueError:
                self.error(rn, msg.BAD_MILESTONE, self.head("milestones"), value=line[:80])
        for key in ("start", "due", "when"):
            if free_text(self.get(r, key)):
                b.when[key] = (self.get(r, key), self.head(key))

    def _indicator(self, r: int, b: _Building) -> None:
        rn = r + 1
        name = "" if self.s.from_above(r, self.col.get("indicator")) else free_text(self.get(r, "indicator"))
        values: dict[str, float | None] = {}
        for key in ("baseline", "target", *QUARTER_KEYS):
            cell = self.get(r, key)
            if key in QUARTER_KEYS and is_mark(cell):
                b.marks.add(QUARTER_KEYS.index(key) + 1)
                continue
            try:
                values[key] = parse_number(cell)
            except NotANumber:
                self.error(rn, msg.NOT_A_NUMBER, self.head(key), value=one_line(cell)[:30])
        unit = one_line(self.get(r, "unit")) or None
        quarters = {i + 1: v for i, k in enumerate(QUARTER_KEYS) if (v := values.get(k)) is not None}
        if not name:
            if any(values.get(k) is not None for k in values) or (unit and not self.s.from_above(r, self.col["unit"])):
                self.error(rn, msg.NO_INDICATOR, self.head("indicator"))
            return
        target = values.get("target")
        year = self.target_year if target is not None or quarters else None
        b.action.indicators.append(MatrixIndicator(rn, name, unit, values.get("baseline"), target, year, quarters))

    # ------------------------------------------------------------------ dates
    def _when(self, b: _Building, key: str) -> tuple[date | None, date | None]:
        cell, header = b.when.get(key, (None, ""))
        try:
            return parse_when(cell, self.out.default_year)
        except BadDate as err:
            message = msg.DATE_MESSAGES.get(err.message, msg.BAD_WHEN if "value" in err.params else msg.BAD_RANGE)
            self.error(b.action.row, message, header, value=one_line(cell)[:40])
            return None, None

    def _finish(self, b: _Building) -> None:
        a = b.action
        bad = len(self.out.errors)
        start = self._when(b, "start")[0]
        due_span = self._when(b, "due")
        due = due_span[1]
        if start is None and due is None:
            due_span = self._when(b, "when")
            due = due_span[1]
        if start is None and due is not None:  # one date is the deadline; a period ("Des 2026") its own start
            start = due_span[0] if due_span[0] != due else date(due.year, 1, 1)
        if start is None and due is None and b.marks:
            if self.target_year is None:
                self.error(a.row, msg.MARKS_NO_YEAR)
            else:
                first, last = min(b.marks), max(b.marks)
                start = date(self.target_year, 3 * first - 2, 1)
                due = parse_when(f"TW {last} {self.target_year}", None)[1]
        if len(self.out.errors) > bad:
            return
        if due is None:
            self.error(a.row, msg.NO_DUE if start else msg.NO_DATE, None, title=a.title[:80])
        elif start is not None and due < start:
            self.error(a.row, msg.DUE_BEFORE_START, None, due=f"{due:%d/%m/%Y}", start=f"{start:%d/%m/%Y}")
        a.start_date, a.due_date = start, due
