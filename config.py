"""Configuration read from the environment.

Development falls back to an SQLite file and a generated secret key under
instance/; production refuses to start without SECRET_KEY and DATABASE_URL.
"""
from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("COORDINATOR_INSTANCE", BASE_DIR / "instance"))


def _dev_secret_key() -> str:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _dev_child_data_key() -> str:
    """A Fernet key for children's NIK, generated once into instance/ for development."""
    import base64

    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "child_data_key"
    if not key_file.exists():
        key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _dev_backup_key() -> str:
    """The key that signs backups (coordinator/backup/signing.py), generated once into instance/ for development."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "backup_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the dialect "postgres", SQLAlchemy wants "postgresql".
        return url.replace("postgres://", "postgresql://", 1)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'coordinator.db'}"


class Config:
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Makassar"
    LANGUAGES = ("id", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch must still submit
    # Several evidence files of 10 MB each may come in one progress update.
    MAX_CONTENT_LENGTH = 110 * 1024 * 1024  # ten evidence files of 10 MB and the form around them
    MAX_FORM_MEMORY_SIZE = 500_000  # one text field; the 413 page says so (Flask's default, stated here)
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    PAGE_SIZE = 25
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_MINUTES = 15
    # Account security (README "Keamanan akun"). Limits are fixed windows counted in the database, so they
    # hold across gunicorn workers; 0 turns a limit off. Each can be set in the environment.
    LOGIN_IP_LIMIT = 60  # login form posts per address per LOGIN_IP_WINDOW_MINUTES (an office shares one NAT)
    LOGIN_IP_WINDOW_MINUTES = 5
    PASSWORD_RESET_TOKEN_MINUTES = 60  # how long an emailed reset link works
    PASSWORD_RESET_EMAIL_LIMIT = 5  # reset requests per email address per hour
    PASSWORD_RESET_IP_LIMIT = 20  # reset requests per client address per hour
    PASSWORD_RESET_FORM_IP_LIMIT = 20  # new-password form posts per client address per hour
    API_RATE_LIMIT_PER_MINUTE = 600  # /api/v1 requests per token per minute
    LOGIN_HISTORY_DAYS = 365  # sign-in attempts (address, browser) kept this long; the daily run deletes older ones
    # Sessions (coordinator/accounts/sessions.py): signed out after this many minutes without a request, sooner for
    # the roles that can open children's records; always this many hours after signing in; "remember me" (never
    # for the roles with children's data) keeps a session this many days.
    SESSION_IDLE_MINUTES = 8 * 60
    SESSION_IDLE_MINUTES_CHILD_DATA = 30
    SESSION_ABSOLUTE_HOURS = 12
    REMEMBER_ME_DAYS = 30
    # Rendered content of the monitor, action list and ATS pages kept per process, keyed by the data revision
    # (coordinator/web/page_cache.py); the budget is per gunicorn worker.
    PAGE_CACHE = True
    PAGE_CACHE_BYTES = 32 * 1024 * 1024
    ATS_AGE_MIN = 7
    ATS_AGE_MAX = 18
    # A child's full NIK, birth date and mother's name are opened one child at a time, with a reason; more than
    # this many in an hour by one user is refused and the admins are alerted (coordinator/verval/disclosure.py).
    CHILD_REVEALS_PER_HOUR = 30
    # /publik: the plan's aggregates for everyone, without login (coordinator/public/); off, the page is a 404.
    PUBLIC_PAGE = False
    # Progress reports go to the coordinator's review before they count (coordinator/review/); off, a report counts
    # when posted. With REVIEW_BY_LEAD_AGENCY the lead agency's focal points also review their supporting agencies'.
    PROGRESS_REVIEW = True
    REVIEW_BY_LEAD_AGENCY = False
    # WhatsApp Business Platform Cloud API (coordinator/notifications/whatsapp.py): off until the URL (with its
    # version, e.g. https://graph.facebook.com/v21.0), token and phone number id are set. WHATSAPP_APP_SECRET checks
    # the signature of the delivery-status webhook, WHATSAPP_VERIFY_TOKEN answers its subscription check.
    # WHATSAPP_TEMPLATES (JSON) names the approved template per message kind and language.
    # A verifier's offline package (coordinator/verval/offline.py) can be opened this many days after download.
    VERVAL_OFFLINE_DAYS = 7
    WHATSAPP_API_URL = ""
    WHATSAPP_TOKEN = ""
    WHATSAPP_PHONE_NUMBER_ID = ""
    WHATSAPP_APP_SECRET = ""
    WHATSAPP_VERIFY_TOKEN = ""
    WHATSAPP_TIMEOUT = 15.0
    WHATSAPP_TEMPLATES: dict = {"digest": {"id": "sitisek_pengingat_harian", "en": "sitisek_daily_reminders"}}

    @property
    def PERMANENT_SESSION_LIFETIME(self) -> timedelta:  # a remembered session's cookie lives as long as it may
        return timedelta(days=self.REMEMBER_ME_DAYS)

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
        # Encrypts children's NIK and keys its lookup hash; losing it makes stored NIKs unreadable.
        self.CHILD_DATA_KEY = os.environ.get("CHILD_DATA_KEY") or _dev_child_data_key()
        # Signs every backup's manifest; a restore refuses an archive it did not sign (unless --unsigned).
        self.BACKUP_KEY: str | None = os.environ.get("BACKUP_KEY") or _dev_backup_key()
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
        # Shared by the workers of one server (web/page_cache.py); rebuilt from the database whenever it is missing.
        self.PAGE_CACHE_DIR = os.environ.get("PAGE_CACHE_DIR") or str(INSTANCE_DIR / "page-cache")
        # Number of reverse proxies in front (nginx: 1); 0 trusts no X-Forwarded-* header.
        self.PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0") or 0)


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    # Hashing strength is irrelevant to the tests and scrypt costs ~0.1 s a login.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # FIXED_NOW keeps a whole test in one window: generous, so only the tests of the limits (which set them
    # low) trip them.
    LOGIN_IP_LIMIT = 10_000
    API_RATE_LIMIT_PER_MINUTE = 100_000

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        self.SECRET_KEY = "test-secret"
        self.CHILD_DATA_KEY = "dGVzdC1rZXktZm9yLWNoaWxkcmVucy1kYXRhLTMyYiE="  # 32 bytes, tests only
        self.BACKUP_KEY = "test-backup-key-for-signing-manifests-only"  # tests only
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "test-uploads"))
        self.PAGE_CACHE_DIR = None  # one process: the in-memory level only (tests/web/test_page_cache.py covers both)


class ProductionConfig(Config):
    # __Host-: the browser takes the cookie only over HTTPS, from this host, for the whole site (Secure, Path=/,
    # no Domain), so neither a sibling subdomain nor plain HTTP can set or overwrite it.
    SESSION_COOKIE_NAME = "__Host-sitisek"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = 365 * 24 * 3600  # served only over TLS (deploy/nginx-sitisek.conf)

    def __init__(self) -> None:
        url = os.environ.get("DATABASE_URL")
        key = os.environ.get("SECRET_KEY")
        child_key = os.environ.get("CHILD_DATA_KEY")
        if not url or not key or not child_key:
            raise RuntimeError("Production mode needs DATABASE_URL, SECRET_KEY and CHILD_DATA_KEY in the environment.")
        self.CHILD_DATA_KEY = child_key
        # Not needed to serve pages, so not required to start: `backup` refuses to run without it.
        self.BACKUP_KEY = os.environ.get("BACKUP_KEY") or None
        self.SQLALCHEMY_DATABASE_URI = url.replace("postgres://", "postgresql://", 1)
        self.SECRET_KEY = key
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
        # Shared by the workers of one server (web/page_cache.py); rebuilt from the database whenever it is missing.
        self.PAGE_CACHE_DIR = os.environ.get("PAGE_CACHE_DIR") or str(INSTANCE_DIR / "page-cache")
        self.PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "1") or 0)


MAIL_SETTINGS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_USE_SSL",
                 "MAIL_DEFAULT_SENDER", "MAIL_TIMEOUT", "BASE_URL")


def _mail_from_env(cfg: Config) -> None:
    # SMTP and the public address used in email links come from the environment on a server.
    for name in MAIL_SETTINGS:
        if os.environ.get(name):
            setattr(cfg, name, os.environ[name])


LIMIT_SETTINGS = ("LOGIN_IP_LIMIT", "LOGIN_IP_WINDOW_MINUTES", "PASSWORD_RESET_TOKEN_MINUTES",
                  "PASSWORD_RESET_EMAIL_LIMIT", "PASSWORD_RESET_IP_LIMIT", "PASSWORD_RESET_FORM_IP_LIMIT",
                  "API_RATE_LIMIT_PER_MINUTE", "LOGIN_HISTORY_DAYS", "CHILD_REVEALS_PER_HOUR",
                  "SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES_CHILD_DATA", "SESSION_ABSOLUTE_HOURS",
                  "REMEMBER_ME_DAYS", "VERVAL_OFFLINE_DAYS")


def _limits_from_env(cfg: Config) -> None:
    for name in LIMIT_SETTINGS:
        value = os.environ.get(name, "").strip()
        if value:
            setattr(cfg, name, int(value))


SWITCH_SETTINGS = ("PUBLIC_PAGE", "PROGRESS_REVIEW", "REVIEW_BY_LEAD_AGENCY")
TRUE_WORDS = ("1", "true", "yes", "on")


def _switches_from_env(cfg: Config) -> None:
    # PUBLIC_PAGE=1 (or true, yes, on) turns a switch on; any other value set (0, off) turns it off.
    for name in SWITCH_SETTINGS:
        value = os.environ.get(name, "").strip().lower()
        if value:
            setattr(cfg, name, value in TRUE_WORDS)


WHATSAPP_SETTINGS = ("WHATSAPP_API_URL", "WHATSAPP_TOKEN", "WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_APP_SECRET",
                     "WHATSAPP_VERIFY_TOKEN")


def _whatsapp_from_env(cfg: Config) -> None:
    for name in WHATSAPP_SETTINGS:
        if os.environ.get(name):
            setattr(cfg, name, os.environ[name].strip())
    if os.environ.get("WHATSAPP_TIMEOUT"):
        try:
            cfg.WHATSAPP_TIMEOUT = float(os.environ["WHATSAPP_TIMEOUT"])
        except ValueError:
            raise RuntimeError("WHATSAPP_TIMEOUT must be a number of seconds, e.g. 15") from None
    if os.environ.get("WHATSAPP_TEMPLATES"):  # e.g. {"digest": {"id": "pengingat_harian", "en": "daily_reminders"}}
        cfg.WHATSAPP_TEMPLATES = _templates(os.environ["WHATSAPP_TEMPLATES"])


def _templates(text: str) -> dict:
    """Refused at start with a clear message, rather than failing the morning's reminder run."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
            isinstance(names, dict) and all(isinstance(k, str) and isinstance(v, str) and v for k, v in names.items())
            for names in value.values()):
        raise RuntimeError('WHATSAPP_TEMPLATES must be JSON like {"digest": {"id": "name_id", "en": "name_en"}}')
    return value


def config_from_env() -> Config:
    mode = os.environ.get("COORDINATOR_ENV", "development").lower()
    cfg = ProductionConfig() if mode == "production" else Config()
    _mail_from_env(cfg)
    _whatsapp_from_env(cfg)
    _limits_from_env(cfg)
    _switches_from_env(cfg)
    return cfg
