"""The password rules, in one place: every form, command and service that sets a password calls `check`.

A new password must
- have at least MIN_LENGTH (12) and at most MAX_LENGTH (200) characters;
- not contain the owner's name, the name part of their email address (budi.santoso in
  budi.santoso@kutimkab.go.id) or any word of either longer than 3 letters (budi, santoso);
- not be common or guessable: zxcvbn (Dropbox's estimator, `zxcvbn` on PyPI) must reckon it needs at least
  10^8 guesses (its score 3 of 4). Besides its own lists (the 30.000 most common passwords of leaked sets,
  English words, names, keyboard rows, sequences, repeats, dates) it is given LOCAL_WORDS, the words an attacker
  would try first against this application in Kutai Timur, and the owner's email and name.

Also here: the dummy check that makes a sign-in for an unknown or inactive account cost as much as one for a
known account (`check_nothing`), so the time of the answer does not tell which addresses have accounts.
"""
from __future__ import annotations

import re
from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from coordinator.core.errors import N_, DomainError

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_SCORE = 3  # zxcvbn: "safely unguessable", at least 10^8 guesses
ESTIMATOR_MAX = 72  # zxcvbn refuses longer input; the first 72 characters are judged (a lower bound)
PART_MIN = 4  # a word of the name or of the email's name part is refused from this many letters on

# Guessed first against SITISEK in Kutai Timur: the place, the application, the offices, and the Indonesian
# words people put into passwords (zxcvbn's lists are mostly English).
LOCAL_WORDS = (
    "sitisek", "kutim", "kutai", "timur", "kutaitimur", "kutimkab", "sangatta", "kaltim", "kalimantan",
    "disdikbud", "pemkab", "kabupaten", "sekolah", "katasandi", "sandi", "rahasia", "indonesia", "bismillah",
    "sayang", "cinta", "merdeka", "admin", "password",
)

# Shown under every field where a password is set (the forms' `description`).
RULES_HINT = N_("Minimal 12 karakter. Jangan memakai kata sandi yang umum atau mudah ditebak (deret angka, "
                "urutan tombol, tanggal, nama daerah), dan jangan memuat nama pemilik akun atau nama di alamat "
                "emailnya. Mudah diingat dan sulit ditebak: tiga atau empat kata acak, mis. "
                "jeruk-perahu-lampu-kering.")

TOO_SHORT = N_("Kata sandi minimal 12 karakter.")
TOO_LONG = N_("Kata sandi paling banyak 200 karakter.")
HAS_NAME = N_("Kata sandi tidak boleh memuat nama pemilik akun atau nama di alamat emailnya (\"%(part)s\").")
COMMON = N_("Kata sandi ini termasuk, atau dibangun dari, kata sandi yang paling sering dipakai orang. "
            "Pilih yang lain.")
LOCAL = N_("Kata sandi ini dibangun dari kata yang mudah ditebak di sini (nama daerah, SITISEK, \"sandi\", "
           "\"rahasia\", nama pemilik akun dan sejenisnya). Pilih yang lain.")
PATTERN = N_("Kata sandi ini mudah ditebak: deret atau pengulangan (abcd, 1234, aaaa), urutan tombol papan ketik, "
             "atau tanggal dan tahun. Pilih yang lain.")
GUESSABLE = N_("Kata sandi ini terlalu mudah ditebak. Pilih yang lain, mis. tiga atau empat kata acak.")


def _letters(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", text.casefold())


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def personal_parts(email: str, name: str) -> list[str]:
    """What the password may not contain: the email's name part and the name, whole and word by word
    (PART_MIN letters or more), lower case, longest first."""
    local, name = (email or "").strip().partition("@")[0].casefold(), (name or "").strip().casefold()
    parts = {local, name, _squash(local), _squash(name), *_letters(local), *_letters(name)}
    return sorted((p for p in parts if len(p) >= PART_MIN), key=lambda p: (-len(p), p))


def _estimator_inputs(email: str, name: str) -> list[str]:
    domain = (email or "").partition("@")[2]
    return [*LOCAL_WORDS, *personal_parts(email, name), *(w for w in _letters(domain) if len(w) >= PART_MIN)]


def _weakness(matches: list[dict]) -> str:
    """Which rule a weak password breaks, from what zxcvbn recognised in it."""
    dictionaries = {m.get("dictionary_name") for m in matches if m.get("pattern") == "dictionary"}
    if "user_inputs" in dictionaries:  # the more telling reason when both apply (sitisek + 12345)
        return LOCAL
    if "passwords" in dictionaries:
        return COMMON
    if any(m.get("pattern") in ("sequence", "repeat", "spatial", "date", "regex") for m in matches):
        return PATTERN
    return GUESSABLE


def check(password: str, *, email: str = "", name: str = "") -> None:
    """Raises DomainError (field "password") saying which rule the password breaks; `email` and `name` are
    the account's (for a new account, the ones it is being created with)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        raise DomainError(TOO_SHORT, "password")
    if len(password) > MAX_LENGTH:
        raise DomainError(TOO_LONG, "password")
    plain, squashed = password.casefold(), _squash(password)
    for part in personal_parts(email, name):
        if part in plain or part in squashed:
            raise DomainError(HAS_NAME, "password", part=part)
    result = zxcvbn(password[:ESTIMATOR_MAX], user_inputs=_estimator_inputs(email, name))
    if result["score"] < MIN_SCORE:
        raise DomainError(_weakness(result["sequence"]), "password")


@cache
def dummy_hash(method: str) -> str:
    """Made once per process and method. Every sign-in asks for it first, account or not, so the one that makes
    it is not told apart either."""
    return generate_password_hash("no account has this password", method=method)


def check_nothing(password: str, method: str) -> bool:
    """The cost of checking a password against a hash made with `method` (the application's
    PASSWORD_HASH_METHOD), for a sign-in that has no account to check against. Always False."""
    check_password_hash(dummy_hash(method), password)
    return False
