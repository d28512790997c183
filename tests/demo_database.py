"""The demo city, seeded once per test session and copied into the test database for each test that wants it.

`seed_demo` takes seconds; PostgreSQL copies a database from a template in about a tenth of one. So the first
test that asks for the demo seeds it into a database of its own (``<test database>_demo``, made from the clean,
migrated test database), and every test that asks for it, that first one included, gets the test database
replaced by a fresh copy of that template:

    DROP DATABASE test_x WITH (FORCE);  CREATE DATABASE test_x TEMPLATE test_x_demo;

Only transactional tests can have this (a test wrapped in a transaction cannot drop the database under it), which
is what live-server tests are anyway. pytest-django flushes a transactional test's database when the test ends,
so the tests after it find the empty database they expect. Under pytest-xdist every worker has its own test
database (``test_x_gw0``) and so its own template. Both statements run on the server's maintenance database:
a database can be neither dropped nor copied while anyone is connected to it, so every connection this process
holds is closed first, and ``WITH (FORCE)`` ends any the live server's threads still hold.
"""

from io import StringIO

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import override_settings

# A deliberately slow password hash is the point in production and pure waiting in tests.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _on_maintenance_database(*statements: str | tuple[str, list]) -> None:
    connections.close_all()
    with connection._nodb_cursor() as cursor:  # Django's own way in for CREATE/DROP DATABASE
        for statement in statements:
            cursor.execute(*statement) if isinstance(statement, tuple) else cursor.execute(statement)


class DemoTemplate:
    """The seeded template of one test session (one per xdist worker)."""

    def __init__(self):
        self.test_database = connection.settings_dict["NAME"]
        self.name = f"{self.test_database}_demo"
        self.built = False

    def build(self) -> None:
        """Seed the demo into a copy of the clean test database; the test database itself is never touched."""
        if connection.vendor != "postgresql":
            raise RuntimeError("the seeded demo template needs PostgreSQL (make test sets DATABASE_URL)")
        _on_maintenance_database(
            f"DROP DATABASE IF EXISTS {_quoted(self.name)} WITH (FORCE)",  # left over by a killed session
            # Threads of earlier tests (the concurrency tests', the live server's) may have left connections
            # open to this worker's own test database; a template cannot be copied while anyone is connected.
            ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [self.test_database]),
            f"CREATE DATABASE {_quoted(self.name)} TEMPLATE {_quoted(self.test_database)}",
        )
        # Every connection is made from this one settings dictionary (the live server's threads too), and
        # nothing else runs while the session builds its template.
        settings_dict = connection.settings_dict
        settings_dict["NAME"] = self.name
        try:
            # The suite's fast hasher (tests/conftest.py), whichever fixture happens to build the template first:
            # a module fixture runs before the function-scoped settings, and a hash made by the production hasher
            # is one the tests' hasher list cannot check.
            with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
                call_command("seed_demo", stdout=StringIO())
        finally:
            connections.close_all()
            settings_dict["NAME"] = self.test_database
        self.built = True

    def copy_into_test_database(self) -> None:
        if not self.built:
            self.build()
        _on_maintenance_database(
            f"DROP DATABASE {_quoted(self.test_database)} WITH (FORCE)",
            f"CREATE DATABASE {_quoted(self.test_database)} TEMPLATE {_quoted(self.name)}",
        )
        # A flush since the template was made recreated the content types under new ids, and Django keeps
        # them in a per-process cache (the live server's threads read it too): forget them.
        ContentType.objects.clear_cache()

    def drop(self) -> None:
        if self.built:
            _on_maintenance_database(f"DROP DATABASE IF EXISTS {_quoted(self.name)} WITH (FORCE)")
