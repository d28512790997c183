"""Schemathesis against the API's own OpenAPI schema: generated requests never produce a server error."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error

from tests.factories import make_member_account
from unionportal.wsgi import application

# Schemathesis gives its cases one node id between them, and pytest-xdist's file scheduling keeps one item per
# node id: run serially (make test's second pytest run), or 13 of the 14 operations would silently not run.
pytestmark = pytest.mark.serial

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def token(county_user):
    return AuthToken.objects.create(user=county_user)[1]


@pytest.fixture
def member_token(covered_member):
    """A member with cover and an account: the /my/ endpoints are exercised as that member."""
    return AuthToken.objects.create(user=make_member_account(covered_member))[1]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The WSGI handler closes the database connection at the end of each request, which would end the
    # test's transaction; Django's own test client switches that off the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_cause_a_server_error(case, token, member_token):
    key = member_token if case.path.startswith("/api/v1/my/") else token
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=[not_a_server_error])
