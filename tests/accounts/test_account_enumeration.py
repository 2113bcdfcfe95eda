"""Neither the answer nor its timing tells which email addresses have accounts (issue 19, item 6).

Time itself is a poor test; what makes the time is. Signing in checks exactly one password hash whether the
address is unknown, inactive or known; asking for a reset link does the same SQL before answering for every
address (everything that depends on the account runs after the answer has gone out)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coordinator.accounts import passwords
from coordinator.extensions import db
from coordinator.models import LoginAttempt, PasswordResetToken
from coordinator.models import user as user_model
from tests.conftest import PASSWORD, login, statements_run

UNKNOWN, INACTIVE, KNOWN = "tidak.ada@example.org", "dpppa@example.org", "dinsos@example.org"


@pytest.fixture()
def hash_checks(monkeypatch):
    """Every password hash checked, by the accounts and by the dummy check of an unknown address."""
    checked: list[str] = []
    real = passwords.check_password_hash

    def counting(pwhash: str, password: str) -> bool:
        checked.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(user_model, "check_password_hash", counting)
    monkeypatch.setattr(passwords, "check_password_hash", counting)
    return checked


@pytest.fixture()
def inactive(world):
    world.other_focal.active = False
    db.session.commit()
    return world


def _answer(resp, email: str) -> str:
    """The page without the address typed into it."""
    return resp.get_data(as_text=True).replace(email, "EMAIL")


def test_sign_in_checks_one_password_hash_for_unknown_inactive_and_known_accounts(client, inactive, hash_checks,
                                                                                  app_ctx):
    pages = {}
    for email in (UNKNOWN, INACTIVE, KNOWN):
        before = len(hash_checks)
        resp = login(client, email, "kata-sandi-yang-salah")
        assert resp.status_code == 200
        assert len(hash_checks) - before == 1, email
        pages[email] = _answer(resp, email)
    assert pages[UNKNOWN] == pages[INACTIVE] == pages[KNOWN]
    assert "Email atau kata sandi salah." in pages[UNKNOWN]
    # The right password of an inactive account is refused the same way, after the same one check.
    before = len(hash_checks)
    resp = login(client, INACTIVE, PASSWORD)
    assert len(hash_checks) - before == 1 and _answer(resp, INACTIVE) == pages[UNKNOWN]
    before = len(hash_checks)
    assert login(client, KNOWN, PASSWORD).status_code == 302
    assert len(hash_checks) - before == 1
    # Every attempt is in the login history, a failure whichever way it failed.
    rows = db.session.execute(select(LoginAttempt.email, LoginAttempt.success).order_by(LoginAttempt.id)).all()
    assert [tuple(r) for r in rows] == [(UNKNOWN, False), (INACTIVE, False), (KNOWN, False), (INACTIVE, False),
                                        (KNOWN, True)]


def test_the_dummy_check_costs_a_hash_of_the_applications_method(app_ctx):
    method = app_ctx.config["PASSWORD_HASH_METHOD"]
    assert passwords.dummy_hash(method).startswith(method.split(":")[0])
    assert passwords.check_nothing("demo-kutim-2026", method) is False
    assert passwords.dummy_hash("scrypt").startswith("scrypt:")  # production's


def _ask(client, email: str, ip: str):
    return client.post("/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": ip})


def test_reset_request_does_the_same_before_answering_for_any_address(client, inactive, app_ctx):
    answers, statements = {}, {}
    for n, email in enumerate((UNKNOWN, INACTIVE, KNOWN)):
        answered: list = []
        # A client address of its own for each, so each request starts its rate-limit windows alike.
        statements[email] = statements_run(
            lambda email=email, n=n, answered=answered: answered.append(_ask(client, email, f"10.9.0.{n}")))
        resp = answered[0]
        assert resp.status_code == 302 and resp.headers["Location"] == "/login"
        assert db.session.scalar(select(func.count()).select_from(PasswordResetToken)) == 0  # not yet
        resp.close()  # the answer has gone out: now the link, for an active account only
        answers[email] = _answer(client.get("/login"), email)
    assert statements[UNKNOWN] == statements[INACTIVE] == statements[KNOWN]
    assert not any("password_reset_token" in s or "login_attempt" in s or "user_account" in s
                   for s in statements[KNOWN])
    assert answers[UNKNOWN] == answers[INACTIVE] == answers[KNOWN]
    assert "Jika alamat itu milik akun yang aktif" in answers[KNOWN]
    tokens = db.session.scalars(select(PasswordResetToken)).all()
    assert [t.user_id for t in tokens] == [inactive.focal.id]
    requests = db.session.execute(select(LoginAttempt.email, LoginAttempt.success, LoginAttempt.ip)
                                  .order_by(LoginAttempt.id)).all()
    assert [tuple(r) for r in requests] == [(UNKNOWN, False, "10.9.0.0"), (INACTIVE, False, "10.9.0.1"),
                                            (KNOWN, True, "10.9.0.2")]
