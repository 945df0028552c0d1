"""Points, handovers, doorsteps, runs and traces."""

from tests.access.matrix import REDIRECT, Route, answers, only, public
from tests.dropoffs import builders as b

STAFF_200 = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 200}
OWN_HUB_STAFF = {"hub_staff": 200, "coordinator": 200, "other_hub_staff": 404}
OWN_HUB_STAFF_REDIRECT = {"hub_staff": REDIRECT, "coordinator": REDIRECT, "other_hub_staff": 404}


def hidden(allowed: dict) -> dict:
    """Everyone not named gets a 404: the thing is never revealed to exist."""
    return answers(404, anonymous="login", **allowed)


def run_kwargs(w):
    return {"run_id": b.the_run(w).pk}


def stop_kwargs(w):
    return {"run_id": b.the_run(w).pk, "stop_id": b.the_stop(w).pk}


ROUTES = [
    Route("dropoffs:points", public()),
    Route("dropoffs:hub_points", public(), kwargs=lambda w: {"hub_slug": w.hub.slug}),
    # Handovers: hub staff and point helpers of the kit's hub act; its maker may look.
    Route("dropoffs:scan", only({"point_helper": 200, **STAFF_200})),
    Route(
        "dropoffs:scan_where",
        only({"point_helper": REDIRECT, **OWN_HUB_STAFF_REDIRECT}),
        method="post",
        data=lambda w: {"station": f"point:{w.point.pk}"},
        html=False,
        note="a station that is not yours is a 404",
    ),
    Route(
        "dropoffs:hand_in_many",
        only({"point_helper": 200, **OWN_HUB_STAFF}),
        kwargs=lambda w: {"code": b.the_kit(w).code},
        note="only for a kit expected at the helper's point: anyone else's is a 404",
    ),
    Route(
        "dropoffs:point_expected",
        only({"point_helper": 200, **OWN_HUB_STAFF}),
        kwargs=lambda w: {"point_id": w.point.pk},
        note="names of the makers expected: the point's own helpers and its hub's staff only",
    ),
    Route(
        "dropoffs:kit",
        answers(
            404,
            anonymous=200,
            maker=REDIRECT,
            point_helper=200,
            hub_staff=200,
            coordinator=200,
        ),
        kwargs=lambda w: {"code": b.the_waiting_kit(w).code},
        note="its maker goes to her kit page; signed out, a sign-in link form that says "
        "nothing about the kit; anyone else's or an unknown code is the same 404",
    ),
    Route(
        "dropoffs:kit_signin",
        public(REDIRECT),
        method="post",
        kwargs=lambda w: {"code": b.the_waiting_kit(w).code},
        data=lambda w: {"address": "nobody@example.org"},
        html=False,
        note="the same answer whether or not the address or the kit is known",
    ),
    Route(
        "dropoffs:kit_signin_link",
        public(REDIRECT),
        kwargs=lambda w: {"code": b.the_waiting_kit(w).code},
        note="no token: back to the kit's page",
    ),
    Route(
        "dropoffs:kit_handover",
        hidden({"maker": 403, "point_helper": 409, "hub_staff": 409, "coordinator": 409}),
        method="post",
        kwargs=lambda w: {"code": b.the_waiting_kit(w).code},
        data=lambda w: {"action": "collect", "version": "an old page"},
        html=False,
        note="a stale page changes nothing (409)",
    ),
    # A maker's own doorstep choice.
    Route("dropoffs:doorstep", only({"maker": 200, "other_maker": 200})),
    Route(
        "dropoffs:doorstep_stop",
        only({"maker": REDIRECT, "other_maker": REDIRECT}),
        method="post",
        html=False,
    ),
    # Drivers: their own runs; hub staff: every run of their hub.
    Route("dropoffs:runs", only({"driver": 200, **STAFF_200})),
    Route(
        "dropoffs:run",
        hidden({"driver": 200, "hub_staff": 200, "coordinator": 200}),
        kwargs=run_kwargs,
    ),
    Route(
        "dropoffs:run_stop",
        hidden({"driver": 200, "hub_staff": 200, "coordinator": 200}),
        kwargs=stop_kwargs,
    ),
    Route(
        "dropoffs:run_stop_skip",
        hidden({"driver": 400, "hub_staff": 400, "coordinator": 400}),
        method="post",
        kwargs=stop_kwargs,
        data=lambda w: {"reason": ""},
        html=False,
        note="no reason given: the form says so and nothing changes",
    ),
    Route(
        "dropoffs:run_finish",
        hidden({"driver": REDIRECT, "hub_staff": REDIRECT, "coordinator": REDIRECT}),
        method="post",
        kwargs=run_kwargs,
        html=False,
        note="stops left: refused with a message",
    ),
    # Hub staff pages.
    Route("dropoffs:staff_points", only(STAFF_200)),
    Route("dropoffs:point_new", only(STAFF_200)),
    Route("dropoffs:point_edit", only(OWN_HUB_STAFF), kwargs=lambda w: {"point_id": w.point.pk}),
    Route(
        "dropoffs:point_status",
        only(OWN_HUB_STAFF_REDIRECT),
        method="post",
        kwargs=lambda w: {"point_id": w.point.pk},
        data=lambda w: {"to": "pause"},
        html=False,
    ),
    Route("dropoffs:staff_runs", only(STAFF_200)),
    Route("dropoffs:run_new", only(STAFF_200)),
    Route(
        "dropoffs:run_cancel",
        only(OWN_HUB_STAFF_REDIRECT),
        method="post",
        kwargs=run_kwargs,
        html=False,
    ),
    Route(
        "dropoffs:doorstep_for_maker",
        only(OWN_HUB_STAFF),
        kwargs=lambda w: {"maker_id": b.maker_of(w).pk},
    ),
    Route("dropoffs:trace", only(STAFF_200)),
    Route(
        "dropoffs:trace_line",
        only(OWN_HUB_STAFF),
        kwargs=lambda w: {"line_id": b.delivery_line(w).pk},
    ),
    Route(
        "dropoffs:trace_lot",
        only(OWN_HUB_STAFF),
        kwargs=lambda w: {
            "lot_id": b.delivery_line(w).allocations.get().kit.precut_stock.fabric_lot_id
        },
    ),
]
