"""What flows through a hub: donated stock, kits and their garments, demand and deliveries.

A kit's garments are always accounted for: each kit counts them in one column per place
(`qty_<place>`), the columns sum to the kit's garment count (a CHECK constraint), and every
move is a GarmentMovement row written in the same transaction as the counts.
"""

from __future__ import annotations

from functools import reduce
from operator import add

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class GarmentType(models.TextChoices):
    TOP = "top", _("Scrub top")
    TROUSERS = "trousers", _("Scrub trousers")


class Size(models.TextChoices):
    XS = "XS", "XS"
    S = "S", "S"
    M = "M", "M"
    L = "L", "L"
    XL = "XL", "XL"
    XXL = "2XL", "2XL"
    XXXL = "3XL", "3XL"


# In running text: "Count the scrub tops", "3 kits of 5 scrub tops".
GARMENT_PLURALS = {GarmentType.TOP: _("scrub tops"), GarmentType.TROUSERS: _("scrub trousers")}


def garments_text(garment_type: str, n: int) -> str:
    """n garments of a type as a sentence says it: "1 scrub top", "5 scrub tops",
    "1 pair of scrub trousers"."""
    if garment_type == GarmentType.TOP:
        return ngettext("%(n)s scrub top", "%(n)s scrub tops", n) % {"n": n}
    return ngettext("%(n)s pair of scrub trousers", "%(n)s pairs of scrub trousers", n) % {"n": n}


def garment_size_key(garment_type: str, size: str) -> tuple[int, int]:
    """Tops before trousers, then sizes as garments run (XS to 3XL). Sorting the codes
    themselves gives 2XL, 3XL, L, M, S, XL, XS."""
    return (GarmentType.values.index(garment_type), Size.values.index(size))


def garment_size_order() -> list[models.Case]:
    """The same order for order_by(): the columns hold the codes."""
    return [
        models.Case(
            *(models.When(**{name: value}, then=rank) for rank, value in enumerate(values)),
            output_field=models.IntegerField(),
        )
        for name, values in (("garment_type", GarmentType.values), ("size", Size.values))
    ]


def sets(tops: int, trousers: int) -> int:
    """A set is one top and one pair of trousers of the same size. Wherever ScrubHub says
    "sets" it means this, per size: the smaller of the two."""
    return min(tops, trousers)


class Place(models.TextChoices):
    """Where a kit's garments are. Each place is a `qty_<place>` column on Kit and HubTally."""

    IN_KIT = "in_kit", _("In a kit at the hub")
    WITH_MAKER = "with_maker", _("With the maker")
    AT_POINT = "at_point", _("At a drop-off point")
    IN_TRANSIT = "in_transit", _("On the way to the hub")
    AWAITING_CHECK = "awaiting_check", _("Waiting to be checked")
    PASSED = "passed", _("Passed the check")
    RESERVED = "reserved", _("Packed for a delivery")
    DELIVERED = "delivered", _("Delivered")
    REWORK = "rework", _("Needs rework")
    WRITTEN_OFF = "written_off", _("Written off")
    RETURNED_TO_STOCK = "returned_to_stock", _("Unsewn, back in stock")


PLACES: list[str] = [p.value for p in Place]
TERMINAL_PLACES: frozenset[str] = frozenset(
    {Place.DELIVERED, Place.WRITTEN_OFF, Place.RETURNED_TO_STOCK}
)
OPEN_PLACES: list[str] = [p for p in PLACES if p not in TERMINAL_PLACES]


def qty_field(place: str) -> str:
    return f"qty_{place}"


def _non_negative(prefix: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{qty_field(p)}__gte": 0}), name=f"{prefix}_{p}_not_negative"
        )
        for p in PLACES
    ]


class PlaceCounts(models.Model):
    """Garments counted in one column per Place (`qty_<place>`): a kit's own, or a hub's
    sum over its kits. Keep in step with Place."""

    qty_in_kit = models.PositiveIntegerField(default=0)
    qty_with_maker = models.PositiveIntegerField(default=0)
    qty_at_point = models.PositiveIntegerField(default=0)
    qty_in_transit = models.PositiveIntegerField(default=0)
    qty_awaiting_check = models.PositiveIntegerField(default=0)
    qty_passed = models.PositiveIntegerField(default=0)
    qty_reserved = models.PositiveIntegerField(default=0)
    qty_delivered = models.PositiveIntegerField(default=0)
    qty_rework = models.PositiveIntegerField(default=0)
    qty_written_off = models.PositiveIntegerField(default=0)
    qty_returned_to_stock = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def counts(self) -> dict[str, int]:
        return {p: getattr(self, qty_field(p)) for p in PLACES}


