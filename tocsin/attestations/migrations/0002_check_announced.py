"""Alerting checks are announced by the worker; those made before were
announced by the check itself, at the time of the check."""

from django.db import migrations, models


def announced_already(apps, schema_editor):
    Verification = apps.get_model("attestations", "Verification")
    Verification.objects.filter(alerted=True).update(announced_at=models.F("checked_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("attestations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="verification",
            name="announced_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(announced_already, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="verification",
            index=models.Index(condition=models.Q(("alerted", True), ("announced_at__isnull", True)),
                               fields=["id"], name="attestations_check_to_announce"),
        ),
    ]
