from django.db import migrations

from tocsin.server import snapshots

# Where a new report's alerts go and when its timer fires (see accounts 0002).
WATCHED = ["alerts_channel", "alerts_teampolicy"]


def create_triggers(apps, schema_editor):
    for table in WATCHED:
        for statement in snapshots.trigger_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for table in WATCHED:
        for statement in snapshots.drop_trigger_sql(schema_editor.connection.vendor, table):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_directory_version'),
        ('alerts', '0002_sla_policies_and_timers'),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
