"""The layout rules of docs/development.md, checked on the source: one package per capability, no package or
module that grew into a junk drawer, no import cycles, domain modules that neither read the request nor commit,
and no capability that reaches into another's views."""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coordinator"
MAX_MODULES = 20  # per package, __init__.py not counted: more means two capabilities live in it
MAX_LINES = 410  # "about 400": a longer module is split by meaning
# The web side of each capability: they may read the request and commit (one commit per request or command).
VIEW_MODULE = re.compile(r"(^|_)(routes|forms)$|^(blueprint|cli)$")
VIEW_PACKAGES = {"web"}  # what every blueprint uses
VIEW_EXTRAS = {
    "coordinator", "coordinator.cli",  # the factory and the list of commands
    "coordinator.api.auth", "coordinator.api.errors", "coordinator.api.openapi",  # the API's request handling
    "coordinator.accounts.limits",  # a view's rate limit, counted in a short transaction of its own
    "coordinator.reminders.scheduler", "coordinator.reports.jobs",  # the scheduler process and its jobs
}
# Domain modules that commit on purpose, and why.
COMMITTING_DOMAIN = {
    "coordinator.notifications.outbox": "claims each message and commits before SMTP talks: exactly once",
    "coordinator.backup.operations": "backs up and restores through connections of its own, not the session",
}
REQUEST_NAMES = {("flask", "request"), ("flask", "session"), ("flask_login", "current_user")}


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    imports: set[str] = field(default_factory=set)

    @property
    def package(self) -> str:
        return self.name if self.path.name == "__init__.py" else self.name.rsplit(".", 1)[0]

    @property
    def capability(self) -> str | None:
        parts = self.name.split(".")
        return parts[1] if len(parts) > 2 or self.path.name == "__init__.py" and len(parts) == 2 else None

    @property
    def is_view(self) -> bool:
        leaf = self.name.rsplit(".", 1)[-1]
        return bool(VIEW_MODULE.search(leaf)) or self.capability in VIEW_PACKAGES or self.name in VIEW_EXTRAS

    @property
    def is_domain(self) -> bool:
        return not self.is_view and self.capability not in (None, "models") and self.path.name != "__init__.py"


@cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8")))
    for m in found.values():
        for node in ast.walk(m.tree):  # every import: module level, in functions, under TYPE_CHECKING
            if isinstance(node, ast.ImportFrom) and node.module:
                candidates = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [a.name for a in node.names]
            else:
                continue
            m.imports |= {c for c in candidates if c in found and c != m.name}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert _cycles({name: m.imports for name, m in modules().items()}) == []


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_package_holds_two_capabilities():
    counts: dict[Path, int] = defaultdict(int)
    for m in modules().values():
        if m.path.name != "__init__.py":
            counts[m.path.parent.relative_to(ROOT)] += 1
    assert {str(p): n for p, n in counts.items() if n > MAX_MODULES} == {}


def test_no_module_grows_into_a_junk_drawer():
    lengths = {str(m.path.relative_to(ROOT)): len(m.path.read_text(encoding="utf-8").splitlines())
               for m in modules().values()}
    assert {p: n for p, n in lengths.items() if n > MAX_LINES} == {}


def test_no_capability_module_is_left_at_the_top():
    """Everything but the factory, the extensions and the list of commands lives in a package of its own."""
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top == {"__init__.py", "extensions.py", "cli.py"}


def test_domain_modules_never_read_the_request():
    offenders = []
    for m in modules().values():
        if not m.is_domain:
            continue
        for node in ast.walk(m.tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                offenders += [f"{m.name}: {node.module}.{a.name}" for a in node.names
                              if (node.module, a.name) in REQUEST_NAMES]
    assert offenders == []


def test_domain_modules_flush_but_never_commit():
    offenders = []
    for m in modules().values():
        if not m.is_domain or m.name in COMMITTING_DOMAIN:
            continue
        for node in ast.walk(m.tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                receiver = ast.unparse(node.func.value)
                if receiver.endswith("session"):  # a savepoint's commit (nested.commit()) is the caller's business
                    offenders.append(f"{m.name}:{node.lineno} {receiver}.commit()")
    assert offenders == []


def test_a_capability_uses_others_domain_never_their_views():
    offenders = []
    for m in modules().values():
        if m.name in ("coordinator", "coordinator.cli"):
            continue  # the factory registers every blueprint and command
        for target in m.imports:
            t = modules()[target]
            views = VIEW_MODULE.search(t.name.rsplit(".", 1)[-1])
            if views and t.capability not in (m.capability, "web"):
                offenders.append(f"{m.name} -> {t.name}")
    assert offenders == []


def test_the_rules_see_the_modules_they_are_about():
    """The classification above still matches the tree: a rename must not silently exempt a module."""
    names = modules()
    assert names["coordinator.ats.parse"].is_domain and names["coordinator.reports.facts"].is_domain
    assert names["coordinator.ats.routes"].is_view and names["coordinator.verval.admin_routes"].is_view
    assert not names["coordinator.models.action"].is_domain and not names["coordinator.web.routing"].is_domain
    for name in (*VIEW_EXTRAS, *COMMITTING_DOMAIN):
        assert name in names, f"{name} is named in the layout rules but does not exist"
