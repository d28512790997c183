"""Migration operations shared by the apps."""

from django.db import migrations


def c_collation(table: str, column: str, length: int = 255) -> migrations.RunPython:
    """Put a copied tree-path column in the "C" collation on PostgreSQL (a no-op elsewhere).

    Tree paths are ASCII; under "C" a plain btree index serves ``LIKE 'prefix%'`` (the subtree scope) as well
    as ordering and keyset comparisons. The databases here default to C.UTF-8, which PostgreSQL 15 does not
    treat as "C" for LIKE.
    """

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"', params=None
            )

    def reverse(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length})", params=None)

    return migrations.RunPython(forward, reverse)