# "Anything else to note" on goods in: a few lines for the thank-you letter, not a document.
DONATION_DESCRIPTION_MAX = 2000


class Donation(models.Model):
    """Goods in: who gave what, when, how much, and whether we thanked them."""

    class Kind(models.TextChoices):
        FABRIC = "fabric", _("Fabric")
        PRECUT = "precut", _("Pre-cut pieces")
        CUTTING = "cutting", _("Cutting work")
        NOTIONS = "notions", _("Thread, ties and notions")
        MONEY = "money", _("Money")
        OTHER = "other", _("Other")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="donations")
    donor_name = models.CharField(max_length=200)
    donor_contact = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=DONATION_DESCRIPTION_MAX, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    unit = models.CharField(max_length=30, blank=True, help_text=_("metres, garments, pounds…"))
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    thanked_at = models.DateTimeField(null=True, blank=True)
    thanked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["hub", "-received_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="donation_quantity_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.donor_name}: {self.get_kind_display()}"


class FabricLot(models.Model):
    """A roll or batch of fabric, counted in metres."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="fabric_lots")
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="fabric_lots"
    )
    supplier = models.CharField(max_length=200)
    colour = models.CharField(max_length=60)
    width_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    approved_for_hospital_washing = models.BooleanField(default=False)
    metres_received = models.DecimalField(max_digits=10, decimal_places=2)
    metres_available = models.DecimalField(max_digits=10, decimal_places=2)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(metres_available__gte=0), name="fabric_lot_metres_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(metres_received__gte=0), name="fabric_lot_received_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.colour} from {self.supplier} ({self.metres_available} m)"


class PrecutStock(models.Model):
    """Pre-cut pieces, counted in garments' worth of one type and size."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="precut_stock")
    fabric_lot = models.ForeignKey(
        FabricLot, on_delete=models.PROTECT, null=True, blank=True, related_name="precut_stock"
    )
    donation = models.ForeignKey(
        Donation, on_delete=models.SET_NULL, null=True, blank=True, related_name="precut_stock"
    )
    cut_by = models.CharField(max_length=200, help_text=_("Who cut the pieces."))
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    quantity_received = models.PositiveIntegerField()
    quantity_available = models.PositiveIntegerField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["hub", "garment_type", "size"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_available__gte=0), name="precut_available_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_garment_type_display()} {self.size}: {self.quantity_available}"


