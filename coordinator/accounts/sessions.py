"""How long a signed-in session lasts.

The signed session cookie carries when its owner signed in and when they were last seen (SIGNED_IN_AT,
SEEN_AT: seconds since 1970, UTC), and whether they asked to be remembered. SECRET_KEY signs them, so a client
can neither move them nor make them up. A session ends

- after `idle_minutes_child_data` (SESSION_IDLE_MINUTES_CHILD_DATA, 30) minutes without a request for the roles
  that can open children's records (core/permissions.sees_children_data), `idle_minutes`
  (SESSION_IDLE_MINUTES, 480) for the others;
- `absolute_hours` (SESSION_ABSOLUTE_HOURS, 12) after signing in, however busy;
- if remembered ("Ingat saya", never for the roles with children's data): `remember_days` (REMEMBER_ME_DAYS, 30)
  after signing in, without an idle limit;
- and a session without these stamps (signed in before they existed, or by the old "remember me" cookie)
  has ended.

SEEN_AT is written again only once it is TOUCH_EVERY old, so most answers do not set the cookie again: the
idle time is measured to within that. Plain values in and out; the view keeps them in flask.session
(accounts/routes.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

SIGNED_IN_AT, SEEN_AT, REMEMBERED = "signed_in_at", "seen_at", "remembered"
KEYS = (SIGNED_IN_AT, SEEN_AT, REMEMBERED)
TOUCH_EVERY = timedelta(seconds=60)

# Why a session ended
IDLE, ABSOLUTE, UNSTAMPED = "idle", "absolute", "unstamped"


@dataclass(frozen=True)
class Limits:
    idle_minutes: int = 480
    idle_minutes_child_data: int = 30
    absolute_hours: int = 12
    remember_days: int = 30

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(idle_minutes=int(config.get("SESSION_IDLE_MINUTES", cls.idle_minutes)),
                   idle_minutes_child_data=int(config.get("SESSION_IDLE_MINUTES_CHILD_DATA",
                                                          cls.idle_minutes_child_data)),
                   absolute_hours=int(config.get("SESSION_ABSOLUTE_HOURS", cls.absolute_hours)),
                   remember_days=int(config.get("REMEMBER_ME_DAYS", cls.remember_days)))

    def idle(self, child_data: bool) -> timedelta:
        return timedelta(minutes=self.idle_minutes_child_data if child_data else self.idle_minutes)

    def absolute(self, remembered: bool) -> timedelta:
        return timedelta(days=self.remember_days) if remembered else timedelta(hours=self.absolute_hours)


def _seconds(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp())


def _moment(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)


def may_remember(child_data: bool) -> bool:
    """"Remember me" is never honoured for a role that can open children's records."""
    return not child_data


def start(now: datetime, remembered: bool) -> dict[str, Any]:
    """The stamps of a session that begins now."""
    return {SIGNED_IN_AT: _seconds(now), SEEN_AT: _seconds(now), REMEMBERED: bool(remembered)}


def ended(stamps: Mapping[str, Any], now: datetime, *, child_data: bool, limits: Limits) -> str | None:
    """None while the session lasts; else why it ended (IDLE, ABSOLUTE or UNSTAMPED)."""
    signed_in, seen = _moment(stamps.get(SIGNED_IN_AT)), _moment(stamps.get(SEEN_AT))
    if signed_in is None or seen is None:
        return UNSTAMPED
    remembered = bool(stamps.get(REMEMBERED)) and may_remember(child_data)
    if now - signed_in >= limits.absolute(remembered):
        return ABSOLUTE
    if not remembered and now - seen >= limits.idle(child_data):
        return IDLE
    return None


def limit_minutes(verdict: str, stamps: Mapping[str, Any], *, child_data: bool, limits: Limits) -> int:
    """The limit that ended the session, in minutes, for telling the user."""
    if verdict == IDLE:
        return int(limits.idle(child_data).total_seconds() // 60)
    remembered = bool(stamps.get(REMEMBERED)) and may_remember(child_data)
    return int(limits.absolute(remembered).total_seconds() // 60)


def touched(stamps: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
    """The new SEEN_AT once the old one is TOUCH_EVERY old, else None (nothing to write)."""
    seen = _moment(stamps.get(SEEN_AT))
    if seen is not None and now - seen < TOUCH_EVERY:
        return None
    return {SEEN_AT: _seconds(now)}
