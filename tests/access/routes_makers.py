"""The volunteers' side: the public hub page, joining, sign-in links and /me/."""

from tests.access.matrix import REDIRECT, Route, answers, only, public

MAKERS = {"maker": 200, "other_maker": 200}
# A maker's own kit pages: the owner sees them; another maker gets 404 (never "it exists").
OWN_KIT = {"maker": 200, "other_maker": 404}


def _maker_kit_code(world) -> str:
    """A kit the persona "maker" holds, made once per world through the services."""
    if not hasattr(world, "maker_kit_code"):
        from makers.models import Maker
        from packages import services as packages
        from tests import factories

        staff = world.user("hub_staff")
        maker = Maker.objects.get(user=world.user("maker"))
        (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
        packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=world.point)
        packages.kit_collect(kit=kit, actor=staff)
        packages.kit_progress_log(kit=kit, finished=2, actor=world.user("maker"))
        world.maker_kit_code = kit.code
    return world.maker_kit_code


def kit(world) -> dict:
    return {"code": _maker_kit_code(world)}


def hub(world) -> dict:
    return {"slug": world.hub.slug}


ROUTES = [
    Route("makers:hub_page", public(), kwargs=hub),
    Route("makers:join_start", public(), note="two hubs in the world: a list to choose from"),
    Route(
        "makers:join",
        answers(200, maker=REDIRECT, other_maker=REDIRECT),
        kwargs=hub,
        note="makers who already joined go to their page",
    ),
    Route("makers:join_done", public(), kwargs=hub),
    Route("makers:group_register", public(), kwargs=hub),
    Route("makers:signin", public()),
    Route("makers:signin_sent", public()),
    Route("makers:signin_link", public(REDIRECT), note="no token: back to asking for one"),
    Route("makers:deleted", public()),
    Route(
        "makers:me",
        only({**MAKERS, "group_leader": REDIRECT}),
        note="a group leader who is not a maker goes to the group page",
    ),
    Route("makers:kit", only(OWN_KIT), kwargs=kit),
    Route("makers:kit_progress", only(OWN_KIT), kwargs=kit),
    Route("makers:kit_return", only(OWN_KIT), kwargs=kit),
    Route("makers:kit_give_back", only(OWN_KIT), kwargs=kit),
    Route("makers:kit_problem", only(OWN_KIT), kwargs=kit),
    Route("makers:ready", only({"maker": REDIRECT, "other_maker": REDIRECT}), method="post"),
    Route("makers:back", only({"maker": REDIRECT, "other_maker": REDIRECT}), method="post"),
    Route("makers:impact", only(MAKERS)),
    Route("makers:details", only(MAKERS)),
    Route("makers:away", only(MAKERS)),
    Route("makers:withdraw", only(MAKERS)),
    Route("makers:data", only(MAKERS)),
    Route("makers:data_json", only(MAKERS), html=False),
    Route("makers:data_csv", only(MAKERS), html=False),
    Route("makers:delete", only(MAKERS)),
    Route("makers:group", only({"group_leader": 200})),
]
