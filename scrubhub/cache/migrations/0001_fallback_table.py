"""The table the shared cache falls back to while Redis cannot be reached (scrubhub/cache).

A migration, so `make run`, the test database and every release (`migrate`) all have it;
it makes the table `createcachetable` would, with that command's own code. The name is
fixed here (a migration must not change with settings); settings.CACHES["database"] names
the same table and a test checks they agree.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "scrubhub_cache_fallback"


def create_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_table, drop_table)]
