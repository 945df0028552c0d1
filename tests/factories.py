"""factory_boy factories for test data. One factory per model; later areas add theirs below."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from dropoffs.models import Point
from scrubhub.hubs.models import Hospital, Hub, Membership, Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save(update_fields=["password"])


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    name = factory.Sequence(lambda n: f"Hospital {n}")
    slug = factory.Sequence(lambda n: f"hospital-{n}")
    laundry_name = "Central laundry"
    sets_in_circulation = 6500


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Scrub Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    area = "Dundee"
    phone = "01382 000000"
    email = factory.Sequence(lambda n: f"hub{n}@example.org")
    latitude = Decimal("56.458")
    longitude = Decimal("-2.982")


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Point

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Point {n}")
    address = "1 High Street, Dundee"
    postcode = "DD1 1AA"
    latitude = Decimal("56.460")
    longitude = Decimal("-2.970")
    opening_hours = "Mon–Fri 10:00–16:00"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.HUB_STAFF
    hub = factory.SubFactory(HubFactory)


# --- Makers, stock and kits (issue 3) ---------------------------------------------------


class MakerFactory(factory.django.DjangoModelFactory):
    """An approved maker. Pass user=... for one who signs in (add their Membership too)."""

    class Meta:
        model = "makers.Maker"

    hub = factory.SubFactory(HubFactory)
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"maker{n}@example.org")
    phone = "07700 900000"
    postcode = "DD1 4HN"
    status = "approved"


class MakerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "makers.MakerGroup"

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Sewing group {n}")
    leader_name = "Pat Leader"
    leader_contact = "01382 111111"
    member_count = 12
    capacity_sets_per_week = 20


class FabricLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "packages.FabricLot"

    hub = factory.SubFactory(HubFactory)
    supplier = "Tay Mill"
    colour = "Navy"
    width_cm = 150
    approved_for_hospital_washing = True
    metres_received = Decimal("100.00")
    metres_available = factory.LazyAttribute(lambda lot: lot.metres_received)


class PrecutStockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "packages.PrecutStock"

    hub = factory.SubFactory(HubFactory)
    cut_by = "Dundee cutting room"
    garment_type = "top"
    size = "M"
    quantity_received = 100
    quantity_available = factory.LazyAttribute(lambda stock: stock.quantity_received)


class PatternFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "packages.Pattern"

    hub = None
    garment_type = "top"
    size = "M"
    name = factory.LazyAttribute(lambda p: f"{p.garment_type} {p.size}")
    metres_per_garment = Decimal("1.50")
    instructions_url = "https://example.org/instructions"


def prepared_kits(*, hub, garment_type="top", size="M", kit_count=1, garments=5, actor=None):
    """Kits made up through the service (so counts, movements and tallies agree), drawing
    from a fresh batch of pre-cut pieces."""
    from packages.services import MAX_KITS_PER_BATCH, kits_prepare

    stock = PrecutStockFactory(
        hub=hub, garment_type=garment_type, size=size, quantity_received=kit_count * garments
    )
    kits = []
    while len(kits) < kit_count:  # more kits than one batch holds come in several batches
        batch = kits_prepare(
            hub=hub,
            garment_type=garment_type,
            size=size,
            kit_count=min(MAX_KITS_PER_BATCH, kit_count - len(kits)),
            garments_per_kit=garments,
            precut_stock=stock,
            actor=actor,
        )
        kits += batch.kits.order_by("pk")
    return kits


# --- The laundry and deliveries (issue 9) ----------------------------------------------------


def passed_kit(
    *, hub, maker=None, group=None, actor=None, garment_type="top", size="M", garments=5
):
    """A kit sewn by a maker (or group) whose garments have all passed the hub's check."""
    from packages import services

    (kit,) = prepared_kits(
        hub=hub, garment_type=garment_type, size=size, garments=garments, actor=actor
    )
    if maker is None and group is None:
        maker = MakerFactory(hub=hub)
    services.kit_allocate(kit=kit, maker=maker, group=group, actor=actor)
    services.kit_collect(kit=kit, actor=actor)
    services.garments_return(kit=kit, count=garments, actor=actor)
    services.quality_check_record(kit=kit, passed=garments, failures=[], actor=actor)
    kit.refresh_from_db()
    return kit


def demand(*, hospital, garment_type="top", size="M", quantity=20, actor=None, **extra):
    from packages import services

    # A request needed by a day gone by was recorded while that day was still ahead.
    needed_by = extra.get("needed_by")
    today = min(needed_by, timezone.localdate()) if needed_by else None
    return services.demand_record(
        hospital=hospital,
        garment_types=[garment_type],
        quantities={size: quantity},
        actor=actor,
        today=today,
        **extra,
    )[0]


def delivery(
    *,
    hub,
    hospital,
    actor=None,
    status="sent",
    sizes=(("top", "M", 5),),
    maker=None,
    received=None,
    discrepancy_note="",
    laundry_user=None,
):
    """A delivery built through the services: packed ("draft"), sent, or received (with the
    counts in `received`, line by line in `sizes` order; default: as sent)."""
    from packages import services

    draft = services.delivery_create(hub=hub, hospital=hospital, actor=actor)
    for garment_type, size, count in sizes:
        passed_kit(
            hub=hub,
            maker=maker,
            actor=actor,
            garment_type=garment_type,
            size=size,
            garments=count,
        )
        # Packed as the hub's page packs: linked to the most urgent open request.
        services.delivery_pack(delivery=draft, counts={(garment_type, size): count}, actor=actor)
    if status == "draft":
        return draft
    services.delivery_send(delivery=draft, actor=actor)
    if status == "sent":
        draft.refresh_from_db()
        return draft
    lines = list(draft.lines.order_by("garment_type", "size"))
    order = {(t, s): i for i, (t, s, _) in enumerate(sizes)}
    lines.sort(key=lambda line: order[(line.garment_type, line.size)])
    counts = {
        line.pk: (received[i] if received is not None else line.count_sent)
        for i, line in enumerate(lines)
    }
    services.delivery_confirm(
        delivery=draft,
        received=counts,
        actor=laundry_user or actor,
        discrepancy_note=discrepancy_note,
    )
    draft.refresh_from_db()
    return draft
