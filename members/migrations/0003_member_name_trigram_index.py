"""Substring search on member names: a pg_trgm GIN index on PostgreSQL.

It serves 3+ character substrings; 2-character names are searched by prefix (the btree pattern index of
0002), because a 2-character string has no whole trigram. SQLite, the embedded default, has no such
index and scans, which is fine at demo size.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS member_name_trgm_idx ON members_member USING gin (name gin_trgm_ops)",
            params=None,
        )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_name_trgm_idx", params=None)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_union_fields_members_transfers_drive_rosters")]

    operations = [migrations.RunPython(forward, reverse)]