class Pattern(models.Model):
    """The pattern and sewing instructions for one garment type and size, for one hub or,
    with no hub, for every hub. A kit links to the one it was made up with."""

    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="patterns"
    )
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    name = models.CharField(max_length=200)
    metres_per_garment = models.DecimalField(max_digits=6, decimal_places=2)
    instructions_url = models.URLField(blank=True)
    instructions_text = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["garment_type", "size", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(metres_per_garment__gt=0), name="pattern_metres_positive"
            ),
            models.UniqueConstraint(
                fields=["hub", "garment_type", "size"],
                condition=Q(is_current=True, hub__isnull=False),
                name="pattern_one_current_per_hub",
            ),
            models.UniqueConstraint(
                fields=["garment_type", "size"],
                condition=Q(is_current=True, hub__isnull=True),
                name="pattern_one_current_global",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KitStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    ALLOCATED = "allocated", _("Allocated")
    WITH_MAKER = "with_maker", _("With maker")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    LOST = "lost", _("Lost")


class Kit(PlaceCounts):
    """A scrub package: pieces for `garment_count` garments of one type and size."""

    Status = KitStatus

    class Source(models.TextChoices):
        PRECUT = "precut", _("Pre-cut pieces")
        FABRIC = "fabric", _("Fabric cut by the hub")

    code = models.CharField(max_length=12, unique=True)
    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="kits")
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    garment_count = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    precut_stock = models.ForeignKey(
        PrecutStock, on_delete=models.PROTECT, null=True, blank=True, related_name="kits"
    )
    fabric_lot = models.ForeignKey(
        FabricLot, on_delete=models.PROTECT, null=True, blank=True, related_name="kits"
    )
    fabric_metres = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    pattern = models.ForeignKey(
        Pattern, on_delete=models.PROTECT, null=True, blank=True, related_name="kits"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREPARED)
    collection_point = models.ForeignKey(
        "dropoffs.Point",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kits_to_collect",
        help_text=_("Where an allocated kit waits for its maker."),
    )
    finished_count = models.PositiveIntegerField(
        default=0, help_text=_("Garments the maker says are finished.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the kit last went to its current holder (collected, or handed on since): set
    # with the KitEvent that records it, so overdue kits are found from an index.
    collected_at = models.DateTimeField(null=True, blank=True, editable=False)

    # One count column per Place (from PlaceCounts), summing to garment_count.

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["hub", "status", "collected_at"], name="kit_collected_idx"),
            # The kits list, newest first: one status, or every open one, read a page at
            # a time down an index however many kits the hub has made.
            models.Index(fields=["hub", "status", "-created_at", "-id"], name="kit_newest_idx"),
            models.Index(
                fields=["hub", "-created_at", "-id"],
                condition=Q(status__in=["prepared", "allocated", "with_maker"]),
                name="kit_open_newest_idx",
            ),
            models.Index(fields=["hub", "garment_type", "size", "status"]),
            models.Index(
                fields=["hub", "garment_type", "size"],
                condition=Q(qty_passed__gt=0),
                name="kit_has_passed_idx",
            ),
            models.Index(
                fields=["collection_point"],
                condition=Q(status="allocated"),
                name="kit_waiting_at_point_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(garment_count__gte=1), name="kit_has_garments"),
            models.CheckConstraint(
                condition=Q(garment_count=reduce(add, [F(qty_field(p)) for p in PLACES])),
                name="kit_garments_all_accounted_for",
            ),
            *_non_negative("kit"),
            models.CheckConstraint(
                condition=Q(finished_count__gte=0, finished_count__lte=F("garment_count")),
                name="kit_finished_within_count",
            ),
            # A kit draws from one kind of stock, never both for the same garments.
            models.CheckConstraint(
                condition=Q(
                    source="precut",
                    precut_stock__isnull=False,
                    fabric_lot__isnull=True,
                    fabric_metres__isnull=True,
                )
                | Q(
                    source="fabric",
                    precut_stock__isnull=True,
                    fabric_lot__isnull=False,
                    fabric_metres__gt=0,
                    pattern__isnull=False,
                ),
                name="kit_draws_from_one_stock",
            ),
            models.CheckConstraint(
                condition=Q(status__in=KitStatus.values), name="kit_status_valid"
            ),
            # A finished kit (closed, lost, cancelled) has no garment left on the move.
            models.CheckConstraint(
                condition=Q(status__in=["prepared", "allocated", "with_maker"])
                | Q(**{f"{qty_field(p)}": 0 for p in OPEN_PLACES}),
                name="kit_finished_has_no_open_garments",
            ),
            # Before collection the garments are all still in the kit.
            models.CheckConstraint(
                condition=~Q(status__in=["prepared", "allocated"])
                | Q(qty_in_kit=F("garment_count")),
                name="kit_uncollected_is_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def display_code(self) -> str:
        return f"{self.code[:3]}-{self.code[3:]}" if len(self.code) == 7 else self.code

    @property
    def garments_text(self) -> str:
        """What the kit holds, as a sentence says it: "5 scrub tops"."""
        return garments_text(self.garment_type, self.garment_count)

    @property
    def garments_and_size(self) -> str:
        """What the kit holds and its size, as a list shows it: "5 scrub tops, size M"."""
        return _("%(garments)s, size %(size)s") % {
            "garments": self.garments_text,
            "size": self.size,
        }

    @property
    def status_now(self) -> str:
        """The status as a person should read it. A kit stays "with maker" until the hub
        closes it, but once she has handed every garment in that would be untrue."""
        if self.status != KitStatus.WITH_MAKER or self.qty_with_maker:
            return self.get_status_display()
        if self.qty_rework:
            return _("With maker for rework")
        return _("All handed in")

    @property
    def open_garments(self) -> int:
        return sum(getattr(self, qty_field(p)) for p in OPEN_PLACES)


class KitEvent(models.Model):
    """One status change of a kit."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["kit", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kit_id}: {self.old_status or 'new'} → {self.new_status}"


class KitAssignment(models.Model):
    """Who holds a kit: one maker or one group. At most one open assignment per kit; ended
    ones are its history."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="assignments")
    maker = models.ForeignKey(
        "makers.Maker", on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    group = models.ForeignKey(
        "makers.MakerGroup",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)
    # When the holder first handed garments in, and whether that was within the hub's
    # overdue limit: the facts behind their record (see makers.models.HolderRecord).
    handed_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    handed_in_on_time = models.BooleanField(null=True, editable=False)

    class Meta:
        ordering = ["assigned_at", "pk"]
        indexes = [
            models.Index(
                fields=["maker"], condition=Q(ended_at__isnull=True), name="assignment_open_maker"
            ),
            models.Index(
                fields=["group"], condition=Q(ended_at__isnull=True), name="assignment_open_group"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(maker__isnull=False, group__isnull=True)
                | Q(maker__isnull=True, group__isnull=False),
                name="assignment_maker_or_group",
            ),
            models.UniqueConstraint(
                fields=["kit"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_open_per_kit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kit_id} → {self.holder}"

    @property
    def holder(self):
        return self.maker or self.group


class GarmentMovement(models.Model):
    """Garments of one kit moving from one place to another. Replaying a kit's movements
    from zero gives its counts; an empty `from_place` means the kit was made up."""

    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="movements")
    from_place = models.CharField(max_length=20, choices=Place.choices, blank=True)
    to_place = models.CharField(max_length=20, choices=Place.choices)
    count = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    point = models.ForeignKey(
        "dropoffs.Point",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="garment_movements",
    )
    handover = models.ForeignKey(
        "dropoffs.Handover",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    delivery_line = models.ForeignKey(
        "DeliveryLine", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["kit", "created_at"]),
            # This week's and the last four weeks' figures read movements by time and place.
            models.Index(fields=["to_place", "created_at"], name="movement_place_time_idx"),
            models.Index(fields=["created_at"], name="movement_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="movement_count_positive"),
            models.CheckConstraint(
                condition=~Q(from_place=F("to_place")), name="movement_goes_somewhere"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.count} of kit {self.kit_id}: {self.from_place or 'made up'} → {self.to_place}"
        )


class PointHolding(models.Model):
    """Finished garments of one kit waiting at one point (kept with each move)."""

    point = models.ForeignKey("dropoffs.Point", on_delete=models.PROTECT, related_name="holdings")
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="holdings")
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["point"], condition=Q(count__gt=0), name="holding_nonzero_idx")
        ]
        constraints = [
            models.UniqueConstraint(fields=["point", "kit"], name="holding_one_per_point_kit"),
            models.CheckConstraint(condition=Q(count__gte=0), name="holding_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.count} of kit {self.kit_id} at point {self.point_id}"


class HubTally(PlaceCounts):
    """Garments of one hub, type and size in each place, kept in the same transaction as
    every move so dashboards never read a stale or drifting number."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="tallies")
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    received_by_laundry = models.PositiveIntegerField(
        default=0, help_text=_("Garments the laundry confirmed receiving.")
    )

    # One count column per Place (from PlaceCounts): the sum over the hub's kits.

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "garment_type", "size"], name="tally_one_per_hub_type_size"
            ),
            models.CheckConstraint(
                condition=Q(received_by_laundry__gte=0), name="tally_received_not_negative"
            ),
            *_non_negative("tally"),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} {self.garment_type} {self.size}"


class HubDayTally(models.Model):
    """Garments of one hub, type and size handed in, passing the check and delivered on one
    day, kept in the same transaction as every move: the dashboard's week and the forecast's
    rate read a few dozen of these rows, never the movements themselves."""

    hub = models.ForeignKey("hubs.Hub", on_delete=models.CASCADE, related_name="day_tallies")
    day = models.DateField()
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    handed_in = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "day", "garment_type", "size"], name="day_tally_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hub_id} {self.day} {self.garment_type} {self.size}"


class QualityCheck(models.Model):
    """One check of garments from a kit."""

    class FailedOutcome(models.TextChoices):
        REWORK = "rework", _("Back to the maker for rework")
        WRITTEN_OFF = "written_off", _("Written off")

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="quality_checks")
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    failed_outcome = models.CharField(max_length=12, choices=FailedOutcome.choices, blank=True)
    reason = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(passed__gte=1) | Q(failed__gte=1), name="check_counts_something"
            ),
            models.CheckConstraint(
                condition=Q(failed=0) | ~Q(failed_outcome=""), name="check_failed_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"Kit {self.kit_id}: {self.passed} passed, {self.failed} failed"


class KitProgress(models.Model):
    """A maker saying how many garments of their kit are finished (only ever goes up)."""

    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="progress")
    finished = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Kit {self.kit_id}: {self.finished} finished"


class DemandLineQuerySet(models.QuerySet):
    def most_urgent_first(self) -> DemandLineQuerySet:
        return self.order_by(*DemandLine.urgency_order())

    def with_delivery_sums(self) -> DemandLineQuerySet:
        """Each request with `delivered` (what arrived, never more than was sent), `on_the_way`
        (sent, not yet confirmed) and `packed` (in a delivery being packed)."""
        S = Delivery.Status
        return self.annotate(
            delivered=Coalesce(
                Sum(
                    Least("delivery_lines__count_received", "delivery_lines__count_sent"),
                    filter=Q(delivery_lines__delivery__status=S.RECEIVED),
                ),
                0,
            ),
            on_the_way=Coalesce(
                Sum(
                    "delivery_lines__count_sent", filter=Q(delivery_lines__delivery__status=S.SENT)
                ),
                0,
            ),
            packed=Coalesce(
                Sum(
                    "delivery_lines__count_sent", filter=Q(delivery_lines__delivery__status=S.DRAFT)
                ),
                0,
            ),
        )


class DemandLine(models.Model):
    """What a hospital's laundry asked for."""

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    hospital = models.ForeignKey(
        "hubs.Hospital", on_delete=models.PROTECT, related_name="demand_lines"
    )
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    quantity = models.PositiveIntegerField()
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    needed_by = models.DateField(null=True, blank=True)
    requirements = models.TextField(
        blank=True, help_text=_("Colour, fabric, ties not elastic, and so on.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    objects = DemandLineQuerySet.as_manager()

    class Meta:
        ordering = ["needed_by", "pk"]
        indexes = [models.Index(fields=["hospital", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="demand_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_garment_type_display()} {self.size}"

    @staticmethod
    def urgency_order() -> list:
        """Most urgent first: urgent, high, normal, low; then the earliest date; then oldest."""
        P = DemandLine.Priority
        rank = Case(
            *[When(priority=p, then=Value(i)) for i, p in enumerate([P.URGENT, P.HIGH, P.NORMAL])],
            default=Value(3),
            output_field=models.IntegerField(),
        )
        return [rank, F("needed_by").asc(nulls_last=True), "created_at", "pk"]


class DemandChange(models.Model):
    """History of a demand line: who changed what, when."""

    line = models.ForeignKey(DemandLine, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changes = models.JSONField(default=dict)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Demand {self.line_id} changed {self.created_at:%d %b %Y}"


class Delivery(models.Model):
    """Garments going from a hub to a hospital's laundry."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being packed")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    hub = models.ForeignKey("hubs.Hub", on_delete=models.PROTECT, related_name="deliveries")
    hospital = models.ForeignKey(
        "hubs.Hospital", on_delete=models.PROTECT, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    discrepancy_note = models.TextField(blank=True)
    # A shortfall or excess stays on the hub's dashboard until staff say it is sorted out.
    discrepancy_resolved_at = models.DateTimeField(null=True, blank=True)
    discrepancy_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    discrepancy_resolution = models.TextField(blank=True)
    thank_you_note = models.TextField(
        blank=True, help_text=_("A few words from the laundry, passed on to the makers.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["hub", "status"]),
            models.Index(fields=["hospital", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "received"]) | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="received") | Q(received_at__isnull=False),
                name="delivery_received_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Delivery {self.pk} to {self.hospital_id} ({self.status})"

    @property
    def reference(self) -> str:
        """What the delivery note and the laundry's pages call it. Built from the id, so
        every delivery has one without a counter to keep."""
        return f"D-{self.pk:05d}" if self.pk else ""

    @property
    def has_discrepancy(self) -> bool:
        return bool(self.discrepancy_note)


class DeliveryLine(models.Model):
    """One garment type and size in a delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    garment_type = models.CharField(max_length=10, choices=GarmentType.choices)
    size = models.CharField(max_length=4, choices=Size.choices)
    demand_line = models.ForeignKey(
        DemandLine,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delivery_lines",
    )
    count_sent = models.PositiveIntegerField(default=0)
    count_received = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["garment_type", "size"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "garment_type", "size"], name="delivery_line_one_per_size"
            ),
            models.CheckConstraint(
                condition=Q(count_sent__gte=0), name="delivery_line_sent_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count_sent} × {self.get_garment_type_display()} {self.size}"


class DeliveryAllocation(models.Model):
    """Which kit's passed garments went into which delivery line: this traces a garment in
    the hospital back to its kit, maker, points and fabric lot."""

    line = models.ForeignKey(DeliveryLine, on_delete=models.CASCADE, related_name="allocations")
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="delivery_allocations")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "kit"], name="allocation_one_per_line_kit"),
            models.CheckConstraint(condition=Q(count__gte=1), name="allocation_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} from kit {self.kit_id}"


# --- The laundry: quality needs, sets in circulation, wash failures (issue 9) ------------


class QualityRequirement(models.Model):
    """Something a hospital needs of every garment (fabric approved for hospital washing, a
    1 cm seam allowance, a size label). It is shown to makers with the sewing instructions
    and offered to the hub as a reason when a garment fails the check."""

    hospital = models.ForeignKey(
        "hubs.Hospital", on_delete=models.CASCADE, related_name="quality_requirements"
    )
    garment_type = models.CharField(
        max_length=10,
        choices=GarmentType.choices,
        blank=True,
        help_text=_("Leave empty when it applies to every garment."),
    )
    title = models.CharField(max_length=120)
    detail = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["hospital", "is_active"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="quality_requirement_has_title")
        ]

    def __str__(self) -> str:
        return self.title


class CirculationRecord(models.Model):
    """The laundry saying how many sets it already has in use; the latest one is copied to
    the hospital, the rest are its history."""

    hospital = models.ForeignKey(
        "hubs.Hospital", on_delete=models.CASCADE, related_name="circulation_records"
    )
    sets = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["hospital", "-recorded_at"])]

    def __str__(self) -> str:
        return f"{self.sets} sets at {self.hospital_id}"


class WashFailure(models.Model):
    """Garments from a delivery that failed in the hospital's wash. The laundry reports a
    count and a reason per line; the hub sees it against the kits (and so the makers) that
    went into that line."""

    class Reason(models.TextChoices):
        SEAMS = "seams", _("Seams came apart")
        SHRANK = "shrank", _("Shrank or lost its shape")
        COLOUR = "colour", _("Colour ran or faded")
        TIES = "ties", _("Ties or elastic came off")
        FABRIC = "fabric", _("Fabric tore or wore through")
        LABEL = "label", _("Size label missing or unreadable")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        TO_LOOK_AT = "to_look_at", _("To look at")
        LOOKED_AT = "looked_at", _("Looked at")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="wash_failures")
    line = models.ForeignKey(DeliveryLine, on_delete=models.CASCADE, related_name="wash_failures")
    kit = models.ForeignKey(
        Kit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wash_failures",
        help_text=_("Set when the laundry picked the kit or read its code on the label."),
    )
    count = models.PositiveIntegerField()
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    # Each report waits on the hub's dashboard until someone has looked at how it was made.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TO_LOOK_AT)
    looked_at_at = models.DateTimeField(null=True, blank=True)
    looked_at_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    looked_at_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["delivery", "line"]),
            models.Index(
                fields=["delivery"],
                condition=Q(status="to_look_at"),
                name="wash_failure_to_look_at_idx",
            ),
            models.Index(fields=["reported_at"], name="wash_failure_reported_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="wash_failure_count_positive"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(note=""), name="wash_failure_other_has_note"
            ),
            models.CheckConstraint(
                condition=Q(status="to_look_at", looked_at_at__isnull=True)
                | Q(status="looked_at", looked_at_at__isnull=False),
                name="wash_failure_looked_at_has_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} failed in the wash ({self.reason})"

    @property
    def what_failed(self) -> str:
        """ "2 scrub tops, size M" (needs `line`)."""
        return _("%(garments)s, size %(size)s") % {
            "garments": garments_text(self.line.garment_type, self.count),
            "size": self.line.size,
        }
