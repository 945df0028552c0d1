"""The outbox: every message to a person is a row first, and sent by a worker after commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Messages staff must act on: calls to make, and messages that failed. The dashboard counts
# these down an index that holds nothing else, however long the hub's outbox history.
NEEDS_STAFF = Q(channel="phone", status="pending") | Q(status="failed")


class Message(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        PHONE_LIST = "phone", _("Phone call by hub staff")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        # Sent means the provider accepted it (or the mail server took it); only a provider
        # that sends receipts (GOV.UK Notify) moves it on to delivered or failed.
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    class FailureReason(models.TextChoices):
        # Notify's three failure states, word for word in meaning.
        PERMANENT = "permanent", _("The number or address does not work")
        TEMPORARY = "temporary", _("Could not be delivered (phone off or inbox full)")
        TECHNICAL = "technical", _("A technical problem stopped it")
        # The provider refused the request itself (a number it cannot send to, say).
        REJECTED = "rejected", _("The provider refused it")
        NO_CHANNEL = "no_channel", _("No way to reach this person")
        # Never to be sent: the person's details were erased before it went.
        CANCELLED = "cancelled", _("Cancelled")

    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    to_address = models.CharField(max_length=254, help_text=_("Email address or phone number."))
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=50, help_text=_("What the message is for, e.g. welcome."))
    subject = models.CharField(max_length=200)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    # Whoever queues a message names it, so the same event queued twice is one row.
    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failure_reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a temporary refusal (rate limit, provider down) the sweep waits until then.
    retry_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The provider's own id for the message, for its delivery receipts and status look-ups.
    provider_id = models.CharField(max_length=100, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When the provider was last asked how the message went (receipts that never came).
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="message_unsent_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["hub", "-created_at"]),
            models.Index(
                fields=["hub", "status"], condition=NEEDS_STAFF, name="message_needs_staff_idx"
            ),
            models.Index(
                fields=["sent_at"],
                name="message_awaiting_receipt_idx",
                condition=Q(status="sent") & ~Q(provider_id=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "delivered", "failed"]),
                name="message_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["sent", "delivered"], sent_at__isnull=False)
                | ~Q(status__in=["sent", "delivered"]),
                name="message_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False)
                | ~Q(status="delivered"),
                name="message_delivered_has_time",
            ),
            # A failed message always says why, and only a failed one has a reason.
            models.CheckConstraint(
                condition=(Q(status="failed") & ~Q(failure_reason=""))
                | (~Q(status="failed") & Q(failure_reason="")),
                name="message_failed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(
                    failure_reason__in=[
                        "",
                        "permanent",
                        "temporary",
                        "technical",
                        "rejected",
                        "no_channel",
                        "cancelled",
                    ]
                ),
                name="message_failure_reason_valid",
            ),
            # A provider id is what acceptance returns: no id on a message still to send.
            models.CheckConstraint(
                condition=Q(provider_id="") | Q(status__in=["sent", "delivered", "failed"]),
                name="message_provider_id_accepted",
            ),
            models.UniqueConstraint(
                fields=["provider_id"],
                condition=~Q(provider_id=""),
                name="message_provider_id_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.status})"


class OptOut(models.Model):
    """Someone who asked to stop a kind of message (weekly summaries). Messages needed to
    return a kit cannot be turned off, so only optional kinds are ever looked up here."""

    address = models.CharField(max_length=254)
    kind = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address", "kind"], name="optout_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.address} stopped {self.kind}"


class HubMessageSettings(models.Model):
    """When a hub's weekly summaries go out, in the hub's own time zone. Coordinators change
    it on a page; the hourly beat tick reads it, so no deploy is needed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    hub = models.OneToOneField(
        "hubs.Hub", on_delete=models.CASCADE, related_name="message_settings"
    )
    summary_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, default=Weekday.MONDAY
    )
    summary_hour = models.PositiveSmallIntegerField(
        default=8, help_text=_("Hour of the day (0–23), in the hub's time zone.")
    )
    summaries_enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(summary_hour__gte=0, summary_hour__lte=23),
                name="message_settings_hour_in_day",
            ),
            models.CheckConstraint(
                condition=Q(summary_weekday__gte=0, summary_weekday__lte=6),
                name="message_settings_weekday_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub}: {self.get_summary_weekday_display()} {self.summary_hour:02d}:00"


class KitReminder(models.Model):
    """A reminder stage already sent for a kit, so each nudge goes once."""

    class Stage(models.IntegerChoices):
        FIRST_NUDGE = 1, _("First nudge")
        SECOND_NUDGE = 2, _("Second nudge")

    kit = models.ForeignKey("packages.Kit", on_delete=models.CASCADE, related_name="reminders")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kit", "stage"], name="kit_reminder_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"Kit {self.kit_id} reminder {self.stage}"
