"""The volunteers' side: the public hub page, joining, sign-in links and /me/."""

from makers.staff_forms import GuardianAskForm
from tests.access.matrix import REDIRECT, Route, answers, only, public
from tests.once import token

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


def _young_maker(world):
    """A 16-year-old of hub A whose guardian has been sent the message, and its link's
    token, made once per world through the services."""
    if not hasattr(world, "young_maker"):
        from makers import guardian_services, services

        world.young_maker = services.maker_apply(
            hub=world.hub,
            name="Isla Young",
            email="isla.young@example.org",
            postcode="DD1 4HN",
            age_band="16_17",
            guardian_name="Ann Young",
            guardian_contact="ann.young@example.org",
            actor=world.user("hub_staff"),
        )
        world.guardian_token = guardian_services.guardian_ask(maker=world.young_maker)
    return world.young_maker


def guardian_link(world) -> dict:
    _young_maker(world)
    return {"token": world.guardian_token}


ROUTES = [
    Route("makers:hub_page", public(), kwargs=hub),
    Route(
        "makers:guardian",
        public(),
        kwargs=guardian_link,
        note="a parent or guardian's link: the page shows the question; only its POST answers",
    ),
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
    Route("makers:signin_code", public(REDIRECT), note="no code asked for: back to asking"),
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
    Route(
        "makers:weekly_email",
        only({"maker": REDIRECT, "other_maker": REDIRECT}),
        method="post",
    ),
    Route("makers:data_json", only(MAKERS), html=False),
    Route("makers:data_csv", only(MAKERS), html=False),
    Route("makers:delete", only(MAKERS)),
    Route("makers:group", only({"group_leader": 200})),
]


