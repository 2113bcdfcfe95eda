"""Indonesian phone numbers as people type them (0812-3456-7890, +62 812 3456 7890, 62812…) to E.164."""
from __future__ import annotations

from datetime import datetime

import phonenumbers
from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError
from coordinator.models import User

INVALID = N_("Nomor tidak dikenali sebagai nomor ponsel Indonesia. Tulis misalnya 0812-3456-7890 atau "
             "+62 812 3456 7890.")


def normalise_phone(text: str | None) -> str | None:
    """E.164 (+6281234567890) of an Indonesian mobile number; None for an empty box; DomainError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 30:
        raise DomainError(INVALID, "phone")
    if text.startswith("62"):
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        raise DomainError(INVALID, "phone") from None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number) or \
            phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise DomainError(INVALID, "phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def shown(e164: str | None) -> str:
    """+6281234567890 as +62 812-3456-7890, the way the number is read back to its owner."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def set_whatsapp_choice(session: Session, user: User, phone_text: str | None, opt_in: bool, now: datetime) -> None:
    """The user's WhatsApp number and consent. Opting in is recorded with its moment (and, as every change to a
    user, in the change history); a new number clears an earlier delivery failure. Flushes."""
    phone = normalise_phone(phone_text)
    if opt_in and phone is None:
        raise DomainError(N_("Isi nomor WhatsApp untuk menerima notifikasi lewat WhatsApp."), "phone")
    if phone != user.phone:
        user.phone, user.whatsapp_failed_at, user.whatsapp_failed_reason = phone, None, None
        if opt_in:  # consent is given for a number: a new number, a new moment
            user.whatsapp_opt_in_at = now
    if opt_in and user.whatsapp_opt_in_at is None:
        user.whatsapp_opt_in_at = now
    elif not opt_in:
        user.whatsapp_opt_in_at = None
    session.flush()
