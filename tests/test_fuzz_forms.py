"""Random input to every form must never cause a 500 (Hypothesis)."""
from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.test_permissions import EMAILS, MATRIX, _ids


# Who may use each form (a role with 200 on GET), taken from the permission matrix.
def _form_user(get: dict, post: dict) -> str | None:
    for role in ("coordinator", "admin", "focal_own"):
        if get[role] == 200 and post[role] in (200, 302):
            return role
    return None


FORM_ENDPOINTS = [
    (endpoint, template, _form_user(get, post))
    for endpoint, (template, get, post) in MATRIX.items()
    if _form_user(get, post) and endpoint != "accounts.login"
]

field_values = st.one_of(
    st.text(max_size=300),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.sampled_from(["", "0", "-1", "2026-11", "2026-02-30", "31/12/2026", "Rp 1.250.000", "1,5", "1e309", "NaN",
                     "<script>alert(1)</script>", "' OR 1=1 --", "{{ 7*7 }}", "\x00", "../../etc/passwd",
                     "64.08.04", "BPB", "selesai", "fokal", "admin", "id", "en", "99999999999999999999",
                     "0001-01-01", "9999-12-31", "0000-00-00", "2026-11-31", "-0", "١٢٣", "1" * 40]),
)


def _field_names(html: str) -> list[str]:
    names = set(re.findall(r'name="([^"]+)"', html))
    return sorted(n for n in names if n not in ("csrf_token",) and not n.endswith("csrf_token"))


def _fuzz(template, role, client, ids):
    url = template.format(**ids)
    client.post("/logout")
    assert login(client, EMAILS[role]).status_code == 302
    names = _field_names(client.get(url).get_data(as_text=True))
    assert names, f"no fields found on {url}"

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.fixed_dictionaries({}, optional={n: st.one_of(field_values, st.lists(field_values, max_size=3))
                                               for n in names}))
    def run(data):
        resp = client.post(url, data=data)
        assert resp.status_code < 500, (url, data, resp.status_code)

    run()


def test_every_form_survives_random_input(client, world, app_ctx):
    assert len(FORM_ENDPOINTS) >= 10
    ids = _ids(world, app_ctx)
    for _endpoint, template, role in FORM_ENDPOINTS:
        _fuzz(template, role, client, ids)
