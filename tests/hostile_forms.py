"""Helpers of the hostile-input suites (tests/test_hostile_*.py).

- `forms_of(html, url)`: every <form> of a page with its fields, their types and the values the page offers, so
  the suites walk the application's real forms instead of a hand-kept list;
- `scan(html)`: what an injected string could have turned into if escaping failed: elements with event
  handlers, inline scripts, `javascript:` URLs, `<img src=x>`; plus the decoded text of the page;
- `leaks(body, config)`: secrets that must never be in any response.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SQL = ["' OR 1=1 --", "'; DROP TABLE action; --", "1) UNION SELECT password_hash FROM user_account --"]
TEMPLATE = ["{{ 7*7 }}", "{% raw %}{{ config }}{% endraw %}", "{{ config.SECRET_KEY }}", "${7*7}", "<%= 7*7 %>"]
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]
PAYLOADS = SQL + TEMPLATE + XSS


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, email, password, hidden, number, date, month, select, checkbox, file, submit, ...
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return self.method, self.action, tuple(f.name for f in self.fields if f.name != "csrf_token")

    def editable(self) -> list[Field]:
        return [f for f in self.fields if f.kind not in ("hidden", "submit", "file")]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "option" and self._select is not None:
            if "value" in a:
                self._select.options.append(a["value"])
                if "selected" in a:
                    self._select.selected.append(a["value"])
        elif tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""), "multipart" in a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind not in ("button", "reset", "image"):
                self._form.fields.append(Field(a["name"], kind if kind != "submit" else "submit", a.get("value", ""),
                                               "checked" in a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field(a["name"], "submit", a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select", multiple="multiple" in a)
            self._form.fields.append(self._select)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def local(url: str, base: str = "/") -> str:
    parts = urlsplit(urljoin(base, url))
    return parts._replace(scheme="", netloc="", fragment="").geturl()


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = local(unescape(form.action) or page_url, page_url)
    return parser.forms


class _Scan(HTMLParser):
    URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._script = True
            if not dict(attrs).get("src"):
                self.dangers.append("inline <script>")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.dangers.append("injected <img src=x>")
        for name, value in attrs:
            value = value or ""
            self.text.append(value)
            if name.startswith("on"):
                self.dangers.append(f"{name}= on <{tag}>")
            if name in self.URL_ATTRS and "".join(value.split()).lower().startswith(("javascript:", "vbscript:")):
                self.dangers.append(f"{name}={value!r} on <{tag}>")
            if tag == "a" and name == "href":
                self.links.append(value)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and data.strip():
            self.dangers.append(f"script content {data[:40]!r}")
        self.text.append(data)


@dataclass
class Scan:
    dangers: list[str]
    text: str  # decoded text and attribute values, joined by newlines
    links: list[str]


def scan(html: str) -> Scan:
    parser = _Scan()
    parser.feed(html)
    parser.close()
    return Scan(parser.dangers, "\n".join(parser.text), parser.links)


def leaks(body: str, config) -> list[str]:
    """Secrets of the server found in a response body."""
    found = []
    for name in ("SECRET_KEY", "CHILD_DATA_KEY", "BACKUP_KEY"):
        if config.get(name) and str(config[name]) in body:
            found.append(name)
    for marker in ("pbkdf2:sha256:", "scrypt:", "<Config ", "SQLALCHEMY_DATABASE_URI", "Traceback (most recent"):
        if marker in body:
            found.append(marker)
    return found
