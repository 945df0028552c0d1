"""The laundry's part of the demo hub, and a batch of kits cut from fabric: quality needs,
sets in use over time, demand changed and withdrawn, a delivery confirmed today with a
thank-you note, wash failures on an earlier one, and a delivery on its way. Built through
the services, like the rest."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from packages import services
from packages.models import Delivery, DemandLine, FabricLot, HubTally

QUALITY_NEEDS = [
    (
        "Fabric approved for hospital washing",
        "",
        "Polycotton that can be washed at 75°C again and again. Use only the fabric in your kit.",
    ),
    ("1 cm seam allowance", "", "Sew every seam with a 1 cm allowance and finish the edges."),
    (
        "Size label in the back seam",
        "",
        "Sew the size label from your kit into the back neck or waistband seam.",
    ),
    ("Ties, not elastic", "trousers", "Elastic perishes in the hospital wash; use the ties."),
]


def extend_demo(demo, rng: random.Random) -> None:
    hospital, hub = demo.hospital, demo.hub
    laundry, staff = demo.users["laundry"], demo.users["staff"]

    # The six medium top kits the shift note speaks of, cut from the fullest approved lot.
    lot = (
        FabricLot.objects.filter(hub=hub, approved_for_hospital_washing=True)
        .order_by("-metres_available", "pk")
        .first()
    )
    if lot is not None:
        services.kits_prepare(
            hub=hub,
            garment_type="top",
            size="M",
            garments_per_kit=5,
            kit_count=6,
            fabric_lot=lot,
            actor=staff,
        )

    for title, garment_type, detail in QUALITY_NEEDS:
        services.quality_requirement_add(
            hospital=hospital, title=title, detail=detail, garment_type=garment_type, actor=laundry
        )
    for sets in (6500, 6420, 6380):
        services.circulation_record(hospital=hospital, sets=sets, actor=laundry)

    # Demand changes over the weeks: more mediums, a sooner date, a size nobody needs now.
    open_lines = {
        (line.garment_type, line.size): line
        for line in DemandLine.objects.filter(hospital=hospital, status=DemandLine.Status.OPEN)
    }
    today = timezone.localdate()
    for key, extra, note in (
        (("top", "M"), 150, "More staff moved to the wards"),
        (("trousers", "M"), 150, "More staff moved to the wards"),
    ):
        line = open_lines.get(key)
        if line is not None:
            services.demand_change(
                line=line,
                actor=laundry,
                quantity=line.quantity + extra,
                priority=DemandLine.Priority.URGENT,
                needed_by=today + timedelta(weeks=6),
                requirements=line.requirements,
                note=note,
            )
    if (withdrawn := open_lines.get(("top", "3XL"))) is not None:
        services.demand_withdraw(
            line=withdrawn, actor=laundry, note="The supplier sent 3XL tops after all"
        )
    services.demand_record(
        hospital=hospital,
        garment_types=["top", "trousers"],
        quantities={"XS": 40, "S": 60},
        priority=DemandLine.Priority.URGENT,
        needed_by=today + timedelta(weeks=3),
        requirements="For the new children's ward team. Teal if there is any.",
        actor=laundry,
    )

    # Wash failures on the last delivery that arrived before today.
    earlier = (
        Delivery.objects.filter(hub=hub, status=Delivery.Status.RECEIVED)
        .order_by("-received_at")
        .first()
    )
    if earlier is not None:
        line = earlier.lines.filter(count_received__gte=3).order_by("pk").first()
        if line is not None:
            # A kit that had at least the two garments reported.
            allocation = line.allocations.filter(count__gte=2).order_by("pk").first()
            services.wash_failure_report(
                delivery=earlier,
                line=line,
                count=2,
                reason="seams",
                note="Side seams opened after the first hot wash.",
                kit_code=allocation.kit.code if allocation else "",
                actor=laundry,
            )
            label = services.wash_failure_report(
                delivery=earlier, line=line, count=1, reason="label", actor=laundry
            )
            services.wash_failure_look_at(
                failure=label,
                actor=staff,
                note="Labels were in the side seam; makers told to sew them in the back.",
            )

    # Passed garments go out in two deliveries: one arrives today (thanked), one is on its way.
    ready = sorted(
        (row["garment_type"], row["size"], row["n"])
        for row in HubTally.objects.filter(hub=hub, qty_passed__gt=0)
        .values("garment_type", "size")
        .annotate(n=Sum("qty_passed"))
    )
    if len(ready) < 2:
        return
    half = len(ready) // 2
    arrived = services.delivery_create(hub=hub, hospital=hospital, actor=staff)
    services.delivery_pack(
        delivery=arrived,
        counts={(t, s): max(1, n // 2) for t, s, n in ready[:half]},
        actor=staff,
    )
    services.delivery_send(delivery=arrived, actor=staff)
    services.delivery_confirm(
        delivery=arrived,
        received={line.pk: line.count_sent for line in arrived.lines.all()},
        actor=laundry,
        thank_you_note=(
            "Thank you all. The ward sisters say these are the comfiest scrubs they have "
            "worn, and the pockets are in just the right place."
        ),
    )
    on_the_way = services.delivery_create(hub=hub, hospital=hospital, actor=staff)
    services.delivery_pack(
        delivery=on_the_way,
        counts={(t, s): max(1, n // 2) for t, s, n in ready[half:]},
        actor=staff,
    )
    services.delivery_send(delivery=on_the_way, actor=staff)
    demo.summary["laundry_thanks_note"] = arrived.reference
