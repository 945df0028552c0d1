"""The volunteers' side of the demo hub, built through the services like the rest of it.

Called from scrubhub.demo.build() once the hub's history is in place: people who joined on
the form this week and wait for approval (with accounts; some phone-only; a 16-year-old
with a guardian), makers who said when they will bring a kit back or that they cannot
finish one, makers ready for another kit, and a question about Margaret's kit that the hub
has answered.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from makers import services
from makers.models import CONSENT_WORDING, KitProblem, Maker, ReturnPlan
from packages import services as packages
from packages.models import Kit, KitAssignment
from scrubhub.accounts.demo import FIRST_NAMES, SURNAMES

NEW_APPLICANTS = 14


def _open_day(point, day: date) -> date:
    """The first day from `day` that the point is open (makers are only offered those)."""
    from dropoffs.selectors import hours_known, open_on

    if not hours_known(point):
        return day
    while not open_on(point, day):
        day += timedelta(days=1)
    return day


def extend_demo(demo, rng: random.Random) -> None:
    hub, staff = demo.hub, demo.users["staff"]
    today = timezone.localdate()
    for i in range(NEW_APPLICANTS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        phone_only = i % 4 == 3
        teenager = i == 5
        services.maker_join(
            hub=hub,
            name=f"{first} {last}",
            email="" if phone_only else f"{first}.{last}.new{i}@example.org".lower(),
            phone=f"07700 91{i:04d}" if phone_only or rng.random() < 0.4 else "",
            postcode=f"DD{rng.choice([1, 2, 3, 4, 5])} {rng.randint(1, 9)}"
            + rng.choice("ABDEFGHJLNPQRSTUWXYZ")
            + rng.choice("ABDEFGHJLNPQRSTUWXYZ"),
            age_band=Maker.AgeBand.UNDER_18
            if teenager
            else rng.choice([Maker.AgeBand.ADULT, Maker.AgeBand.ADULT, Maker.AgeBand.OVER_70]),
            guardian_name=f"Parent of {first}" if teenager else "",
            guardian_contact=f"07700 92{i:04d}" if teenager else "",
            experience=rng.choice(list(Maker.Experience.values)),
            has_sewing_machine=rng.random() < 0.9,
            preferred_point=rng.choice(demo.points),
            consent_version=CONSENT_WORDING,
            client="demo",
        )
    demo.summary["joined_this_week"] = NEW_APPLICANTS

    # Makers sewing now: some say when they will bring the kit back, one cannot finish.
    sewing = list(
        KitAssignment.objects.filter(
            kit__hub=hub,
            kit__status=Kit.Status.WITH_MAKER,
            kit__qty_with_maker__gt=0,
            ended_at__isnull=True,
            maker__isnull=False,
        )
        .exclude(maker__user__username="maker")
        .select_related("kit", "maker__hub", "maker__preferred_point")
        .order_by("pk")[:8]
    )
    for number, assignment in enumerate(sewing):
        kit, maker = assignment.kit, assignment.maker
        point = maker.preferred_point or demo.points[0]
        day = _open_day(point, today + timedelta(days=rng.randint(0, 6)))
        if number == 0:
            services.return_plan_make(
                maker=maker,
                kit=kit,
                actor=staff,
                day=day,
                point=point,
                unfinished=True,
                reason=ReturnPlan.Reason.ILLNESS,
            )
            continue
        if kit.finished_count < kit.garment_count:
            kit = packages.kit_progress_log(kit=kit, finished=kit.garment_count, actor=maker.user)
        services.return_plan_make(maker=maker, kit=kit, actor=staff, day=day, point=point)
    if len(sewing) > 1:
        services.kit_problem_report(
            maker=sewing[1].maker,
            kit=sewing[1].kit,
            kind=KitProblem.Kind.FABRIC_FAULT,
            text="A small hole near the hem of one front piece.",
            actor=sewing[1].maker.user,
        )

    # Margaret asked about the kit she has at home, and the hub answered.
    margaret = Maker.objects.filter(user__username="maker").first()
    kit = next(
        (k for k in Kit.objects.filter(assignments__maker=margaret, status="with_maker")), None
    )
    if margaret is not None and kit is not None:
        problem = services.kit_problem_report(
            maker=margaret,
            kit=kit,
            kind=KitProblem.Kind.WRONG_PIECES,
            text="Two of the pockets look a different size to the pattern.",
            actor=margaret.user,
        )
        services.kit_problem_answer(
            problem=problem,
            answer="Thank you, Margaret. Sew the pockets as they are: they were cut large on "
            "purpose for the tops in this batch.",
            actor=staff,
        )

    # A few approved makers with no kit say they are ready for another.
    idle = (
        Maker.objects.filter(hub=hub, status=Maker.Status.ACTIVE, user__isnull=True)
        .exclude(assignments__ended_at__isnull=True)
        .order_by("pk")[:5]
    )
    for maker in idle:
        services.maker_ready_for_kit(maker=maker, actor=staff)

    # Paper forms typed in by the hub (issue 7): phone-only people, one of whom already
    # joined on the form, so her page offers to merge the two records.
    twin = (
        Maker.objects.filter(hub=hub, status=Maker.Status.APPROVED, user__isnull=False)
        .exclude(user__username="maker")
        .order_by("pk")
        .first()
    )
    paper = [("Betty Lindsay", "01382 700101"), ("Archie Soutar", "07700 930102")]
    if twin is not None:
        paper.append((twin.name, "01382 700103"))
    services.makers_sign_up_many(
        hub=hub,
        actor=staff,
        rows=[
            {
                "name": name,
                "phone": phone,
                "postcode": "DD3 6HL",
                "age_band": Maker.AgeBand.OVER_70,
                "preferred_point": demo.points[0],
                "consent_version": CONSENT_WORDING,
            }
            for name, phone in paper
        ],
    )
