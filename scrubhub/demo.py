"""The demo hub: a Dundee-like scrub hub ten weeks into a crisis, with fictional people.

Everything is built through the services, so every row obeys the rules and has its
history. The demo clock moves "now" back through ten weeks while it builds, so timestamps
look like real history.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dropoffs import demo as dropoffs_demo
from dropoffs import services as dropoffs
from dropoffs.models import Point
from dropoffs.reminders import reminders_send
from makers import demo as makers_demo
from makers import guardian_services
from makers import services as makers
from makers.models import CONSENT_WORDING, Consent, Maker
from packages import demo as packages_demo
from packages import services as packages
from packages.models import (
    Delivery,
    DemandLine,
    GarmentType,
    Kit,
    Pattern,
    PrecutStock,
    QualityCheck,
    Size,
)
from scrubhub.accounts.demo import FIRST_NAMES, SURNAMES, demo_user
from scrubhub.audit.models import AuditEvent
from scrubhub.audit.services import audit_record
from scrubhub.hubs import demo as hubs_demo
from scrubhub.hubs.models import Hospital, Hub, Membership, Role
from scrubhub.notifications import demo as notifications_demo
from scrubhub.notifications.models import Message
from scrubhub.start import demo as start_demo

HUB_SLUG = "tayside"
WEEKS = 10

# The laundry's extra need, in sets per size (5,000 in all), on top of 6,500 in circulation.
NEED_BY_SIZE = {"XS": 250, "S": 750, "M": 1450, "L": 1350, "XL": 800, "2XL": 300, "3XL": 100}

POINTS = [
    (
        "University library foyer",
        "Small's Wynd, Dundee",
        "DD1 4HN",
        "56.4582",
        "-2.9822",
        "Mon–Fri 09:00–17:00",
    ),
    (
        "Broughty Ferry community hall",
        "Queen Street, Broughty Ferry",
        "DD5 2HN",
        "56.4673",
        "-2.8728",
        "Tue and Thu 10:00–15:00, Sat 10:00–12:00",
    ),
    (
        "Lochee parish church",
        "High Street, Lochee",
        "DD2 3AU",
        "56.4701",
        "-3.0045",
        "Wed 10:00–14:00, Sun 12:00–13:00",
    ),
    (
        "Stobswell pharmacy",
        "Albert Street, Dundee",
        "DD4 6NS",
        "56.4720",
        "-2.9520",
        "Mon–Sat 09:00–18:00",
    ),
    (
        "Invergowrie village shop",
        "Main Street, Invergowrie",
        "DD2 5AA",
        "56.4556",
        "-3.0597",
        "Every day 08:00–20:00",
    ),
]


@dataclass
class Demo:
    hub: Hub
    hospital: Hospital
    points: list[Point]
    users: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


@contextmanager
def demo_clock(start: datetime) -> Iterator[callable]:
    """Moves Django's idea of "now" so the demo's rows carry ten weeks of timestamps.

    Only for building the demo: services and auto_now fields call timezone.now(), so the
    history they write looks as it would have. Restored on exit, whatever happens.
    """
    real_now = timezone.now
    clock = {"now": start}

    def fake_now() -> datetime:
        clock["now"] += timedelta(seconds=1)
        return clock["now"]

    def set_to(moment: datetime) -> None:
        clock["now"] = moment

    timezone.now = fake_now
    try:
        yield set_to
    finally:
        timezone.now = real_now


def demo_exists() -> bool:
    return Hub.objects.filter(slug=HUB_SLUG).exists()


def demo_logins() -> list[tuple[str, str, str]]:
    return [
        ("staff", "Hub coordinator", "/hub/"),
        ("laundry", "Hospital laundry staff", "/laundry/"),
        ("maker", "Volunteer maker", "/me/"),
        ("driver", "Driver", "/runs/"),
        ("helper", "Point helper", "/scan/"),
        ("starter", "Coordinator of a new hub waiting to open", "/start/"),
        ("admin", "Platform operator", "/admin/"),
    ]


def build(*, seed: int = 2020, makers_count: int = 600) -> Demo:
    """Builds the whole demo in one transaction. Call only when demo_exists() is False."""
    rng = random.Random(seed)  # demo data, not security  # nosec B311
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    start = today - timedelta(weeks=WEEKS)
    with transaction.atomic(), demo_clock(start) as set_clock:
        demo = _build_places_and_people(rng)
        _build_stock(demo)
        makers_list = _build_makers(demo, rng, makers_count, start, set_clock)
        _build_history(demo, rng, makers_list, start, set_clock)
        set_clock(today)
        _build_now(demo, rng, makers_list)
        dropoffs_demo.extend_demo(demo, rng)
        hubs_demo.extend_demo(demo, rng)
        start_demo.extend_demo(demo, rng)
        makers_demo.extend_demo(demo, rng)
        packages_demo.extend_demo(demo, rng)
        notifications_demo.extend_demo(demo, rng)
        # Kits collected weeks ago are overdue: today's reminders go out as they would.
        reminders_send()
        # The demo's history already happened: its messages count as sent, so a fresh
        # `make run` does not print hundreds of old emails. Today's stay waiting.
        Message.objects.filter(
            hub=demo.hub, status=Message.Status.PENDING, created_at__lt=today
        ).update(status=Message.Status.SENT, sent_at=timezone.now())
    return demo


def _build_places_and_people(rng: random.Random) -> Demo:
    hospital = Hospital.objects.create(
        name="Tay Valley Hospital",
        slug="tay-valley",
        laundry_name="Tay Valley linen and laundry service",
        address="Hospital Road, Dundee DD2 1ZZ",
        phone="01382 600100",
        sets_in_circulation=6500,
    )
    hub = Hub.objects.create(
        name="Tayside Scrub Hub",
        slug=HUB_SLUG,
        area="Dundee and Angus",
        about=(
            "We are a volunteer hub run from the university. The hospital laundry needs 5,000 "
            "more sets of scrubs. A local mill gave the fabric and a pattern cutter cut it into "
            "kits. You sew a kit at home and hand the scrubs in at a drop-off point near you."
        ),
        phone="01382 384000",
        email="scrubs@tayside-hub.invalid",
        latitude=Decimal("56.4582"),
        longitude=Decimal("-2.9822"),
        overdue_after_days=7,
    )
    hub.hospitals.add(hospital)
    points = [
        Point.objects.create(
            hub=hub,
            name=name,
            address=address,
            postcode=postcode,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            opening_hours=hours,
            # Ofcom keeps 01632 960xxx for drama: a demo number that rings nobody.
            phone=f"01632 960{index:03d}",
        )
        for index, (name, address, postcode, lat, lon, hours) in enumerate(POINTS, start=1)
    ]
    demo = Demo(hub=hub, hospital=hospital, points=points)
    demo.users["staff"] = demo_user("staff", "Morag", "Fleming")
    Membership.objects.create(user=demo.users["staff"], role=Role.COORDINATOR, hub=hub)
    demo.users["shift"] = demo_user("shift", "Ravi", "Patel")
    Membership.objects.create(user=demo.users["shift"], role=Role.HUB_STAFF, hub=hub)
    demo.users["laundry"] = demo_user("laundry", "Jim", "Donaldson")
    Membership.objects.create(user=demo.users["laundry"], role=Role.LAUNDRY, hospital=hospital)
    demo.users["driver"] = demo_user("driver", "Kenny", "Ogilvie")
    Membership.objects.create(user=demo.users["driver"], role=Role.DRIVER, hub=hub)
    demo.users["helper"] = demo_user("helper", "Fiona", "Lamb")
    Membership.objects.create(
        user=demo.users["helper"], role=Role.POINT_HELPER, hub=hub, point=points[0]
    )
    demo.users["admin"] = demo_user(
        "admin", "Platform", "Operator", is_staff=True, is_superuser=True
    )
    return demo


def _build_stock(demo: Demo) -> None:
    staff = demo.users["staff"]
    hub = demo.hub
    mill = packages.donation_record(
        hub=hub,
        donor_name="Tay Mill Textiles",
        kind="fabric",
        actor=staff,
        quantity=6000,
        unit="metres",
        description="Polycotton scrub fabric, navy and teal, 150 cm wide",
        donor_contact="orders@taymill.invalid",
    )
    packages.donation_thank(hub=hub, donation=mill, actor=staff)
    cutter = packages.donation_record(
        hub=hub,
        donor_name="Precision Pattern Cutting",
        kind="cutting",
        actor=staff,
        quantity=4200,
        unit="garments",
        description="Cut the mill's fabric into kits, free",
        donor_contact="hello@precisioncut.invalid",
    )
    packages.donation_record(
        hub=hub,
        donor_name="Broughty Ferry Rotary",
        kind="notions",
        actor=staff,
        quantity=40,
        unit="reels",
        description="Navy thread and cotton tape for ties",
    )
    navy = packages.fabric_lot_receive(
        hub=hub,
        supplier="Tay Mill Textiles",
        colour="Navy",
        metres=4000,
        width_cm=150,
        approved_for_hospital_washing=True,
        actor=staff,
        donation=mill,
    )
    packages.fabric_lot_receive(
        hub=hub,
        supplier="Tay Mill Textiles",
        colour="Teal",
        metres=2000,
        width_cm=150,
        approved_for_hospital_washing=True,
        actor=staff,
        donation=mill,
    )
    for garment_type in GarmentType.values:
        for size in Size.values:
            metres = Decimal("1.40") if garment_type == "top" else Decimal("1.60")
            Pattern.objects.create(
                garment_type=garment_type,
                size=size,
                metres_per_garment=metres,
                name=f"Scrub {'top' if garment_type == 'top' else 'trousers'}, size {size}",
                instructions_text=(
                    "Sew with a 1 cm seam allowance. Use the ties provided, not elastic. "
                    "Sew the size label into the back seam."
                ),
            )
            share = NEED_BY_SIZE[size] / 5000
            packages.precut_receive(
                hub=hub,
                garment_type=garment_type,
                size=size,
                quantity=max(20, round(2100 * share)),
                cut_by="Precision Pattern Cutting",
                actor=staff,
                fabric_lot=navy,
                donation=cutter,
            )
    for size, sets in NEED_BY_SIZE.items():
        packages.demand_record(
            hospital=demo.hospital,
            garment_types=GarmentType.values,
            quantities={size: sets},
            actor=demo.users["laundry"],
            priority=(
                DemandLine.Priority.URGENT if size in {"M", "L"} else DemandLine.Priority.NORMAL
            ),
            needed_by=(timezone.localdate() + timedelta(weeks=14)),
            requirements="Navy or teal. Ties, not elastic. Fabric approved for hospital washing.",
        )


def _age_band(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return Maker.AgeBand.UNDER_18
    if roll < 0.27:
        return Maker.AgeBand.OVER_70
    return Maker.AgeBand.ADULT


def _build_makers(demo, rng, count, start, set_clock) -> list[Maker]:
    staff = demo.users["staff"]
    hub = demo.hub
    result = []
    maker_user = demo_user("maker", "Margaret", "Duncan")
    for i in range(count):
        set_clock(start + timedelta(hours=2 + i * (WEEKS * 7 * 24 - 48) // count))
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        age_band = _age_band(rng)
        is_demo_maker = i == 0
        if is_demo_maker:
            first, last, age_band = "Margaret", "Duncan", Maker.AgeBand.OVER_70
        has_email = rng.random() < 0.8 or is_demo_maker
        maker = makers.maker_apply(
            hub=hub,
            user=maker_user if is_demo_maker else None,
            name=f"{first} {last}",
            email=f"{first}.{last}.{i}@example.org".lower() if has_email else "",
            phone=f"07700 9{i:05d}" if (not has_email or rng.random() < 0.5) else "",
            postcode=rng.choice(["DD1", "DD2", "DD3", "DD4", "DD5", "DD8"])
            + f" {rng.randint(1, 9)}"
            + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
            + rng.choice("ABDEFGHJLNPQRSTUWXYZ"),
            age_band=age_band,
            guardian_name=f"Parent of {first}" if age_band == Maker.AgeBand.UNDER_18 else "",
            guardian_contact=f"07700 8{i:05d}" if age_band == Maker.AgeBand.UNDER_18 else "",
            experience=rng.choices(list(Maker.Experience.values), weights=[4, 5, 1])[0]
            if not is_demo_maker
            else Maker.Experience.PROFESSIONAL,
            has_sewing_machine=rng.random() < 0.93,
            sets_per_week=rng.choice([1, 1, 1, 2, 2, 3, 5]),
            preferred_point=rng.choice(demo.points),
            preferred_channel=Maker.Channel.EMAIL if has_email else Maker.Channel.SMS,
            heard_about=rng.choice(list(Maker.HeardAbout.values)),
            needs_doorstep_collection=age_band == Maker.AgeBand.OVER_70 and rng.random() < 0.3,
            consents=[
                (Consent.Purpose.STORE_DETAILS, CONSENT_WORDING),
                (Consent.Purpose.CONTACT, CONSENT_WORDING),
            ],
        )
        if maker.needs_guardian:
            # Their parent agreed on the page a (second) message linked to, a little later.
            set_clock(start + timedelta(hours=3 + i * (WEEKS * 7 * 24 - 48) // count))
            token = guardian_services.guardian_ask(maker=maker)
            guardian_services.guardian_answer(token=token, agree=True, name=f"Parent of {first}")
        result.append(maker)
    # Most were approved within a day or two; the newest still wait (applicants queue).
    newest = range(max(1, count - 80), count)
    waiting = set(rng.sample(newest, min(45, len(newest) // 2)))
    declined = {rng.randrange(1, newest.start) for _ in range(4)} if newest.start > 1 else set()
    approved: list[Maker] = []
    for i, maker in enumerate(result):
        if i in waiting:
            continue
        if i in declined:
            makers.maker_decline(maker=maker, actor=staff, reason="Outside the area we serve")
            continue
        approved.append(makers.maker_approve(maker=maker, actor=staff))
    demo.summary["makers"] = count
    demo.summary["waiting"] = len(waiting)
    makers.maker_group_create(
        hub=hub,
        name="Castlehill prison tailoring workshop",
        kind="prison",
        leader_name="Workshop instructor",
        leader_contact="01382 700200",
        actor=staff,
        member_count=12,
        capacity_sets_per_week=40,
    )
    return approved


def _kit_lifecycle(demo, rng, kit, maker, week_start, set_clock, *, stage: str) -> None:
    """Takes one kit as far as `stage` along its journey, a day or two per step."""
    staff, driver, helper = demo.users["staff"], demo.users["driver"], demo.users["helper"]
    day = timedelta(days=1)
    point = maker.preferred_point or demo.points[0]
    set_clock(week_start + timedelta(hours=10))
    packages.kit_allocate(kit=kit, actor=staff, maker=maker, collection_point=point)
    if stage == "allocated":
        return
    set_clock(week_start + day + timedelta(hours=rng.randint(9, 16)))
    dropoffs.handover_kit_collect(kit=kit, actor=helper, point=point)
    if stage == "with_maker":
        if rng.random() < 0.6:
            packages.kit_progress_log(
                kit=kit, finished=rng.randint(1, kit.garment_count - 1), actor=maker.user or staff
            )
        return
    count = kit.garment_count
    first = count if rng.random() < 0.7 else rng.randint(1, count - 1)
    set_clock(week_start + 5 * day + timedelta(hours=11))
    dropoffs.handover_garments_return(kit=kit, count=first, actor=helper, point=point)
    if stage == "at_point":
        return
    set_clock(week_start + 6 * day + timedelta(hours=10))
    dropoffs.handover_pick_up(point=point, kit_counts=[(kit, first)], actor=driver)
    if stage == "in_transit":
        return
    set_clock(week_start + 6 * day + timedelta(hours=15))
    dropoffs.handover_deliver_to_hub(hub=demo.hub, kit_counts=[(kit, first)], actor=driver)
    if first < count:
        # The rest came in later, straight to the hub.
        set_clock(week_start + 9 * day)
        dropoffs.handover_garments_return(kit=kit, count=count - first, actor=staff)
    if stage == "awaiting_check":
        return
    set_clock(week_start + 10 * day)
    kit.refresh_from_db()
    failed = 1 if rng.random() < 0.12 else 0
    to_check = kit.qty_awaiting_check
    packages.quality_check_record(
        kit=kit,
        passed=to_check - failed,
        failures=[packages.Failure(reason="Seams not finished" if failed else "", count=failed)],
        actor=staff,
        failed_outcome=(
            QualityCheck.FailedOutcome.WRITTEN_OFF
            if failed and rng.random() < 0.5
            else QualityCheck.FailedOutcome.REWORK
        )
        if failed
        else "",
    )


def _build_history(demo, rng, approved, start, set_clock) -> None:
    """Ten weeks of kits going out and scrubs coming back, and a delivery most weeks."""
    staff = demo.users["staff"]
    hub = demo.hub
    sizes = list(NEED_BY_SIZE)
    weights = list(NEED_BY_SIZE.values())
    makers_by_rotation = approved[:]
    rng.shuffle(makers_by_rotation)
    margaret = next(m for m in approved if m.user and m.user.username == "maker")
    rotation = itertools.cycle(makers_by_rotation)
    deliveries = 0
    for week in range(WEEKS - 1):
        week_start = start + timedelta(weeks=week, days=2)
        set_clock(week_start)
        kits = []
        # About 40 kits a week with 600 makers, rising as word spreads.
        for _ in range(max(4, (30 + week * 3) * len(approved) // 500)):
            garment_type = rng.choice(GarmentType.values)
            size = rng.choices(sizes, weights=weights)[0]
            batch = (
                PrecutStock.objects.filter(
                    hub=hub, garment_type=garment_type, size=size, quantity_available__gte=5
                )
                .order_by("pk")
                .first()
            )
            if batch is None:
                continue
            kits.extend(
                packages.kits_prepare(
                    hub=hub,
                    garment_type=garment_type,
                    size=size,
                    kit_count=1,
                    garments_per_kit=5,
                    actor=staff,
                    precut_stock=batch,
                ).kits.order_by("pk")
            )
        for kit in kits:
            maker = margaret if (week in (1, 4) and kit is kits[0]) else next(rotation)
            if week < WEEKS - 3:
                stage = "checked"
            elif week == WEEKS - 3:
                stage = rng.choice(["checked", "checked", "awaiting_check", "in_transit"])
            else:
                stage = rng.choice(
                    ["with_maker", "with_maker", "at_point", "in_transit", "awaiting_check"]
                )
            _kit_lifecycle(demo, rng, kit, maker, week_start, set_clock, stage=stage)
        if week >= 2 and week < WEEKS - 2:
            set_clock(week_start + timedelta(days=11))
            deliveries += _deliver_passed(demo, rng, discrepancy=(week == 5))
    demo.summary["deliveries"] = deliveries


def _deliver_passed(demo, rng, *, discrepancy: bool) -> int:
    """Packs every passed garment into one delivery, sends it and has the laundry confirm."""
    staff, laundry = demo.users["staff"], demo.users["laundry"]
    passed = (
        Kit.objects.filter(hub=demo.hub, qty_passed__gt=0)
        .values_list("garment_type", "size")
        .distinct()
    )
    pairs = sorted(set(passed))
    if not pairs:
        return 0
    delivery = packages.delivery_create(hub=demo.hub, hospital=demo.hospital, actor=staff)
    for garment_type, size in pairs:
        available = sum(
            Kit.objects.filter(hub=demo.hub, garment_type=garment_type, size=size).values_list(
                "qty_passed", flat=True
            )
        )
        demand = DemandLine.objects.filter(
            hospital=demo.hospital, garment_type=garment_type, size=size, status="open"
        ).first()
        packages.delivery_line_add(
            delivery=delivery,
            garment_type=garment_type,
            size=size,
            # Not everything checked goes at once: some passed garments wait for the next van.
            count=max(1, available * 4 // 5),
            actor=staff,
            demand_line=demand,
        )
    packages.delivery_send(delivery=delivery, actor=staff)
    lines = list(delivery.lines.all())
    received = {line.pk: line.count_sent for line in lines}
    note = ""
    if discrepancy:
        short = max(lines, key=lambda line: line.count_sent)
        received[short.pk] = short.count_sent - 3
        note = "Three medium tops missing from the box; the seal was intact."
    packages.delivery_confirm(
        delivery=delivery, received=received, actor=laundry, discrepancy_note=note
    )
    return 1


def _build_now(demo, rng, approved) -> None:
    """This week: fresh kits on the shelf, some waiting at points, a delivery being packed,
    a lost kit, a cancelled kit, an unfinished kit back, and rework."""
    staff = demo.users["staff"]
    hub = demo.hub

    def prepare(garment_type: str, size: str, n: int) -> list[Kit]:
        batch = (
            PrecutStock.objects.filter(
                hub=hub, garment_type=garment_type, size=size, quantity_available__gte=5 * n
            )
            .order_by("pk")
            .first()
        )
        if batch is None:
            return []
        made = packages.kits_prepare(
            hub=hub,
            garment_type=garment_type,
            size=size,
            kit_count=n,
            garments_per_kit=5,
            actor=staff,
            precut_stock=batch,
        )
        return list(made.kits.order_by("pk"))

    fresh = prepare("trousers", "M", 12) + prepare("top", "L", 8) + prepare("top", "S", 4)
    open_statuses = [Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER]
    idle = [
        m
        for m in approved
        if not m.assignments.filter(kit__status__in=open_statuses).exists() and m.user is None
    ]
    # The demo maker has a kit at home and one waiting for her at her point.
    margaret = next(m for m in approved if m.user and m.user.username == "maker")
    if len(fresh) > 10:
        packages.kit_allocate(
            kit=fresh[9], actor=staff, maker=margaret, collection_point=margaret.preferred_point
        )
        dropoffs.handover_kit_collect(
            kit=fresh[9], actor=demo.users["helper"], point=margaret.preferred_point
        )
        packages.kit_progress_log(kit=fresh[9], finished=3, actor=margaret.user)
        packages.kit_allocate(
            kit=fresh[10], actor=staff, maker=margaret, collection_point=margaret.preferred_point
        )
    # Volunteers' lives change: some pause, some withdraw, some agree to be asked again.
    for maker in idle[-12:-8]:
        makers.maker_pause(maker=maker, actor=staff, reason="Away for three weeks")
    for maker in idle[-8:-5]:
        makers.maker_withdraw(maker=maker, actor=staff, reason="No longer able to sew")
    for maker in idle[-5:-3]:
        makers.maker_standby(maker=maker, actor=staff, note="Happy to be asked again")
    # One person asked for everything about them to be deleted; their counts stay.
    if len(idle) >= 12:
        makers.maker_erase(maker=idle[-8], actor=staff)
    # The audit trail a coordinator would find: staff looking at people's records.
    for maker in idle[:3]:
        audit_record(
            actor=staff,
            hub=hub,
            action=AuditEvent.Action.VIEWED,
            subject=maker,
            detail="Opened the maker's page",
        )
    # Allocated and waiting to be collected at a point.
    for kit, maker in zip(fresh[:6], idle, strict=False):
        packages.kit_allocate(
            kit=kit, actor=staff, maker=maker, collection_point=maker.preferred_point
        )
    if len(fresh) > 8:
        packages.kit_cancel(kit=fresh[7], actor=staff, reason="Pieces cut to the wrong size")
    # A kit lost after collection; an unfinished kit handed back.
    with_maker = list(Kit.objects.filter(hub=hub, status=Kit.Status.WITH_MAKER).order_by("pk"))
    if with_maker:
        packages.kit_mark_lost(
            kit=with_maker[0], actor=staff, reason="The maker moved away and cannot be reached"
        )
    unfinished = next((kit for kit in with_maker[1:] if kit.qty_with_maker >= 3), None)
    if unfinished is not None:
        packages.kit_return_unfinished(
            kit=unfinished,
            actor=staff,
            finished=2,
            to_stock=unfinished.qty_with_maker - 2,
            reason="Illness: cannot finish",
        )
    # A delivery being packed (its garments are reserved).
    passed = Kit.objects.filter(hub=hub, qty_passed__gt=0).order_by("pk").first()
    if passed is not None:
        delivery = packages.delivery_create(hub=hub, hospital=demo.hospital, actor=staff)
        packages.delivery_line_add(
            delivery=delivery,
            garment_type=passed.garment_type,
            size=passed.size,
            count=min(passed.qty_passed, 3),
            actor=staff,
            kits=[passed],
        )
    demo.summary["kits"] = Kit.objects.filter(hub=hub).count()
    demo.summary["deliveries_received"] = Delivery.objects.filter(
        hub=hub, status=Delivery.Status.RECEIVED
    ).count()
