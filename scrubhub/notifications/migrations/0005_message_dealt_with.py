"""Staff can mark a failed message as dealt with (they phoned the person), which takes it
off the index of messages that need staff; messages are found by their address too."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0004_message_delivery_receipts'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='message',
            name='message_needs_staff_idx',
        ),
        migrations.AddField(
            model_name='message',
            name='dealt_with_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(condition=models.Q(models.Q(('channel', 'phone'), ('status', 'pending')), models.Q(('dealt_with_at__isnull', True), ('status', 'failed')), _connector='OR'), fields=['hub', 'status'], name='message_needs_staff_idx'),
        ),
        migrations.AddIndex(
            model_name='message',
            index=models.Index(fields=['to_address'], name='message_to_address_idx'),
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.CheckConstraint(condition=models.Q(('dealt_with_at__isnull', True), ('status', 'failed'), _connector='OR'), name='message_dealt_with_only_failed'),
        ),
    ]
