"""The outbox: every message to a person is a row first, and sent by a worker after commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Messages staff must act on: calls to make, and messages that failed and nobody has dealt
# with yet. The dashboard counts these down an index that holds nothing else, however long
# the hub's outbox history.
NEEDS_STAFF = Q(channel="phone", status="pending") | Q(status="failed", dealt_with_at__isnull=True)
# Failures that say the person cannot be reached where we tried (a wrong number, an address
# the provider refused, nowhere to send): trying the same address again will not help.
UNREACHABLE_REASONS = ("permanent", "rejected", "no_channel")

# What each kind of message is, in the hub's words, by the start of its kind (some kinds
# carry an id: "maker_return-plan-12"). A kind not listed is shown by its subject.
KIND_WORDS = (
    ("maker_welcome", _("Welcome")),
    ("maker_approved", _("You can start sewing")),
    ("maker_declined", _("Answer to their application")),
    ("maker_signin_link", _("Sign-in link")),
    ("maker_signin_code", _("Sign-in code")),
    ("signin_link_refused", _("How to sign in")),
    ("maker_return-plan-", _("When they will hand a kit in")),
    ("maker_kit-problem-", _("Answer to a problem they reported")),
    ("maker_invited-back-", _("Asked to sew again")),
    ("kit_problem", _("A problem a maker reported")),
    ("kit_staff", _("A kit for them")),
    ("reminder", _("Reminder about a kit")),
    ("weekly_summary", _("Weekly summary")),
    ("delivery_thanks", _("Thanks for a delivery")),
    ("run_planned", _("Their collection run")),
    ("doorstep_visit", _("A driver's visit to their door")),
    ("team_invitation", _("Invitation to the hub's team")),
    ("maker_group_registered", _("Their group is registered")),
    ("login_code", _("Sign-in code")),
    ("password_reset", _("Choosing a new password")),
    ("email_confirm", _("Checking their email address")),
)
# Kinds that carry a code or link with a short life: sent again later, they would not work.
EXPIRING_KINDS = (
    "maker_signin_",
    "signin_link_refused",
    "login_code",
    "password_reset",
    "email_confirm",
    "unknown_account",
    "account_already_exists",
)


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
    # Hub staff reached the person another way (a call) or decided nothing more is needed:
    # the failure stays on record, but off the list of people we could not reach.
    dealt_with_at = models.DateTimeField(null=True, blank=True)
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
            # A person's messages by their address (one without an account has only that):
            # their record's "Messages", and whether a later message reached them.
            models.Index(fields=["to_address"], name="message_to_address_idx"),
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
            # Only a failure is dealt with; sending again makes it a new attempt.
            models.CheckConstraint(
                condition=Q(dealt_with_at__isnull=True) | Q(status="failed"),
                name="message_dealt_with_only_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.status})"

    @property
    def kind_in_words(self) -> str:
        for start, words in KIND_WORDS:
            if self.kind.startswith(start):
                return str(words)
        return self.subject

    @property
    def failure_in_words(self) -> str:
        """Why it failed, as staff would say it to the person on the phone."""
        by_phone = self.channel != self.Channel.EMAIL
        reason = self.failure_reason
        R = self.FailureReason
        if reason == R.PERMANENT:
            if by_phone:
                return str(_("The number does not exist or is wrong"))
            return str(_("The email address does not exist or is wrong"))
        if reason == R.TEMPORARY:
            if by_phone:
                return str(_("Their phone was off or out of signal for too long"))
            return str(_("Their inbox was full or not taking email"))
        if reason == R.REJECTED:
            notify_said = self.last_error.partition("GOV.UK Notify answered 400: ")
            if notify_said[1]:
                return str(_("Rejected by Notify: %(reason)s") % {"reason": notify_said[2]})
            return str(_("Refused by the sender: %(reason)s") % {"reason": self.last_error})
        if reason == R.NO_CHANNEL:
            return str(_("We have no working phone number or email for them"))
        if reason == R.CANCELLED:
            return str(_("Not sent: their details were erased"))
        if reason == R.TECHNICAL:
            return str(_("A technical problem stopped it"))
        return ""

    @property
    def status_in_words(self) -> str:
        if self.status == self.Status.FAILED:
            return str(_("Failed: %(why)s") % {"why": self.failure_in_words})
        if self.channel == self.Channel.PHONE_LIST:
            if self.status == self.Status.PENDING:
                return str(_("Waiting for a call from the hub"))
            return str(_("Phoned by the hub"))
        if self.status == self.Status.PENDING:
            return str(_("Trying again soon") if self.last_error else _("Waiting to send"))
        return str(self.get_status_display())


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
