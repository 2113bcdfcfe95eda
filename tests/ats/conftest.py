"""Fixtures of the ATS tests."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import Agency
from coordinator.setup.region import load_region, packaged_region
from tests.conftest import make_user


@pytest.fixture()
def kutim(app_ctx):
    """Kutim's 18 kecamatan and 141 desa; an admin, a coordinator, a leader and a Dinsos focal point."""
    load_region(db.session, packaged_region())
    dinsos = Agency(code="DINSOS", short_name="Dinsos", name="Dinas Sosial", kind="opd", aliases="")
    db.session.add(dinsos)
    for email, role in (("admin@example.org", "admin"), ("koordinator@example.org", "koordinator"),
                        ("pimpinan@example.org", "pimpinan")):
        make_user(email, role)
    make_user("dinsos@example.org", "fokal", dinsos)
    db.session.commit()
    return app_ctx
