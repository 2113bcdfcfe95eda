"""An ATS upload as the tables it holds. One upload may be a CSV or an XLSX with one table, an XLSX with one table
per sheet, or a ZIP of such files: a 141-desa snapshot (the kecamatan table and 18 desa tables) is then one
import. Several files chosen together are bundled into one ZIP first (`bundle`), so that what is kept with the
snapshot is one file whatever the upload was."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from coordinator.ats.parse import Issue
from coordinator.core.errors import N_
from coordinator.core.table_files import FileRefused, NotACount, is_xlsx, sheet_names

MAX_TABLES = 60  # a snapshot is at most the kecamatan table and one desa table per kecamatan
MAX_UNZIPPED = 60 * 1024 * 1024  # what a ZIP may hold once unpacked
TABLE_SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class Table:
    label: str  # what messages call it: the file, or "file.xlsx › sheet"
    file_name: str
    data: bytes
    sheet_index: int = 0
    one_of_sheets: bool = False  # a sheet of a workbook with several: one without an ATS table is passed over


def is_zip_archive(data: bytes, file_name: str) -> bool:
    """A ZIP of tables (an XLSX is a ZIP too, but one with a workbook inside)."""
    if file_name.lower().endswith(".zip"):
        return True
    if not data.startswith(b"PK\x03\x04") or file_name.lower().endswith(".xlsx"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" not in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def bundle(files: list[tuple[str, bytes]]) -> bytes:
    """Several files as one ZIP (names made unique), in the order given."""
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            base = PurePosixPath(name.replace("\\", "/")).name or "tabel"
            unique, n = base, 1
            while unique.lower() in used:
                n += 1
                stem, dot, suffix = base.rpartition(".")
                unique = f"{stem or base} ({n}){dot}{suffix}" if dot else f"{base} ({n})"
            used.add(unique.lower())
            archive.writestr(unique, data)
    return out.getvalue()


def _sheets(name: str, data: bytes, issues: list[Issue]) -> list[Table]:
    if not is_xlsx(data, name):
        return [Table(name, name, data)]
    try:
        names = sheet_names(data)
    except FileRefused as err:
        issues.append(Issue(None, err.message, err.params, name))
        return []
    except NotACount:
        return [Table(name, name, data)]  # the parser says it cannot read it, with the usual message
    if len(names) <= 1:
        return [Table(name, name, data)]
    return [Table(f"{name} › {sheet}", name, data, i, one_of_sheets=True) for i, sheet in enumerate(names)]


def tables_of(data: bytes, file_name: str) -> tuple[list[Table], list[Issue]]:
    """The tables of an upload, and what makes it unusable as a whole (then nothing is imported)."""
    issues: list[Issue] = []
    if not is_zip_archive(data, file_name):
        tables = _sheets(file_name, data, issues)
    else:
        tables = []
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()
                           and not any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(m.filename).parts)]
                if sum(m.file_size for m in members) > MAX_UNZIPPED:
                    return [], [Issue(None, N_("Berkas ZIP terlalu besar setelah dibuka (lebih dari %(mb)s MB)."),
                                      {"mb": MAX_UNZIPPED // (1024 * 1024)})]
                for m in sorted(members, key=lambda m: m.filename.lower()):
                    name = PurePosixPath(m.filename).name
                    if not name.lower().endswith(TABLE_SUFFIXES):
                        issues.append(Issue(None, N_("%(name)s di dalam ZIP bukan berkas XLSX atau CSV."),
                                            {"name": m.filename}))
                        continue
                    content = archive.read(m)
                    if len(content) != m.file_size:  # a header that lies about the size
                        raise zipfile.BadZipFile("size mismatch")
                    tables += _sheets(name, content, issues)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, RuntimeError, EOFError):
            return [], [Issue(None, N_("Berkas ZIP rusak atau tidak dapat dibuka."))]
        if not tables and not issues:
            issues.append(Issue(None, N_("Berkas ZIP tidak berisi berkas XLSX atau CSV.")))
    if len(tables) > MAX_TABLES:
        issues.append(Issue(None, N_("Satu unggahan paling banyak %(max)s tabel; berkas ini berisi %(n)s."),
                            {"max": MAX_TABLES, "n": len(tables)}))
    return tables, issues
