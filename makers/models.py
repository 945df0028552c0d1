"""Makers: the volunteers who sew at home, and the groups that sew together."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class MakerStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    STANDBY = "standby", _("On standby")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ERASED = "erased", _("Erased")


class HolderRecord(models.Model):
    """Counters a maker or group carries so that choosing who gets the next kit reads one
    row each, however long their history. Kept by packages.services in the same
    transaction as the change they count; `packages.records.holder_records_recount`
    rebuilds them from the history and the tests compare the two."""

    kits_held = models.PositiveIntegerField(default=0, editable=False)
    last_given_at = models.DateTimeField(null=True, blank=True, editable=False)
    kits_handed_in = models.PositiveIntegerField(default=0, editable=False)
    kits_on_time = models.PositiveIntegerField(default=0, editable=False)
    garments_passed = models.PositiveIntegerField(default=0, editable=False)
    garments_failed = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True


class Maker(HolderRecord):
    """One volunteer who sews at home. Staff may sign up phone-only people with no account."""

    Status = MakerStatus

    class AgeBand(models.TextChoices):
        # Bands, not birth dates: we only need to know about guardians and doorstep collection.
        UNDER_18 = "16_17", _("16 or 17")
        ADULT = "18_69", _("18 to 69")
        OVER_70 = "70_plus", _("70 or over")

    class Experience(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        CONFIDENT = "confident", _("Confident")
        PROFESSIONAL = "professional", _("Professional")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")
        PHONE = "phone", _("Phone call")

    class HeardAbout(models.TextChoices):
        FRIEND = "friend", _("A friend or family member")
        SOCIAL = "social", _("Social media")
        NEWS = "news", _("Newspaper, radio or TV")
        GROUP = "group", _("A group, school or club")
        HOSPITAL = "hospital", _("The hospital")
        OTHER = "other", _("Somewhere else")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="makers")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maker",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, default=AgeBand.ADULT)
    guardian_name = models.CharField(max_length=200, blank=True)
    guardian_contact = models.CharField(max_length=200, blank=True)
    experience = models.CharField(
        max_length=20, choices=Experience.choices, default=Experience.BEGINNER
    )
    has_sewing_machine = models.BooleanField(default=True)
    sets_per_week = models.PositiveSmallIntegerField(
        default=1, help_text=_("Sets of scrubs they think they can make in a week.")
    )
    preferred_point = models.ForeignKey(
        "dropoffs.Point",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preferred_by",
    )
    preferred_channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    heard_about = models.CharField(max_length=20, choices=HeardAbout.choices, blank=True)
    needs_doorstep_collection = models.BooleanField(default=False)
    away_until = models.DateField(
        null=True, blank=True, help_text=_("The maker is away and wants no kit until this day.")
    )
    wants_kit_since = models.DateTimeField(
        null=True, blank=True, help_text=_("When the maker said they are ready for another kit.")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["hub", "status"]),
            # The roster, a page at a time in name order.
            models.Index(fields=["hub", "name", "id"], name="maker_roster_idx"),
            # A known email or phone on joining, and staff searching, find people fast.
            models.Index(Upper("email"), name="maker_email_upper_idx"),
            models.Index(fields=["phone"], name="maker_phone_idx"),
            # Who gets the next kit: those who may take one, longest waiting first, read
            # a page at a time from the index (with what says whether they have room).
            models.Index(
                fields=["hub", "last_given_at", "id"],
                include=["kits_held", "sets_per_week", "away_until"],
                condition=Q(status__in=["approved", "active"]),
                name="maker_kit_queue_idx",
            ),
            models.Index(
                fields=["hub", "wants_kit_since"],
                condition=Q(wants_kit_since__isnull=False),
                name="maker_asked_for_kit_idx",
            ),
            # Young makers, for the dashboard's "waiting for a parent or guardian".
            models.Index(
                fields=["hub", "created_at"],
                condition=Q(age_band="16_17") & ~Q(status__in=["declined", "withdrawn", "erased"]),
                name="maker_young_idx",
            ),
        ]
        constraints = [
            # Erased rows keep counts but no way to reach anyone.
            models.CheckConstraint(
                condition=Q(status="erased") | ~Q(email="", phone=""),
                name="maker_has_email_or_phone",
            ),
            models.CheckConstraint(
                condition=Q(status="erased") | ~Q(name=""), name="maker_has_name"
            ),
            models.CheckConstraint(
                condition=Q(status="erased")
                | ~Q(age_band="16_17")
                | (~Q(guardian_name="") & ~Q(guardian_contact="")),
                name="maker_under_18_has_guardian",
            ),
            models.CheckConstraint(
                condition=~Q(status="erased")
                | Q(
                    erased_at__isnull=False,
                    user__isnull=True,
                    name="",
                    email="",
                    phone="",
                    postcode="",
                    guardian_name="",
                    guardian_contact="",
                ),
                name="maker_erased_has_no_personal_data",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MakerStatus.values), name="maker_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Maker {self.pk} (erased)"

    @property
    def may_receive_kits(self) -> bool:
        return self.status in {self.Status.APPROVED, self.Status.ACTIVE}

    @property
    def needs_guardian(self) -> bool:
        """16 and 17 year olds get no kit until a parent or guardian agrees."""
        return self.age_band == self.AgeBand.UNDER_18


class MakerEvent(models.Model):
    """One status change of a maker: who did it and when."""

    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["maker", "created_at"])]

    def __str__(self) -> str:
        return f"{self.old_status or 'new'} → {self.new_status}"


# The wording of the join form's consent questions, stored with each consent a maker gives;
# change it whenever that wording (or the privacy notice it points to) changes.
CONSENT_WORDING = "privacy-v1"


class Consent(models.Model):
    """What a maker agreed to, when, and to which wording."""

    class Purpose(models.TextChoices):
        STORE_DETAILS = "store_details", _("Keep my details to send me kits")
        CONTACT = "contact", _("Contact me about kits and collections")
        STANDBY = "standby", _("Ask me again if the hub starts up again")
        PHOTOS = "photos", _("Use photos of my work")
        # Given by the parent or guardian of a maker aged 16 or 17, on the page their
        # message links to (makers.guardian_services); until then no kit goes to the maker.
        GUARDIAN = "guardian", _("A parent or guardian agreed that they may sew for the hub")

    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    wording_version = models.CharField(max_length=40)
    given_at = models.DateTimeField()
    given_by = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who agreed, when it was not the maker: their parent or guardian."),
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["given_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["maker", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_current_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="guardian") | ~Q(given_by=""),
                name="consent_guardian_names_who_agreed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.wording_version})"


class GuardianRequest(models.Model):
    """The message asking a young maker's parent or guardian to agree, and its link. Only a
    hash of the link's token is kept. The newest request is the one whose link works: a new
    one (the message sent again, or another guardian contact) closes the one before, and an
    answer closes it too. Erasing the maker deletes these."""

    class Answer(models.TextChoices):
        AGREED = "agreed", _("Agreed")
        REFUSED = "refused", _("Did not agree")

    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="guardian_requests")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["maker"],
                condition=Q(closed_at__isnull=True),
                name="guardian_request_one_open_per_maker",
            ),
            models.CheckConstraint(
                condition=Q(answer="")
                | Q(answer__in=["agreed", "refused"], closed_at__isnull=False),
                name="guardian_request_answer_closes_it",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="guardian_request_expires_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"Guardian request for maker {self.maker_id} ({self.created_at:%d %b %Y})"


class MakerGroup(HolderRecord):
    """A group that sews together (a school class, a prison workshop). Its output is credited
    to the group; we keep no data about its members, only how many there are."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School or college")
        PRISON = "prison", _("Prison workshop")
        WORKPLACE = "workplace", _("Workplace")
        COMMUNITY = "community", _("Community group")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CLOSED = "closed", _("Closed")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="maker_groups")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_groups",
    )
    leader_name = models.CharField(max_length=200)
    leader_contact = models.CharField(max_length=200, help_text=_("Phone number or email."))
    member_count = models.PositiveIntegerField(default=1)
    capacity_sets_per_week = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "name"], name="maker_group_name_unique_in_hub"),
            models.CheckConstraint(
                condition=Q(member_count__gte=1), name="maker_group_has_members"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReturnPlan(models.Model):
    """A maker's word on where and when they will hand a kit back: finished scrubs ("ready to
    return") or a kit they cannot finish. Garments move only at the handover itself; the
    points and reminders pages read these plans to know who to expect."""

    class Reason(models.TextChoices):
        MISSING_PIECES = "missing_pieces", _("Pieces are missing")
        ILLNESS = "illness", _("I am ill")
        NO_TIME = "no_time", _("I do not have time")
        OTHER = "other", _("Another reason")

    class Status(models.TextChoices):
        OPEN = "open", _("Expected")
        DONE = "done", _("Handed in")
        REPLACED = "replaced", _("Replaced by a newer plan")
        CANCELLED = "cancelled", _("Cancelled")

    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="return_plans")
    kit = models.ForeignKey("packages.Kit", on_delete=models.CASCADE, related_name="return_plans")
    point = models.ForeignKey(
        "dropoffs.Point",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_plans",
    )
    doorstep = models.BooleanField(
        default=False, help_text=_("A driver collects from the maker's door instead of a point.")
    )
    day = models.DateField()
    unfinished = models.BooleanField(
        default=False, help_text=_("The maker cannot finish the kit and is giving it back.")
    )
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    finished_count = models.PositiveIntegerField(
        help_text=_("Garments the maker said were finished when they made the plan.")
    )
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "pk"]
        indexes = [
            models.Index(fields=["point", "day"], condition=Q(status="open"), name="plan_open_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kit"], condition=Q(status="open"), name="return_plan_one_open_per_kit"
            ),
            models.CheckConstraint(
                condition=Q(point__isnull=False, doorstep=False)
                | Q(point__isnull=True, doorstep=True),
                name="return_plan_point_or_doorstep",
            ),
            models.CheckConstraint(
                condition=Q(unfinished=False, reason="") | (Q(unfinished=True) & ~Q(reason="")),
                name="return_plan_unfinished_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "replaced", "cancelled"]),
                name="return_plan_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Kit {self.kit_id} back on {self.day:%d %b %Y}"


class KitProblem(models.Model):
    """Something wrong with a kit, reported by its maker for hub staff to answer."""

    class Kind(models.TextChoices):
        MISSING_PIECES = "missing_pieces", _("Pieces are missing")
        WRONG_PIECES = "wrong_pieces", _("Wrong pieces or wrong size")
        FABRIC_FAULT = "fabric_fault", _("A fault in the fabric")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the hub")
        ANSWERED = "answered", _("The hub has answered")
        RESOLVED = "resolved", _("Sorted out")

    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="kit_problems")
    kit = models.ForeignKey("packages.Kit", on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kit", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "answered", "resolved"]),
                name="kit_problem_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""),
                name="kit_problem_answered_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (kit {self.kit_id})"


class FormSubmission(models.Model):
    """A one-time form token that has been used (scrubhub.once). The unique key is what
    makes a form sent twice, even twice at once, create one thing."""

    key = models.CharField(max_length=32, unique=True)
    form = models.CharField(max_length=100)
    done_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.form} ({self.created_at:%d %b %Y %H:%M})"


