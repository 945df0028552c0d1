# Uploaded volunteer sheets kept between their steps, and who each import brought in (issue 23).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('hubs', '0005_hub_erasure_dates_changed_at'),
        ('makers', '0007_guardian_agreement'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file_name', models.CharField(max_length=200)),
                ('note', models.CharField(blank=True, help_text='What reading the file needed, in words.', max_length=300)),
                ('headers', models.JSONField(default=list)),
                ('rows', models.JSONField(default=list)),
                ('row_count', models.PositiveIntegerField(default=0)),
                ('columns', models.JSONField(default=list)),
                ('status', models.CharField(choices=[('uploaded', 'Uploaded, not imported yet'), ('imported', 'Imported')], default='uploaded', max_length=10)),
                ('contact_basis', models.CharField(blank=True, choices=[('paper_form', 'They filled in our paper form and agreed that we may keep their details and contact them'), ('online_form', 'They filled in our own online form (a Google or Microsoft form, say) and agreed that we may keep their details and contact them'), ('asked_us', 'They asked us by phone, email or in person to be on our list of volunteers')], max_length=20)),
                ('created_at', models.DateTimeField()),
                ('expires_at', models.DateTimeField()),
                ('imported_at', models.DateTimeField(blank=True, null=True)),
                ('created_count', models.PositiveIntegerField(default=0)),
                ('merged_count', models.PositiveIntegerField(default=0)),
                ('hub', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_batches', to='hubs.hub')),
                ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='ImportedMaker',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sheet_row', models.PositiveIntegerField()),
                ('merged', models.BooleanField(default=False, help_text='The row was someone the hub already had.')),
                ('filled', models.CharField(blank=True, help_text='Which of their blank details the sheet filled.', max_length=100)),
                ('confirmed_at', models.DateTimeField(blank=True, null=True)),
                ('left_at', models.DateTimeField(blank=True, null=True)),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='people', to='makers.importbatch')),
                ('maker', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='imports', to='makers.maker')),
            ],
            options={
                'ordering': ['sheet_row', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='importbatch',
            index=models.Index(fields=['hub', 'uploaded_by', '-created_at'], name='makers_impo_hub_id_a432c3_idx'),
        ),
        migrations.AddConstraint(
            model_name='importbatch',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['uploaded', 'imported'])), name='import_batch_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='importbatch',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('imported_at__isnull', True), ('status', 'uploaded')), models.Q(('imported_at__isnull', False), ('status', 'imported'), models.Q(('contact_basis', ''), _negated=True), ('rows', [])), _connector='OR'), name='import_batch_imported_has_basis_and_no_rows'),
        ),
        migrations.AddConstraint(
            model_name='importedmaker',
            constraint=models.UniqueConstraint(fields=('batch', 'maker'), name='imported_maker_once_a_batch'),
        ),
    ]
