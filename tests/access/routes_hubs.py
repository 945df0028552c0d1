"""Hub staff pages under /hub/.

Every hub staff member and coordinator may do every task on these pages ("anyone on shift
may do any task"), so there is no look-but-not-act role here: people without a staff role
get 403 and another hub's objects are a 404. Objects are made in hub A (the world's `hub`),
so other_hub_staff reaching for them is the cross-hub check.
"""

from __future__ import annotations

from scrubhub.hubs.forms import ConfirmForm, ShiftNoteForm
from tests.access.matrix import REDIRECT, Route, answers, only
from tests.once import token

STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}
OWN_HUB_ONLY = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 404}


def _staff(world):
    return world.user("hub_staff")


def hub_batch(world):
    """A batch of two kits in hub A, made once per world through the service."""
    from packages.models import PrecutStock
    from packages.services import kits_prepare
    from scrubhub.hubs.models import KitBatch
    from tests.factories import PrecutStockFactory

    existing = KitBatch.objects.filter(hub=world.hub).first()
    if existing is not None:
        return existing
    stock = PrecutStockFactory(hub=world.hub, garment_type="top", size="M", quantity_received=40)
    assert isinstance(stock, PrecutStock)
    return kits_prepare(
        hub=world.hub,
        garment_type="top",
        size="M",
        garments_per_kit=5,
        kit_count=2,
        precut_stock=stock,
        expected_left=stock.quantity_available,
        actor=_staff(world),
    )


def hub_donation(world):
    from packages.models import Donation
    from scrubhub.hubs.services import goods_in_record

    existing = Donation.objects.filter(hub=world.hub).first()
    if existing is not None:
        return existing
    return goods_in_record(
        hub=world.hub, actor=_staff(world), donor_name="Tay Rotary", kind="notions", quantity=12
    )


def confirm_data(world) -> dict:
    """A confirm of one kit from hub A's pieces, as it stands now (so each staff persona's
    confirm is fresh, not stale)."""
    from packages.models import PrecutStock
    from tests.factories import PrecutStockFactory

    stock = PrecutStock.objects.filter(hub=world.hub, size="S", quantity_available__gte=5).first()
    if stock is None:
        stock = PrecutStockFactory(hub=world.hub, garment_type="top", size="S")
    return {
        "garment_type": "top",
        "size": "S",
        "garments_per_kit": 5,
        "kit_count": 1,
        "stock": f"precut-{stock.pk}",
        "expected_left": stock.quantity_available,
    } | token(ConfirmForm)


ROUTES = [
    Route("hubs:dashboard", only(STAFF_200)),
    Route(
        "hubs:switch",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        data=lambda w: {"hub": w.hub.pk},
        html=False,
        note="another hub's id is a 404, never a switch",
    ),
    Route("hubs:shift_notes", only(STAFF_200)),
    Route(
        "hubs:shift_note_add",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": REDIRECT}),
        method="post",
        data=lambda w: {"text": "The library point needs a pick-up."} | token(ShiftNoteForm),
        html=False,
        note="each writes to their own hub",
    ),
    Route("hubs:plan", only(STAFF_200)),
    Route("hubs:stock", only(STAFF_200)),
    Route("hubs:fabric_lots", only(STAFF_200)),
    Route("hubs:precut_list", only(STAFF_200)),
    Route("hubs:goods_in", only(STAFF_200)),
    Route("hubs:donations", only(STAFF_200)),
    Route(
        "hubs:donation_thanked",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {"pk": hub_donation(w).pk},
        html=False,
        note="the second thanks is refused with a message, still a redirect",
    ),
    Route(
        "hubs:donation_letter",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"pk": hub_donation(w).pk},
    ),
    Route("hubs:kits", only(STAFF_200)),
    Route("hubs:prepare", only(STAFF_200)),
    Route(
        "hubs:prepare_confirm",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 400}),
        method="post",
        data=confirm_data,
        html=False,
        note="another hub's stock is not a choice: the form says so and nothing is drawn",
    ),
    Route("hubs:batches", only(STAFF_200)),
    Route("hubs:batch", only(OWN_HUB_ONLY), kwargs=lambda w: {"pk": hub_batch(w).pk}),
    Route("hubs:batch_labels", only(OWN_HUB_ONLY), kwargs=lambda w: {"pk": hub_batch(w).pk}),
    Route(
        "hubs:kit_label",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": hub_batch(w).kits.order_by("pk").first().code},
    ),
    # Each kit's label on its sewing instructions, one A4 page a kit (issue 24).
    Route("hubs:batch_sheets", only(OWN_HUB_ONLY), kwargs=lambda w: {"pk": hub_batch(w).pk}),
    Route(
        "hubs:kit_sheet",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": hub_batch(w).kits.order_by("pk").first().code},
    ),
    Route(
        "hubs:instructions",
        only(STAFF_200),
        kwargs=lambda w: {"garment_type": "top", "size": "M"},
    ),
]


