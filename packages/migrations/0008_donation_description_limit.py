from django.db import migrations, models
from django.db.models.functions import Left, Length


def trim_long_descriptions(apps, schema_editor):
    # Rows saved before the limit would stop the column changing type; keep their start.
    Donation = apps.get_model("packages", "Donation")
    Donation.objects.annotate(n=Length("description")).filter(n__gt=2000).update(
        description=Left("description", 2000)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("packages", "0007_kit_newest_indexes"),
    ]

    operations = [
        migrations.RunPython(trim_long_descriptions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="donation",
            name="description",
            field=models.CharField(blank=True, max_length=2000),
        ),
    ]
