# Hubs already drove to makers' doors: they go on offering it until they say otherwise.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hubs", "0006_hub_approval_setup_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="hub",
            name="offers_doorstep_visits",
            field=models.BooleanField(
                default=True,
                help_text=(
                    "A driver brings kits to the door of makers who cannot get to a point, "
                    "and collects their scrubs. Makers aged 70 or over are offered it on "
                    "their pages."
                ),
            ),
        ),
    ]
