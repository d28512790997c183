import os

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings
from django.utils import translation

from tests.demo_database import FAST_PASSWORD_HASHERS, DemoTemplate
from tests.factories import UserFactory, make_organisation
from unionportal.org.models import Organisation


@pytest.fixture(autouse=True)
def _fast_test_settings(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
    # The manifest storage needs collectstatic; tests serve static files straight from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _cache_keys_per_worker():
    """pytest-xdist workers share one Redis database: each keeps its cache keys under its own prefix.

    (Each worker has its own PostgreSQL database already: pytest-django names it ``test_<name>_gw0``.)
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    default = {**django_settings.CACHES["default"], "KEY_PREFIX": f"test-{worker}"}
    with override_settings(CACHES={**django_settings.CACHES, "default": default}):
        yield


@pytest.fixture(scope="session")
def demo_template(django_db_setup, django_db_blocker):
    """The demo city, seeded once per session (per xdist worker) the first time a test asks for it."""
    template = DemoTemplate()
    yield template
    with django_db_blocker.unblock():
        template.drop()


@pytest.fixture
def demo_city(transactional_db, demo_template, settings):
    """A fresh copy of the demo city (`seed_demo`) in the test database: the test may change anything in it.

    The test becomes transactional (the database is replaced under it, see tests/demo_database.py); the demo's
    accounts sign in with the password alone, as in `make run`.
    """
    settings.OTP_REQUIRED_FOR_ADMINS = False
    demo_template.copy_into_test_database()


@pytest.fixture
def tree(db):
    """A small city: the city federation, two counties, and a grassroots union under each county.

    Returns a dict of nodes by short name.
    """
    city = make_organisation(kind=Organisation.Kind.CITY, code="611000", name="商洛市总工会")
    shangzhou = make_organisation(parent=city, kind=Organisation.Kind.COUNTY, code="611002", name="商州区总工会")
    shanyang = make_organisation(parent=city, kind=Organisation.Kind.COUNTY, code="611024", name="山阳县总工会")
    union_sz = make_organisation(parent=shangzhou, code="611002001001", name="商州某公司工会")
    union_sy = make_organisation(parent=shanyang, code="611024001001", name="山阳某公司工会")
    return {
        name: Organisation.objects.get(pk=node.pk)
        for name, node in {
            "city": city,
            "shangzhou": shangzhou,
            "shanyang": shanyang,
            "union_sz": union_sz,
            "union_sy": union_sy,
        }.items()
    }


# Three standing personas (healthchecks' owner / teammate / outsider): a user of the county that owns
# the data, the city above it, and a user of another county.
@pytest.fixture
def county_user(tree):
    return UserFactory(username="sz_staff", organisation=tree["shangzhou"], roles=["county_staff"])


@pytest.fixture
def other_county_user(tree):
    return UserFactory(username="sy_staff", organisation=tree["shanyang"], roles=["county_staff"])


@pytest.fixture
def city_user(tree):
    return UserFactory(username="city_staff1", organisation=tree["city"], roles=["city_staff"])


@pytest.fixture
def officer(tree):
    return UserFactory(username="sz_officer", organisation=tree["union_sz"], roles=["union_officer"])


@pytest.fixture
def english_messages():
    """Messages in their English source, for assertions that read them (the pages show Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def auditor(tree):
    return UserFactory(username="auditor1", organisation=tree["city"], roles=["auditor"])
