"""How an action is funded: one or more funding sources (the reference list `sumber_dana`), each with its amount
where known; the action's budget stays the total. Read from text as matrices and people write it ("APBD, CSR",
"APBN/APBD", "APBD: 600.000.000; CSR: 300.000.000", "Dana Desa (Rp 150 juta)") and written back the same way,
by the RAD matrix, the action form and the exports alike."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.errors import N_
from coordinator.core.money import parse_rupiah
from coordinator.core.names import plain_key, split_names
from coordinator.models import LIST_FUNDING_SOURCE, ReferenceItem

# A name, then an amount after ":", "=", "(" or "Rp": "APBD: 600.000.000", "CSR Rp 300 juta", "DD (Rp 1,2 miliar)".
_WITH_AMOUNT = re.compile(r"(?i)^(?P<name>.*?)\s*(?::|=|\(|(?=\brp\b))\s*(?P<amount>(?:rp\.?\s*)?\d[\d.,]*"
                          r"(?:\s*[a-z]+)?)\s*\)?$")
_AFTER_COLON = re.compile(r"^(?P<name>[^:=]+?)\s*[:=]\s*(?P<amount>.+?)\s*$")
_SEPARATORS = re.compile(r"[,;/&+\n]|\sdan\s", re.I)
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_KEEP = "\x00"  # a decimal comma while a cell is split into names


@dataclass(frozen=True)
class FundingShare:
    source: str  # the funding source's code
    amount: int | None = None  # rupiah, where the file or the form gives it


@dataclass
class FundingLookup:
    by_text: dict[str, str] = field(default_factory=dict)  # code, label or alias, normalised -> code
    allowed: list[str] = field(default_factory=list)  # labels of the active items, for messages
    labels: dict[str, str] = field(default_factory=dict)  # code -> Indonesian label

    @classmethod
    def load(cls, session: Session) -> FundingLookup:
        f = cls()
        items = session.scalars(select(ReferenceItem).where(ReferenceItem.list_name == LIST_FUNDING_SOURCE)
                                .order_by(ReferenceItem.position, ReferenceItem.code))
        for item in items:
            f.add(item)
        return f

    def add(self, item: ReferenceItem) -> None:
        self.labels[item.code] = item.label_id
        aliases = [a for a in (item.aliases or "").split(",") if a.strip()]
        for text in (item.code, item.label_id, item.label_en, *aliases):
            self.by_text.setdefault(key_of(text), item.code)
        if item.active:
            self.allowed.append(item.label_id)

    def find(self, text: str) -> str | None:
        return self.by_text.get(key_of(text))


def key_of(text: str) -> str:
    return plain_key(text)


@dataclass
class FundingRead:
    shares: list[FundingShare] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # names as written that match no source (nor a mapping)
    errors: list[tuple[str, dict[str, object]]] = field(default_factory=list)  # msgid, params


def _split_amount(item: str) -> tuple[str, str | None]:
    m = _WITH_AMOUNT.match(item) or _AFTER_COLON.match(item)  # "APBD: enam ratus juta" is an unreadable amount
    return (m.group("name").strip(), m.group("amount")) if m and m.group("name").strip() else (item.strip(), None)


def read_funding(text: str | None, lookup: FundingLookup, mapping: dict[str, str] | None = None) -> FundingRead:
    """The sources a text names, with their amounts. `mapping`: a name's key_of -> a source code, for names
    a person mapped by hand."""
    mapping = mapping or {}
    out = FundingRead()

    def find(name: str) -> str | None:
        return lookup.find(name) or mapping.get(key_of(name))

    def one_source(piece: str) -> bool:  # a known name, with at most one amount (not "APBD: 600; CSR")
        name, amount = _split_amount(piece.replace(_KEEP, ","))
        return find(name) is not None and not (amount and _SEPARATORS.search(_DECIMAL_COMMA.sub(_KEEP, amount)))

    protected = _DECIMAL_COMMA.sub(_KEEP, text or "")
    items = split_names(protected, one_source)
    for item in (i.replace(_KEEP, ",") for i in items):
        name, written = _split_amount(item)
        code = find(name)
        if code is None:
            if name not in out.unknown:
                out.unknown.append(name)
            continue
        amount = None
        if written is not None:
            try:
                amount = parse_rupiah(written)
            except ValueError:
                out.errors.append((N_("Jumlah \"%(amount)s\" untuk %(name)s bukan jumlah rupiah."),
                                   {"amount": written, "name": name}))
                continue
        if any(s.source == code for s in out.shares):
            out.errors.append((N_("Sumber dana %(name)s disebut dua kali."), {"name": lookup.labels.get(code, name)}))
            continue
        out.shares.append(FundingShare(code, amount))
    return out


def funding_text(shares: list[FundingShare], labels: dict[str, str]) -> str:
    """The shares as a person writes them: "APBD Kabupaten: 600.000.000; CSR: 300.000.000", or "APBD Kabupaten,
    CSR" without amounts. read_funding reads it back."""
    def one(s: FundingShare) -> str:
        label = labels.get(s.source, s.source)
        return f"{label}: " + f"{s.amount:,}".replace(",", ".") if s.amount is not None else label

    return ("; " if any(s.amount is not None for s in shares) else ", ").join(one(s) for s in shares)
