from django.db import migrations, models

from tocsin.server import snapshots

# A user matters to routing only through is_active; logins update last_login.
WATCHED = [("accounts_team", None), ("accounts_membership", None), ("accounts_responderkey", None),
           ("accounts_user", "is_active")]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(snapshots.POSTGRESQL_FUNCTION)
    for table, column in WATCHED:
        for statement in snapshots.trigger_sql(vendor, table, only_column=column):
            schema_editor.execute(statement)
    apps.get_model("accounts", "DirectoryVersion").objects.create(pk=1, value=1)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, column in WATCHED:
        for statement in snapshots.drop_trigger_sql(vendor, table, only_column=column):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='DirectoryVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.BigIntegerField(default=0)),
            ],
            options={
                'db_table': 'accounts_directory_version',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
