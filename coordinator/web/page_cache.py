"""Rendered page content kept per process until the data changes.

The deadline monitor, the action list, the action page and the ATS pages show the same content to everyone of a
role (and, for focal points, of an agency), and most requests for them find the data unchanged since the last
one: their content (the page without the layout around it, which names the user) is kept per process, keyed by
the data revision (core/revision.py), the template, the path with its query, the language, what of the
reader the content depends on (by default the role and a focal point's agency), and today's date in WITA
(statuses and days left change at midnight). Forms in kept content get the reader's own CSRF token. Any committed
change to the data, from any process, replaces the revision, so nothing stale is ever shown; a request that has
changed something itself and not committed it yet neither reads nor fills the cache. Measured under load in bench/load.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from coordinator.core import permissions, revision
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.formatting import current_locale
from coordinator.extensions import db

# Kept content holds its forms' CSRF fields empty; each reader's own token is put back on the way out. Only in
# markup can `<input` stand: text people typed is escaped (`<` and quotes alike, in templates and charts).
_CSRF_VALUE = re.compile(r'(<input\b[^<>]*?\sname="csrf_token"[^<>]*?\svalue=")([^"<>]*)(")')


class ContentCache:
    """A least-recently-used store of rendered HTML, bounded by its size in bytes; safe across threads.

    With a folder, content is also written there, one file per key under a directory of the data revision, so the
    other gunicorn workers find what one of them built; a new revision removes the older directories."""

    def __init__(self, budget: int, folder: Path | None = None, max_files: int = 5000) -> None:
        self.budget = budget
        self.folder = folder
        self.max_files = max_files  # per revision: arbitrary query strings must not fill the disk
        self.hits = self.misses = 0
        self._items: OrderedDict[tuple[Any, ...], str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._disk_token: str | None = None
        self._disk_files = 0
        self._retired: deque[str] = deque(maxlen=64)  # revisions this process saw replaced

    def get(self, key: tuple[Any, ...], token: str) -> str | None:
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return html
        html = self._read(key, token)
        with self._lock:
            if html is None:
                self.misses += 1
                return None
            self.hits += 1
        self._keep(key, html)
        return html

    def put(self, key: tuple[Any, ...], html: str, token: str) -> None:
        if len(html) > self.budget // 8:  # one huge page (a "show all" list) must not push out everything else
            return
        self._keep(key, html)
        self._write(key, html, token)

    def _keep(self, key: tuple[Any, ...], html: str) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._items[key] = html
            self._bytes += len(html)
            while self._bytes > self.budget:
                _key, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def _path(self, key: tuple[Any, ...], token: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / token / hashlib.sha256(repr(key).encode()).hexdigest()

    def _read(self, key: tuple[Any, ...], token: str) -> str | None:
        path = self._path(key, token)
        try:
            return path.read_text(encoding="utf-8") if path is not None else None
        except OSError:  # not there (yet), or the folder went: build it
            return None

    def _write(self, key: tuple[Any, ...], html: str, token: str) -> None:
        path = self._path(key, token)
        if path is None or self.folder is None:
            return
        older: list[Path] = []
        with self._lock:
            if token in self._retired:
                return  # a slow request that read the data before a change: kept in memory only
            if token != self._disk_token:
                if self._disk_token is not None:
                    self._retired.append(self._disk_token)
                self._disk_token, self._disk_files = token, _files_in(path.parent)
                older = [p for p in self.folder.glob("*") if p.name != token]
            elif self._disk_files % 256 == 0:
                self._disk_files = _files_in(path.parent)  # what the other workers wrote counts too
            full = self._disk_files >= self.max_files
            self._disk_files += 0 if full else 1
        for folder in older:  # outside the lock: readers need it, and thousands of files take a while
            shutil.rmtree(folder, ignore_errors=True)
        if full:
            return
        tmp = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # created 0600: only the service reads it
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(html)
            os.replace(tmp, path)  # readers see the whole file or none
        except OSError:
            if tmp is not None:  # a full disk must not keep the half-written file
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self._disk_token, self._disk_files = None, 0
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __len__(self) -> int:
        return len(self._items)


def _files_in(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(1 for _ in entries)
    except OSError:
        return 0


@lru_cache(maxsize=1)
def code_version() -> str:
    """Names, sizes and times of the code, templates, catalogues, config and migrations: an upgrade (new templates,
    or a migration that changes data, same revision token) must not be answered from the folder the previous
    release filled. create_app asks first, so gunicorn's master reads the files it loaded and a worker it forks
    after the files were replaced still files its pages under the code it runs."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # coordinator/
    root = package.parent
    files = [*package.rglob("*"), *(root / "migrations").rglob("*.py"), root / "config.py"]
    for path in sorted(files):
        if path.suffix in (".py", ".html", ".mo", ".txt") and path.is_file():
            info = path.stat()
            digest.update(f"{path.relative_to(root)}|{info.st_size}|{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def content_cache() -> ContentCache:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cache = app.extensions.get("page_cache")
    if cache is None:
        folder = app.config.get("PAGE_CACHE_DIR")
        cache = app.extensions.setdefault("page_cache", ContentCache(
            int(app.config.get("PAGE_CACHE_BYTES", 0)), Path(folder) if folder else None))
    return cache


def by_role() -> Hashable:
    """permissions.py decides by role and, for focal points only, by their agency: that is all a reader's key holds."""
    return (current_user.role, current_user.agency_id if current_user.is_focal else None)


def by_action_access() -> Hashable:
    """For content whose only difference between readers is which actions they may open (a link or plain text):
    everyone who sees every action reads the same."""
    return "every action" if permissions.sees_everything(current_user) else by_role()


def everyone() -> Hashable:
    """For content that is the same whoever may open the page (checked before, by the route)."""
    return None


def cached_content(template: str, build: Callable[[], dict[str, Any]],
                   reader: Callable[[], Hashable] = by_role, now: datetime | None = None) -> Markup:
    """`template` rendered with what `build()` returns, or the same HTML as rendered for an earlier request with
    the same key. `build` runs only on a miss, so the page's queries go with it. `reader` says what of the reader
    the content depends on; the narrower, the more readers share one rendering. `now`: the moment `build` works
    from, when it was taken before (a request across midnight must not keep yesterday's statuses as today's)."""
    session = db.session
    token = revision.token_for_reading(session) if current_app.config.get("PAGE_CACHE") else None
    if token is None:
        return _rendered(render_template(template, **build()))
    key = (template, token, request.full_path, current_locale(), reader(), wita_today(now or utcnow()).isoformat())
    cache = content_cache()
    generation = f"{token}-{code_version()}"
    csrf = generate_csrf()  # the reader's own; the same for every form of this request
    kept = cache.get(key, generation)
    if kept is None:
        html = render_template(template, **build())
        if not revision.has_unsaved_changes(session):
            blank = _CSRF_VALUE.sub(r"\1\3", html)
            if csrf not in blank:  # the builder's token elsewhere (typed into a text, say) is never handed on
                cache.put(key, blank, generation)
        return _rendered(html)
    return _rendered(_CSRF_VALUE.sub(lambda m: m.group(1) + csrf + m.group(3), kept))


def _rendered(html: str) -> Markup:
    # Output of an autoescaping Jinja template: every value in it was escaped when it was rendered.
    return Markup(html)  # noqa: S704  # nosec B704
