"""The funding sources of an imported RAD matrix (part of importing's run): each action's sources with their amounts
(plan/funding.py), from the Sumber dana cell and from columns of amounts per source; a name the list does not know
is offered for mapping to a source (remembered as its alias) or for adding to the list (funding_map: plain_key of
the name -> a source's code or "new")."""
from __future__ import annotations

from coordinator.admin.directory import save_reference_item
from coordinator.core.errors import N_, DomainError
from coordinator.core.names import plain_key
from coordinator.models import LIST_FUNDING_SOURCE, ReferenceItem
from coordinator.plan.funding import FundingShare, read_funding
from coordinator.rad_matrix.import_run import ImportRun, UnknownFunding
from coordinator.rad_matrix.layout import MatrixAction
from coordinator.rad_matrix.resolve import new_agency_code

NEW = "new"


def _column_source(run: ImportRun, name: str) -> str | None:
    return run.funding.find(name) or run.funding_mapped.get(plain_key(name))


def map_funding_names(run: ImportRun) -> None:
    """Collects the names of the Sumber dana cells that match no funding source, then applies funding_map to them.
    A column of amounts whose header names no known source ("Pagu Dana Aspirasi (Rp)") is left out with a
    warning: a header is too often a kind of budget, not a source, to be offered as a new one."""
    unknown: dict[str, UnknownFunding] = {}
    for ma in run.parsed.actions:
        if ma.funding_source and ma.funding_source.strip():
            for name in read_funding(ma.funding_source, run.funding).unknown:
                u = unknown.setdefault(plain_key(name), UnknownFunding(plain_key(name), name))
                if ma.row not in u.rows:
                    u.rows.append(ma.row)
    taken = {c.upper() for c in run.funding.labels}
    for u in unknown.values():
        target = run.funding_map.get(u.key)
        if target == NEW:
            code = new_agency_code(u.name, taken)[:40]
            taken.add(code)
            try:
                item = save_reference_item(run.s, None, LIST_FUNDING_SOURCE,
                                           {"code": code, "label_id": u.name[:120], "label_en": "", "active": True})
            except DomainError as err:
                run.error(u.rows[0], "funding", err.message, err.params)
                continue
            run.funding.add(item)
            run.p.funding_to_create.append(u.name)
            u.mapped_to = NEW
        elif target and run.funding.find(target):
            code = run.funding.find(target) or ""
            item = run.s.query(ReferenceItem).filter_by(list_name=LIST_FUNDING_SOURCE, code=code).one()
            joined = ", ".join([*(a.strip() for a in (item.aliases or "").split(",") if a.strip()), u.name])
            if len(joined) <= 400:  # remembered for the next matrix
                item.aliases = joined
                run.s.flush()
            run.funding_mapped[u.key] = code
            u.mapped_to = code
    run.p.unknown_funding = list(unknown.values())
    ignored = {name for ma in run.parsed.actions for name, _amount in ma.funding_amounts
               if _column_source(run, name) is None}
    for name in sorted(ignored):
        run.warn(None, N_("Kolom jumlah \"%(name)s\" diabaikan: %(name)s bukan sumber dana yang dikenal. Bila itu "
                          "sumber dana, tambahkan namanya sebagai nama lain sumber dana di Daftar referensi, lalu "
                          "impor lagi."), name=name)


def funding_of(run: ImportRun, ma: MatrixAction) -> list[FundingShare] | None:
    """The action's sources with their amounts; None when a name is still unknown (listed for mapping, not
    repeated as a row error) or an amount unreadable (a row error)."""
    read = read_funding(ma.funding_source, run.funding, run.funding_mapped)
    for message, params in read.errors:
        run.error(ma.row, "funding", message, params)
    shares = {s.source: s for s in read.shares}
    unknown = bool(read.unknown)
    for name, amount in ma.funding_amounts:  # a column of amounts per source ("APBD (Rp)")
        code = _column_source(run, name)
        if code is None:
            continue  # left out with a warning (map_funding_names)
        if amount is None:  # a mark: the source is used
            shares.setdefault(code, FundingShare(code))
        elif code in shares and shares[code].amount not in (None, amount):
            run.error(ma.row, "funding", N_("Jumlah %(name)s berbeda di kolom Sumber dana dan di kolom jumlahnya."),
                      name=run.funding.labels.get(code, name))
        else:
            shares[code] = FundingShare(code, amount)
    return None if unknown or read.errors else list(shares.values())
