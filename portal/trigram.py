"""Trigram indexes, so a staff list's search does not read every row of a large table.

Django's ``icontains`` on PostgreSQL is ``UPPER(column::text) LIKE UPPER('%term%')``. A
GIN trigram index (pg_trgm) on that same expression answers it, and several such
indexes on one table answer a search over several columns together (PostgreSQL ORs
them). pg_trgm is a trusted extension: the database's owner may create it. Other
databases (SQLite for ``make run``) keep the plain search, and get no index.
"""

from django.db import migrations


def index_name(table: str, column: str) -> str:
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation adding (and on reversal dropping) one index per column."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index_name(table, column)} ON {table} "
                f"USING gin (UPPER({column}::text) gin_trgm_ops)"
            )

    def drop(apps, schema_editor):
        # The extension stays: other indexes may use it.
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index_name(table, column)}")

    return migrations.RunPython(create, drop)
