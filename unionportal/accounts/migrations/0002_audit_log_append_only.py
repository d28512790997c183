"""Make the audit log append-only in the database itself, not only in the application.

PostgreSQL and SQLite both get triggers that refuse UPDATE and DELETE on auditlog's table, whoever
asks: an admin page, a shell, a management command. (TRUNCATE, which only the table's owner may run,
is left to the test runner's teardown; run the application as a role that does not own the table to
close that door in production.)
"""

from django.db import migrations

TABLE = "auditlog_logentry"

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log rows are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS audit_log_append_only ON {TABLE};
DROP FUNCTION IF EXISTS audit_log_refuse_change();
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log rows are append-only: UPDATE refused'); END;""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'audit log rows are append-only: DELETE refused'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_log_no_update;", "DROP TRIGGER IF EXISTS audit_log_no_delete;"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)  # None: the SQL holds a literal %


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_FORWARD])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_REVERSE])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
