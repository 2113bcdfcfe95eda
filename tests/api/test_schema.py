"""Schemathesis against /api/v1/openapi.json through the WSGI app: every response of every operation must
match the document (status codes, content type, closed schemas) and none may be a server error.

Runs as a coordinator (sees everything) and as a focal point (scoped lists, 403s) over the World fixture
plus an indicator, ATS snapshots and a progress report. The API is read-only, so the data seeded once per
test exists in every generated case; each test's data is rolled back at its end by the app_ctx fixture.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coordinator.api import openapi
from tests.api.test_api import seed_extra, token_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user)}"}


@pytest.fixture()
def coordinator_bearer(world):
    seed_extra(world)
    return _bearer(world.coordinator)


@pytest.fixture()
def focal_bearer(world):
    seed_extra(world)
    return _bearer(world.focal)


# Built from the same dict the app serves (test_served_document_is_this_one checks it), so that pytest can
# make one test per operation at collection time, before the session's app exists; every case is then
# sent through the app's WSGI interface.
schema = schemathesis.openapi.from_dict(openapi.document())
FAST = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


@schema.parametrize()
@FAST
def test_api_as_coordinator_matches_its_document(case, coordinator_bearer, app):
    case.call_and_validate(app=app, headers=coordinator_bearer, checks=CHECKS)


@schema.parametrize()
@FAST
def test_api_as_focal_point_matches_its_document(case, focal_bearer, app):
    case.call_and_validate(app=app, headers=focal_bearer, checks=CHECKS)


def test_served_document_is_this_one(client, app_ctx):
    served = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_ctx)
    assert served.raw_schema == openapi.document()
    assert schema.raw_schema == openapi.document()