# --- Hub staff's volunteer pages (/hub/volunteers/, issue 7) ------------------------------
# Makers, group leaders, drivers, helpers and laundry staff never reach these: 403.
STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}
OWN_HUB_ONLY = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 404}
OWN_HUB_REDIRECT = {"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}


def _world_maker(world):
    from makers.models import Maker

    return Maker.objects.get(user=world.user("maker"))


def staff_maker(world) -> dict:
    return {"pk": _world_maker(world).pk}


def _applicant(world):
    """Someone in hub A waiting for an answer, made once per world through the service."""
    if not hasattr(world, "applicant"):
        from makers import services

        world.applicant = services.maker_apply(
            hub=world.hub,
            name="Agnes Waiting",
            phone="07700 900555",
            postcode="DD1 4HN",
            preferred_channel="sms",
            actor=world.user("hub_staff"),
        )
    return world.applicant


def _problem(world):
    if not hasattr(world, "problem"):
        from makers import services
        from packages.models import Kit

        kit = Kit.objects.get(code=_maker_kit_code(world))
        maker = _world_maker(world)
        world.problem = services.kit_problem_report(
            maker=maker, kit=kit, kind="missing_pieces", actor=maker.user
        )
    return world.problem


def _progress_data(world) -> dict:
    from packages.models import Kit

    kit = Kit.objects.get(code=_maker_kit_code(world))
    return {f"kit{kit.pk}-finished": 3, f"kit{kit.pk}-seen": 2}


# --- Bringing in a spreadsheet (issue 23): a sheet is seen only by whoever uploaded it (so
# the coordinator of the same hub gets 404 too); the welcome's links are public, signed.
UPLOADER_ONLY = {"hub_staff": 200, "coordinator": 404, "other_hub_staff": 404}


def _sheet_batch(world, *, imported: bool = False):
    """A sheet hub_staff uploaded (and, with `imported`, another one imported), made once
    per world through the services."""
    name = "imported_batch" if imported else "sheet_batch"
    if not hasattr(world, name):
        from makers import services
        from makers.sheets import Sheet

        staff = world.user("hub_staff")
        email = "ivy@example.org" if imported else "una@example.org"
        batch = services.import_batch_start(
            hub=world.hub,
            by_user=staff,
            file_name="volunteers.csv",
            sheet=Sheet(
                headers=["Name", "Email", "Phone"],
                rows=[(2, ["Una Sheet" if not imported else "Ivy Sheet", email, ""])],
            ),
        )
        if imported:
            batch = services.makers_import(batch=batch, contact_basis="paper_form", by_user=staff)
        setattr(world, name, batch)
    return getattr(world, name)


def _sheet(world) -> dict:
    return {"pk": _sheet_batch(world).pk}


def _welcome_token(world) -> dict:
    from makers import services

    record = _sheet_batch(world, imported=True).people.get()
    return {"token": services.import_welcome_token(record.pk)}


ROUTES += [
    Route("makers:staff_import", only(STAFF_200)),
    Route("makers:staff_import_columns", only(UPLOADER_ONLY), kwargs=_sheet),
    Route("makers:staff_import_check", only(UPLOADER_ONLY), kwargs=_sheet),
    Route(
        "makers:staff_import_done",
        only(UPLOADER_ONLY),
        kwargs=lambda w: {"pk": _sheet_batch(w, imported=True).pk},
    ),
    Route("makers:import_stay", public(), kwargs=_welcome_token),
    Route("makers:import_leave", public(), kwargs=_welcome_token),
]


ROUTES += [
    Route("makers:staff_roster", only(STAFF_200)),
    Route("makers:staff_roster_csv", only(STAFF_200), html=False),
    Route("makers:staff_applicants", only(STAFF_200)),
    Route(
        "makers:staff_applicants_decide",
        only({"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": REDIRECT}),
        method="post",
        data=lambda w: {"one": f"approve-{_applicant(w).pk}"},
        html=False,
        note="another hub's applicant is skipped (counted, never changed); the second "
        "approval is skipped too",
    ),
    Route("makers:staff_sign_up", only(STAFF_200)),
    Route("makers:staff_paper_forms", only(STAFF_200)),
    Route("makers:staff_maker", only(OWN_HUB_ONLY), kwargs=staff_maker),
    Route("makers:staff_maker_change", only(OWN_HUB_ONLY), kwargs=staff_maker),
    Route(
        "makers:staff_maker_status",
        only(OWN_HUB_REDIRECT),
        method="post",
        kwargs=staff_maker,
        data=lambda w: {"action": "pause"},
        html=False,
        note="the second pause is refused with a message, still a redirect",
    ),
    Route(
        "makers:staff_maker_progress",
        only({"hub_staff": REDIRECT, "coordinator": 400, "other_hub_staff": 404}),
        method="post",
        kwargs=lambda w: {**staff_maker(w), "code": _maker_kit_code(w)},
        data=_progress_data,
        html=False,
        note="the coordinator's form saw 2 finished, but it is 3 now: asked to look again",
    ),
    Route(
        "makers:staff_maker_guardian_ask",
        only(OWN_HUB_REDIRECT),
        method="post",
        kwargs=lambda w: {"pk": _young_maker(w).pk},
        data=lambda w: token(GuardianAskForm),
        html=False,
        note="each press sends a new link to the guardian; another hub's maker is a 404",
    ),
    Route("makers:staff_maker_merge", only(OWN_HUB_ONLY), kwargs=staff_maker),
    Route("makers:staff_maker_erase", only(OWN_HUB_ONLY), kwargs=staff_maker),
    Route(
        "makers:staff_standby",
        only({"coordinator": 200, "hub_staff": 403, "other_hub_staff": 403}),
        note="coordinators invite standby volunteers back",
    ),
    Route("makers:staff_problems", only(STAFF_200)),
    Route("makers:staff_problem", only(OWN_HUB_ONLY), kwargs=lambda w: {"pk": _problem(w).pk}),
    Route(
        "makers:staff_problem_resolve",
        only(OWN_HUB_REDIRECT),
        method="post",
        kwargs=lambda w: {"pk": _problem(w).pk},
        html=False,
    ),
]


# --- Maker groups (issue 23): any staff member of the group's hub; another hub's is a 404.


def _group(world):
    from makers.models import MakerGroup

    return MakerGroup.objects.get(hub=world.hub, leader=world.user("group_leader"))


ROUTES += [
    Route("makers:staff_groups", only(STAFF_200)),
    Route("makers:staff_group", only(OWN_HUB_ONLY), kwargs=lambda w: {"pk": _group(w).pk}),
    Route(
        "makers:staff_group_status",
        only(OWN_HUB_REDIRECT),
        method="post",
        kwargs=lambda w: {"pk": _group(w).pk},
        data=lambda w: {"to": "nonsense"},
        html=False,
        note="an unknown change is refused with a message, nothing changes",
    ),
]
