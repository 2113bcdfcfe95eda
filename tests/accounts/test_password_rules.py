"""The password rules (issue 19, item 7): one service, accounts/passwords.check, behind every form and command
that sets a password; each refusal says which rule, in Indonesian; every such form shows the rules."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from coordinator.accounts import passwords
from coordinator.core.errors import DomainError
from coordinator.demo.content import DEMO_PASSWORD, DEMO_USERS
from coordinator.extensions import db
from coordinator.models import User
from tests.conftest import PASSWORD, login

TOO_SHORT = "Kata sandi minimal 12 karakter."
HAS_NAME = "Kata sandi tidak boleh memuat nama pemilik akun atau nama di alamat emailnya"
COMMON = "termasuk, atau dibangun dari, kata sandi yang paling sering dipakai"
LOCAL = "dibangun dari kata yang mudah ditebak di sini"
PATTERN = "mudah ditebak: deret atau pengulangan"
HINT = "Minimal 12 karakter. Jangan memakai kata sandi yang umum atau mudah ditebak"
BUDI = {"email": "budi.santoso@kutimkab.go.id", "name": "Budi Santoso"}


def refusal(password: str, **owner: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        passwords.check(password, **owner)
    assert caught.value.field == "password"
    return caught.value


@pytest.mark.parametrize("password, message", [
    ("", TOO_SHORT),
    ("Xq7#vLp9!mZ", TOO_SHORT),  # 11 characters, however random
    ("password1234", COMMON),
    ("iloveyou1234", COMMON),
    ("123456789012", COMMON),
    ("qwertyuiop12", COMMON),
    ("kutaitimur2026", LOCAL),
    ("sitisek12345", LOCAL),
    ("Sangatta2026!", LOCAL),
    ("katasandi2026", LOCAL),
    ("qazwsxedcrfv", COMMON),  # a keyboard pattern common enough to be on the list
    ("abcdefghijklmn", PATTERN),
    ("aaaaaaaaaaaaaa", PATTERN),
])
def test_short_common_and_guessable_passwords_are_refused_saying_which_rule(password, message):
    assert message in refusal(password, **BUDI).message


@pytest.mark.parametrize("password, part", [
    ("budi.santoso77!", "budi.santoso"),
    ("Budi-Santoso-2026", "budisantoso"),
    ("kopi-santoso-hutan", "santoso"),
    ("BUDI-hutan-sungai-7", "budi"),
])
def test_the_owners_name_and_email_name_are_refused(password, part):
    err = refusal(password, **BUDI)
    assert err.message.startswith(HAS_NAME) and err.params == {"part": part}


def test_words_of_three_letters_or_fewer_are_not_the_name():
    passwords.check("ani-kopi-hutan-sungai", email="ani.wu@example.org", name="Ani Wu")  # "ani", "wu": too short
    assert passwords.personal_parts("ani.wu@example.org", "Ani Wu") == ["ani wu", "ani.wu", "aniwu"]


@pytest.mark.parametrize("password", ["kopi-hutan-sungai-2026", "jeruk-perahu-lampu-kering", "Xq7#vLp9!mZw",
                                      "19081945-mandau-rotan"])
def test_long_unusual_passwords_pass(password):
    passwords.check(password, **BUDI)


def test_the_demo_and_test_passwords_keep_the_rules(world):
    for email, name, _role, _agency in DEMO_USERS:
        passwords.check(DEMO_PASSWORD, email=email, name=name)
    for user in db.session.scalars(select(User)):
        passwords.check(PASSWORD, email=user.email, name=user.name)


# --- Every way to set a password uses the rules --------------------------------------------------------------

def _focal() -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == "dinsos@example.org"))


def _change_own(client, new: str):
    return client.post("/account", data={"pw-current": PASSWORD, "pw-new": new, "pw-confirm": new,
                                         "pw-submit": "1"})


def test_own_password_change_follows_the_rules(client, world):
    login(client, "dinsos@example.org")
    for new, message in [("sandi-dinsos-2026", HAS_NAME), ("password1234", COMMON), ("kata-sandi1", TOO_SHORT)]:
        resp = _change_own(client, new)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200 and message in page, new
        assert 'id="pw-new-err"' in page  # beside the new password field
        assert _focal().check_password(PASSWORD)
    assert _change_own(client, "pendek-sekali").status_code == 302  # 13 characters, nothing common: accepted
    assert _focal().check_password("pendek-sekali")


def test_reset_link_and_admin_follow_the_rules(client, world, app_ctx, smtp, monkeypatch):
    from tests.accounts.test_password_reset import BASE_URL, LINK

    monkeypatch.setitem(app_ctx.config, "BASE_URL", BASE_URL)
    resp = client.post("/password/forgot", data={"email": "dinsos@example.org"})
    resp.close()
    secret = LINK.search(smtp.handler.parsed()[-1].get_body(("plain",)).get_content()).group(1)
    resp = client.post(f"/password/reset/{secret}", data={"new": "Dinsos-kopi-2026", "confirm": "Dinsos-kopi-2026"})
    assert resp.status_code == 200 and HAS_NAME in resp.get_data(as_text=True)
    assert 'id="new-err"' in resp.get_data(as_text=True)
    assert _focal().check_password(PASSWORD)

    login(client, "admin@example.org")
    resp = client.post(f"/admin/users/{world.focal.id}/password", data={"password": "qwertyuiop12",
                                                                       "confirm": "qwertyuiop12"})
    assert resp.status_code == 200 and COMMON in resp.get_data(as_text=True)
    resp = client.post("/admin/users/new", data={
        "name": "Budi Santoso", "email": "budi.santoso@kutimkab.go.id", "role": "pimpinan", "agency_id": "",
        "locale": "id", "active": "y", "password": "santoso-kopi-2026", "confirm": "santoso-kopi-2026"})
    assert resp.status_code == 200 and HAS_NAME in resp.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "budi.santoso@kutimkab.go.id")) is None
    assert _focal().check_password(PASSWORD)


def test_commands_follow_the_rules(app_ctx, world):
    runner = app_ctx.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "budi.santoso@kutimkab.go.id", "--name",
                                 "Budi Santoso", "--role", "pimpinan", "--password", "budi-kopi-2026"])
    assert result.exit_code != 0 and HAS_NAME in result.output and '"budi"' in result.output
    result = runner.invoke(args=["users", "create", "--email", "budi.santoso@kutimkab.go.id", "--name",
                                 "Budi Santoso", "--role", "pimpinan", "--password", "Kutim2026ab"])
    assert result.exit_code != 0 and TOO_SHORT in result.output
    assert "At least 12 characters" in runner.invoke(args=["users", "create", "--help"]).output
    assert db.session.scalar(select(User).where(User.email == "budi.santoso@kutimkab.go.id")) is None


def test_setup_refuses_an_admin_password_with_the_admins_email_name(app_ctx):
    result = app_ctx.test_cli_runner().invoke(args=["setup", "--admin-email", "admin@kutimkab.go.id"],
                                              env={"ADMIN_PASSWORD": "kata-sandi-admin-2026"})
    assert result.exit_code == 1 and HAS_NAME in result.output and "Tidak ada yang diubah" in result.output


def test_every_form_that_sets_a_password_shows_the_rules(client, world, app_ctx, smtp, monkeypatch):
    from tests.accounts.test_password_reset import BASE_URL, LINK

    login(client, "admin@example.org")
    for url in ("/account", "/admin/users/new", f"/admin/users/{world.focal.id}/edit"):
        assert HINT in client.get(url).get_data(as_text=True), url
    client.post("/logout")
    monkeypatch.setitem(app_ctx.config, "BASE_URL", BASE_URL)
    client.post("/password/forgot", data={"email": "dinsos@example.org"}).close()
    secret = LINK.search(smtp.handler.parsed()[-1].get_body(("plain",)).get_content()).group(1)
    assert HINT in client.get(f"/password/reset/{secret}").get_data(as_text=True)
