"""A handover's key from the helper's phone, so a handover its outbox sends again is kept once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dropoffs", "0005_points_hours_doorsteps_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="handover",
            name="client_key",
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="handover",
            constraint=models.UniqueConstraint(
                fields=("client_key",), name="handover_client_key_once"
            ),
        ),
    ]
