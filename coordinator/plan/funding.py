"""How an action is funded: one or more funding sources (the reference list `sumber_dana`), each with its amount
where known; the action's budget stays the total. Read from text as matrices and people write it ("APBD, CSR",
"APBN/APBD", "APBD: 600.000.000; CSR: 300.000.000", "Dana Desa (Rp 150 juta)", "APBD Rp600jt",
"Rp 600.000.000,- (APBD)") and written back the same way, by the RAD matrix, the action form and the exports."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.errors import N_
from coordinator.core.money import MULTIPLIER_WORDS, parse_rupiah
from coordinator.core.names import plain_key, split_names_with_separators
from coordinator.models import LIST_FUNDING_SOURCE, ReferenceItem

_AMOUNT = rf"(?:rp\.?\s*)?\d[\d.,]*(?:\s*(?:{MULTIPLIER_WORDS})\b\.?)?"
# An amount without "Rp" after a bare space must look like one (dots, a multiplier or five digits): "APBD 2026"
# is a name with a year, "APBD 600 juta" a name with an amount.
_BARE_AMOUNT = rf"(?:\d{{1,3}}(?:\.\d{{3}})+(?:,\d{{1,2}})?|\d{{5,}}|\d+(?:,\d+)?\s*(?:{MULTIPLIER_WORDS})\b\.?)"
_NAME_THEN_AMOUNT = [
    re.compile(rf"(?i)^(?P<name>.*?\S)\s*(?::|=|\()\s*(?P<amount>{_AMOUNT})\s*\)?$"),  # APBD: 600.000.000
    re.compile(rf"(?i)^(?P<name>.*?\S)\s*(?P<amount>rp\.?\s*\d[\d.,]*(?:\s*(?:{MULTIPLIER_WORDS})\b\.?)?)$"),
    re.compile(rf"(?i)^(?P<name>.*?\S)\s+(?P<amount>{_BARE_AMOUNT})$"),  # APBD 600 juta
    re.compile(rf"(?i)^(?P<amount>{_AMOUNT})\s*\(\s*(?P<name>[^()]*?\S)\s*\)$"),  # Rp 600.000.000 (APBD)
    re.compile(r"^(?P<name>[^:=]+?)\s*[:=]\s*(?P<amount>.+?)\s*$"),  # APBD: enam ratus juta (unreadable)
]
_SEPARATORS = re.compile(r"[,;/&+\n]|\sdan\s", re.I)
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_NO_CENTS = re.compile(r"(?<=\d)\s*[,.]\s*-(?![\d-])")  # "600.000.000,-"
_YEAR = re.compile(r"\s*\b(?:ta\.?|tahun|th\.?)?\s*(?:19|20)\d\d\b", re.I)  # "APBD 2026", "APBD TA 2026"
_KEEP = "\x00"  # a decimal comma while a cell is split into names
_JOINT = ("/", "&", "+", "dan")


@dataclass(frozen=True)
class FundingShare:
    source: str  # the funding source's code
    amount: int | None = None  # rupiah, where the file or the form gives it


@dataclass
class FundingLookup:
    codes: dict[str, str] = field(default_factory=dict)  # code upper-cased -> code: a code means itself
    by_text: dict[str, str] = field(default_factory=dict)  # label or alias, normalised -> code
    allowed: list[str] = field(default_factory=list)  # labels of the active items, for messages
    labels: dict[str, str] = field(default_factory=dict)  # code -> Indonesian label

    @classmethod
    def load(cls, session: Session) -> FundingLookup:
        f = cls()
        items = list(session.scalars(select(ReferenceItem).where(ReferenceItem.list_name == LIST_FUNDING_SOURCE)
                                     .order_by(ReferenceItem.position, ReferenceItem.code)))
        for item in items:  # codes and labels before any alias: an item's own name wins over another's alias
            f.add(item, aliases=False)
        for item in items:
            f.add(item)
        return f

    def add(self, item: ReferenceItem, aliases: bool = True) -> None:
        if item.code not in self.labels:
            self.codes[item.code.upper()] = item.code
            self.labels[item.code] = item.label_id
            if item.active:
                self.allowed.append(item.label_id)
            for text in (item.label_id, item.label_en):
                self.by_text.setdefault(key_of(text), item.code)
        if aliases:
            for text in (a for a in (item.aliases or "").split(",") if a.strip()):
                self.by_text.setdefault(key_of(text), item.code)

    def find(self, text: str) -> str | None:
        text = str(text).strip()
        found = self.codes.get(text.upper()) or self.by_text.get(key_of(text))
        if found is None and _YEAR.search(text):
            bare = _YEAR.sub("", text).strip()
            found = (self.codes.get(bare.upper()) or self.by_text.get(key_of(bare))) if bare else None
        return found


def key_of(text: str) -> str:
    return plain_key(text)


@dataclass
class FundingRead:
    shares: list[FundingShare] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names as written that match no source (nor a mapping)
    errors: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # msgid, params


def _split_amount(item: str) -> tuple[str, str | None]:
    for pattern in _NAME_THEN_AMOUNT:
        m = pattern.match(item)
        if m and m.group("name").strip():
            return m.group("name").strip(), m.group("amount")
    return item.strip(), None


def read_funding(text: str | None, lookup: FundingLookup, mapping: dict[str, str] | None = None) -> FundingRead:
    """The sources a text names, with their amounts. `mapping`: a name's key_of -> a source code, for names
    a person mapped by hand. Two names of one source ("DD dan ADD") are one share, their amounts added."""
    mapping = mapping or {}
    out = FundingRead()

    def find(name: str) -> str | None:
        return lookup.find(name) or mapping.get(key_of(name))

    def one_source(piece: str) -> bool:  # a known name, with at most one amount (not "APBD: 600; CSR")
        name, amount = _split_amount(piece.replace(_KEEP, ","))
        return find(name) is not None and not (amount and _SEPARATORS.search(_DECIMAL_COMMA.sub(_KEEP, amount)))

    protected = _DECIMAL_COMMA.sub(_KEEP, _NO_CENTS.sub("", text or ""))
    shares: dict[str, FundingShare] = {}
    previous: tuple[str, str | None] | None = None  # the last source read and its amount as written
    for item, sep in split_names_with_separators(protected, one_source):
        name, written = _split_amount(item.replace(_KEEP, ","))
        code = find(name)
        if code is None:
            if name not in out.unknown:
                out.unknown.append(name)
            previous = None
            continue
        amount = None
        if written is not None:
            try:
                amount = parse_rupiah(written)
            except ValueError:
                out.errors.append((N_("Jumlah \"%(amount)s\" untuk %(name)s bukan jumlah rupiah."),
                                   {"amount": written, "name": name}))
                continue
            if previous is not None and previous[1] is None and sep in _JOINT:
                # "APBD/CSR: 600.000.000": one amount for two sources, which nobody can split
                out.errors.append((N_("Jumlah %(amount)s ditulis untuk %(names)s sekaligus: tulis jumlah setiap "
                                      "sumber dana (mis. APBD: 600.000.000; CSR: 300.000.000), atau jumlahnya saja di "
                                      "kolom Anggaran."), {"amount": written, "names": f"{previous[0]} {sep} {name}"}))
                continue
        previous = (name, written)
        if code in shares:  # "DD dan ADD", "BOS Reguler, BOS Kinerja": one source
            before = shares[code].amount
            amount = before + amount if before is not None and amount is not None else None
        shares[code] = FundingShare(code, amount)
    out.shares = list(shares.values())
    return out


def funding_text(shares: list[FundingShare], labels: dict[str, str]) -> str:
    """The shares as a person writes them: "APBD Kabupaten: 600.000.000; CSR: 300.000.000", or "APBD Kabupaten,
    CSR" without amounts. read_funding reads it back."""
    def one(s: FundingShare) -> str:
        label = labels.get(s.source, s.source)
        return f"{label}: " + f"{s.amount:,}".replace(",", ".") if s.amount is not None else label

    return ("; " if any(s.amount is not None for s in shares) else ", ").join(one(s) for s in shares)