SIGNIN_CODE_TRIES = 5


class SigninCode(models.Model):
    """The one-time code last texted to a maker to sign in with (makers.signin): one per
    person, a new one replaces it. Only hashes are kept: of the code (keyed with the
    site's secret) and of the challenge the browser that asked holds in its session, so
    the code works only there and a guess from anywhere else costs her no tries."""

    TRIES = SIGNIN_CODE_TRIES

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signin_code"
    )
    challenge = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64)
    tries_left = models.PositiveSmallIntegerField(default=TRIES)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    spent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(tries_left__lte=SIGNIN_CODE_TRIES),
                name="signin_code_tries_at_most_five",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="signin_code_expires_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-in code for user {self.user_id} ({self.created_at:%d %b %Y %H:%M})"


IMPORT_BATCH_HOURS = 24


class ImportBatch(models.Model):
    """A spreadsheet of volunteers that a staff member uploaded, kept between the steps of
    bringing it in (choose what each column is, check every row, import). Only the person
    who uploaded it sees it, in their hub. It holds other people's details, so its rows are
    emptied when it is imported, and an upload never imported is deleted after a day."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded, not imported yet")
        IMPORTED = "imported", _("Imported")

    class Basis(models.TextChoices):
        # Why the hub may contact the people in the sheet; recorded with each new person.
        PAPER_FORM = (
            "paper_form",
            _(
                "They filled in our paper form and agreed that we may keep their details and "
                "contact them"
            ),
        )
        ONLINE_FORM = (
            "online_form",
            _(
                "They filled in our own online form (a Google or Microsoft form, say) and "
                "agreed that we may keep their details and contact them"
            ),
        )
        ASKED_US = (
            "asked_us",
            _("They asked us by phone, email or in person to be on our list of volunteers"),
        )

    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="import_batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    note = models.CharField(
        max_length=300, blank=True, help_text=_("What reading the file needed, in words.")
    )
    headers = models.JSONField(default=list)
    # [[row number in the sheet, [cell, ...]], ...], every cell a string.
    rows = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    # What each column is (makers.imports.TARGETS), one entry a column; [] until chosen.
    columns = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    contact_basis = models.CharField(max_length=20, choices=Basis.choices, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    imported_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hub", "uploaded_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["uploaded", "imported"]), name="import_batch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="uploaded", imported_at__isnull=True)
                | (
                    Q(status="imported", imported_at__isnull=False)
                    & ~Q(contact_basis="")
                    & Q(rows=[])
                ),
                name="import_batch_imported_has_basis_and_no_rows",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count} rows, {self.created_at:%d %b %Y %H:%M})"


class ImportedMaker(models.Model):
    """A person an import brought in, or matched with a maker the hub already had: the
    sheet's row they came from, which blanks it filled, and their answer to the welcome.
    Holds no personal data itself."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="people")
    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="imports")
    sheet_row = models.PositiveIntegerField()
    merged = models.BooleanField(
        default=False, help_text=_("The row was someone the hub already had.")
    )
    filled = models.CharField(
        max_length=100, blank=True, help_text=_("Which of their blank details the sheet filled.")
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sheet_row", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "maker"], name="imported_maker_once_a_batch"),
        ]

    def __str__(self) -> str:
        return f"Row {self.sheet_row} of import {self.batch_id}"
