"""Schema changes that a busy database takes without stopping its writers (issue 13).

CREATE INDEX locks the table against writes until the index is built: minutes at a million
applications, during which no application can be filed or decided. AddIndexOnline is Django's
AddIndexConcurrently (CREATE INDEX CONCURRENTLY, in a migration with `atomic = False`: PostgreSQL
refuses it inside a transaction) on PostgreSQL, and the plain AddIndex on SQLite, the embedded default.
"""
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexOnline(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, *states):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, *states)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, *states)

    def database_backwards(self, app_label, schema_editor, *states):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, *states)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, *states)