# --- The team and the hub's settings (issue 7) ------------------------------------------
# Every staff member sees the team; only coordinators change it (403 for hub staff).
COORDINATOR_ONLY = {"coordinator": 200, "hub_staff": 403, "other_hub_staff": 403}


def _invitation(world):
    """An open invitation of hub A and the token in its link, made once per world."""
    if not hasattr(world, "invitation"):
        from scrubhub.hubs.team_services import invitation_send

        world.invitation = invitation_send(
            hub=world.hub,
            email="new.driver@example.org",
            role="driver",
            actor=world.user("coordinator"),
        )
    return world.invitation


def _driver_membership(world):
    from scrubhub.hubs.models import Membership

    return Membership.objects.get(user=world.user("driver"), hub=world.hub, role="driver")


ROUTES += [
    Route("hubs:team", only(STAFF_200)),
    Route("hubs:team_invite", only(COORDINATOR_ONLY)),
    Route(
        "hubs:team_invitation_cancel",
        only({"coordinator": REDIRECT, "hub_staff": 403, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {"pk": _invitation(w).invitation.pk},
        html=False,
    ),
    Route(
        "hubs:team_remove",
        only({"coordinator": 200, "hub_staff": 403, "other_hub_staff": 404}),
        kwargs=lambda w: {"pk": _driver_membership(w).pk},
        note="GET asks to confirm; another hub's role is a 404",
    ),
    Route(
        "hubs:invitation",
        answers(200),
        kwargs=lambda w: {"token": _invitation(w).token},
        note="public: the link's page shows a button; only its POST accepts",
    ),
    Route("hubs:settings", only(COORDINATOR_ONLY)),
]


# --- Giving out kits, taking them back, the quality check (issue 7) ------------------------
# Any staff member on shift may do all of these; another hub's kit is a 404.


def _hub_maker(world):
    from makers.models import Maker

    return Maker.objects.get(user=world.user("maker"))


def _kit_at(world, stage: str):
    """One kit of hub A at `stage` (prepared, allocated or awaiting_check), made once per
    world through the services."""
    cache = world.__dict__.setdefault("_kits_at", {})
    if stage not in cache:
        from packages import services
        from tests.factories import prepared_kits

        staff = _staff(world)
        (kit,) = prepared_kits(hub=world.hub, actor=staff)
        if stage != "prepared":
            services.kit_allocate(kit=kit, maker=_hub_maker(world), actor=staff)
        if stage == "awaiting_check":
            services.kit_collect(kit=kit, actor=staff)
            services.garments_return(kit=kit, count=kit.garment_count, actor=staff)
        cache[stage] = kit
    return cache[stage]


def _give_many_data(world) -> dict:
    """A fresh kit of hub A ticked for the world's maker, for each persona's POST."""
    from tests.factories import prepared_kits

    (kit,) = prepared_kits(hub=world.hub, actor=_staff(world))
    return {"kit": [kit.code], f"for_{kit.code}": f"m{_hub_maker(world).pk}"}


ROUTES += [
    Route("hubs:allocate", only(STAFF_200)),
    Route(
        "hubs:allocate_many",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 400}),
        method="post",
        data=_give_many_data,
        html=False,
        note="another hub's kit is not found among theirs: the page says so, nothing is given",
    ),
    Route("hubs:allocate_given", only(STAFF_200)),
    Route(
        "hubs:allocate_kit",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": _kit_at(w, "prepared").code},
    ),
    Route(
        "hubs:kit_reallocate",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": _kit_at(w, "allocated").code},
    ),
    Route(
        "hubs:kit_take_back",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": _kit_at(w, "allocated").code},
    ),
    Route(
        "hubs:kit_lost",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": _kit_at(w, "allocated").code},
    ),
    Route("hubs:checks", only(STAFF_200)),
    Route(
        "hubs:check_kit",
        only(OWN_HUB_ONLY),
        kwargs=lambda w: {"code": _kit_at(w, "awaiting_check").code},
    ),
]


# --- Patterns and sewing instructions (issue 23) --------------------------------------------
# Any staff member edits their own hub's patterns; there is nothing of another hub to reach
# (a garment and size are the same words everywhere: each hub sees its own pattern).

ROUTES += [
    Route("hubs:patterns", only(STAFF_200)),
    Route("hubs:pattern_new", only(STAFF_200)),
    Route(
        "hubs:pattern_edit",
        only(STAFF_200),
        kwargs=lambda w: {"garment_type": "trousers", "size": "2XL"},
    ),
]


# --- The hub report and the downloads (issue 23) --------------------------------------------
# Each is the staff member's own hub's (request.hub): another hub's staff get their own
# hub's figures, never hub A's (tests/packages/test_exports.py reads what is in them).

ROUTES += [
    Route("hubs:report", only(STAFF_200)),
    Route("hubs:export_deliveries", only(STAFF_200), html=False),
    Route("hubs:export_demand", only(STAFF_200), html=False),
    Route("hubs:export_stock", only(STAFF_200), html=False),
    Route("hubs:export_kits", only(STAFF_200), html=False, note="audited: it names makers"),
    Route("hubs:export_impact", only(STAFF_200), html=False),
]
