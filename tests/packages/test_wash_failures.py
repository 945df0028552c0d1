"""Closing the loop on quality: the laundry picks the kit that failed in the wash from the
delivery's kits (or types its code), and the report reaches the kit's maker's record, the
trace pages, the dashboard's to-dos and the weekly staff summary. The laundry never sees
who sewed a kit."""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse

from makers.models import Maker
from packages import selectors, services
from packages.forms import WashFailureForm
from packages.models import Kit, PrecutStock, WashFailure
from packages.services import DeliveryError, LaundryError
from packages.summaries import weekly_summaries_send
from scrubhub.audit.models import AuditEvent
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token
from tests.packages.test_laundry_views import _assert_private, _plant
from tests.querycount import assert_same_queries_at_sizes

LONDON = zoneinfo.ZoneInfo("Europe/London")
MONDAY_8AM = datetime(2026, 11, 30, 8, 5, tzinfo=LONDON)  # the week from 23 November
IN_THAT_WEEK = datetime(2026, 11, 25, 14, 0, tzinfo=LONDON)


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


@pytest.fixture
def laundry(world):
    return world.user("laundry")


@pytest.fixture
def makers(world):
    return (
        factories.MakerFactory(hub=world.hub, name="Agnes Sewer"),
        factories.MakerFactory(hub=world.hub, name="Bella Stitcher"),
    )


def _received(world, staff, laundry, kits):
    """A confirmed delivery packed from these passed kits (all of them, every garment)."""
    delivery = services.delivery_create(hub=world.hub, hospital=world.hospital, actor=staff)
    counts: dict[tuple[str, str], int] = {}
    for kit in kits:
        key = (kit.garment_type, kit.size)
        counts[key] = counts.get(key, 0) + kit.garment_count
    services.delivery_pack(delivery=delivery, counts=counts, actor=staff)
    services.delivery_send(delivery=delivery, actor=staff)
    services.delivery_confirm(
        delivery=delivery,
        received={line.pk: line.count_sent for line in delivery.lines.all()},
        actor=laundry,
    )
    delivery.refresh_from_db()
    return delivery


@pytest.fixture
def delivery(world, staff, laundry, makers):
    """Tops size M from two makers' kits (3 each), trousers size L from Agnes's third."""
    agnes, bella = makers
    kits = [
        factories.passed_kit(hub=world.hub, maker=agnes, actor=staff, garments=3),
        factories.passed_kit(hub=world.hub, maker=bella, actor=staff, garments=3),
        factories.passed_kit(
            hub=world.hub, maker=agnes, actor=staff, garment_type="trousers", size="L", garments=2
        ),
    ]
    return _received(world, staff, laundry, kits)


def _kits(delivery):
    tops = delivery.lines.get(garment_type="top")
    trousers = delivery.lines.get(garment_type="trousers")
    agnes_top, bella_top = (
        a.kit for a in tops.allocations.select_related("kit").order_by("kit__created_at", "pk")
    )
    return tops, trousers, agnes_top, bella_top, trousers.allocations.get().kit


def _post(client, delivery, **data):
    return client.post(
        reverse("packages:laundry_wash_failure", args=[delivery.pk]),
        {"count": "1", "reason": "seams", **data} | token(WashFailureForm),
    )


# --- The laundry picks the kit --------------------------------------------------------------


def test_the_form_offers_the_deliverys_kits_by_code_garment_and_size(
    client_for, world, staff, delivery
):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    someone_elses = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="received"
    )
    elsewhere = someone_elses.lines.get().allocations.get().kit
    page = client_for("laundry").get(reverse("packages:laundry_wash_failure", args=[delivery.pk]))
    form = page.context["form"]
    offered = dict(form.fields["kit"].choices)
    assert set(offered) == {"", agnes_top.code, bella_top.code, agnes_trousers.code}
    assert offered[agnes_top.code] == f"{agnes_top.display_code}: Scrub top, size M"
    assert offered[agnes_trousers.code] == f"{agnes_trousers.display_code}: Scrub trousers, size L"
    text = page.content.decode()
    assert f'<option value="{bella_top.code}">' in text
    assert elsewhere.code not in text, "a kit from another delivery is offered"


def test_picking_a_kit_records_it_and_its_garments_without_choosing_them(
    client_for, delivery, laundry
):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    response = _post(client_for("laundry"), delivery, kit=bella_top.code, count="2")
    assert response.status_code == 302
    failure = WashFailure.objects.get()
    assert (failure.line, failure.kit, failure.count, failure.reported_by) == (
        tops,
        bella_top,
        2,
        laundry,
    )
    assert failure.status == WashFailure.Status.TO_LOOK_AT


def test_typing_the_code_off_the_label_still_works(client_for, delivery):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    response = _post(
        client_for("laundry"), delivery, line=tops.pk, kit_code=agnes_top.display_code.lower()
    )
    assert response.status_code == 302
    assert WashFailure.objects.get().kit == agnes_top


@pytest.mark.parametrize(
    ("which", "message", "beside"),
    [
        ("typed_unknown", "That kit code was not in this delivery", "kit_code"),
        ("typed_other_delivery", "That kit code was not in this delivery", "kit_code"),
        ("picked_and_typed_differ", "You picked kit", "kit_code"),
        ("picked_wrong_garments", "was scrub trousers, size L", "kit"),
        ("picked_not_offered", "Select a valid choice", "kit"),
        ("nothing_chosen", "Choose which garments failed", "line"),
    ],
)
def test_a_kit_that_does_not_fit_is_refused_beside_its_field(
    client_for, world, staff, delivery, which, message, beside
):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    other = factories.delivery(hub=world.hub, hospital=world.hospital, actor=staff)
    other_kit = other.lines.get().allocations.get().kit
    data = {
        "typed_unknown": {"line": tops.pk, "kit_code": "ZZZ-ZZZZ"},
        "typed_other_delivery": {"line": tops.pk, "kit_code": other_kit.code},
        "picked_and_typed_differ": {"kit": agnes_top.code, "kit_code": bella_top.code},
        "picked_wrong_garments": {"line": tops.pk, "kit": agnes_trousers.code},
        "picked_not_offered": {"line": tops.pk, "kit": other_kit.code},
        "nothing_chosen": {},
    }[which]
    response = _post(client_for("laundry"), delivery, **data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors.get(beside, [])), form.errors
    text = response.content.decode()
    assert "data-error-summary" in text
    assert f'id="error_1_id_{beside}"' in text, "the message is not beside the field"
    assert not WashFailure.objects.exists()


def test_more_failed_than_the_kit_sent_is_refused(delivery, laundry):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    services.wash_failure_report(
        delivery=delivery,
        line=tops,
        count=2,
        reason="seams",
        actor=laundry,
        kit_code=bella_top.code,
    )
    with pytest.raises(LaundryError, match="had 3 garments in this delivery and 2 already"):
        services.wash_failure_report(
            delivery=delivery,
            line=tops,
            count=2,
            reason="seams",
            actor=laundry,
            kit_code=bella_top.code,
        )
    assert WashFailure.objects.count() == 1


def test_a_size_that_came_from_one_kit_is_pinned_to_it(delivery, laundry):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    from_one = services.wash_failure_report(
        delivery=delivery, line=trousers, count=1, reason="ties", actor=laundry
    )
    from_two = services.wash_failure_report(
        delivery=delivery, line=tops, count=1, reason="ties", actor=laundry
    )
    assert from_one.kit == agnes_trousers
    assert from_two.kit is None, "two kits made these: the laundry did not say which"


def test_another_hospitals_laundry_cannot_see_or_report_on_the_delivery(client_for, delivery):
    tops, *_ = _kits(delivery)
    client = client_for("other_laundry")
    url = reverse("packages:laundry_wash_failure", args=[delivery.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"line": tops.pk, "count": "1", "reason": "seams"})
    assert response.status_code == 404
    assert not WashFailure.objects.exists()


# --- The laundry never sees who sewed a kit ---------------------------------------------------

_marks = itertools.count(1)


def test_the_laundry_sees_no_makers_personal_data_picking_or_reporting(
    client_for, world, delivery, makers
):
    from django.contrib.auth import get_user_model

    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    # Agnes has an account too: her name and address on it must not show either.
    agnes = makers[0]
    user = factories.UserFactory(username="agnes")
    Maker.objects.filter(pk=agnes.pk).update(user=user)
    markers = _plant(Maker)
    marker = f"zq{next(_marks)}acct"
    get_user_model().objects.filter(pk=user.pk).update(
        first_name=f"{marker}f", last_name=f"{marker}l", email=f"{marker}@example.org"
    )
    markers.append(marker)
    client = client_for("laundry")
    url = reverse("packages:laundry_wash_failure", args=[delivery.pk])
    _assert_private(client.get(url), markers, "GET the form")
    for data in (
        {"kit": agnes_top.code, "line": trousers.pk},  # refused: beside the field
        {"kit_code": "ZZZ-ZZZZ", "line": tops.pk},
        {"kit": agnes_top.code, "count": "99"},  # refused by the service
    ):
        response = _post(client, delivery, **data)
        assert response.status_code == 200
        _assert_private(response, markers, f"POST {data}")
    response = client.post(
        url,
        {"kit": agnes_top.code, "count": "1", "reason": "seams"} | token(WashFailureForm),
        follow=True,
    )
    assert WashFailure.objects.get().kit == agnes_top
    _assert_private(response, markers, "after reporting")
    page = client.get(reverse("packages:laundry_delivery", args=[delivery.pk]))
    _assert_private(page, markers, "the delivery afterwards")
    # And the laundry's weekly summary says nothing of who sewed it either.
    WashFailure.objects.update(reported_at=IN_THAT_WEEK)
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    for message in Message.objects.filter(kind="weekly_summary_laundry"):
        body = (message.body + message.html_body).lower()
        assert not [m for m in markers if m in body]


# --- The hub looks at it ----------------------------------------------------------------------


@pytest.fixture
def failure(delivery, laundry):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    return services.wash_failure_report(
        delivery=delivery,
        line=tops,
        count=2,
        reason="seams",
        note="Side seams opened",
        actor=laundry,
        kit_code=bella_top.code,
    )


def test_looking_at_a_failure_records_who_when_and_an_audit_row(world, failure, staff):
    services.wash_failure_look_at(failure=failure, actor=staff, note="  Spoke to her  ")
    failure.refresh_from_db()
    assert failure.status == WashFailure.Status.LOOKED_AT
    assert (failure.looked_at_by, failure.looked_at_note) == (staff, "Spoke to her")
    assert failure.looked_at_at is not None
    event = AuditEvent.objects.get(subject_type="packages.WashFailure")
    assert (event.hub, event.actor, event.action, event.subject_id) == (
        world.hub,
        staff,
        AuditEvent.Action.CHANGED,
        failure.pk,
    )


def test_a_failure_is_looked_at_once(failure, staff, world):
    services.wash_failure_look_at(failure=failure, actor=staff)
    with pytest.raises(DeliveryError, match="already looked at"):
        services.wash_failure_look_at(failure=failure, actor=world.user("coordinator"))
    failure.refresh_from_db()
    assert failure.looked_at_by == staff
    assert AuditEvent.objects.filter(subject_type="packages.WashFailure").count() == 1


def test_the_database_refuses_looked_at_without_when(failure):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        WashFailure.objects.filter(pk=failure.pk).update(status=WashFailure.Status.LOOKED_AT)


def test_staff_mark_it_looked_at_from_its_page(client_for, failure, makers):
    client = client_for("hub_staff")
    url = reverse("packages:hub_wash_failure", args=[failure.pk])
    page = client.get(url).content.decode()
    assert "Side seams opened" in page and makers[1].name in page
    assert reverse("makers:staff_maker", args=[makers[1].pk]) in page
    response = client.post(url, {"note": "Checked her seams"})
    assert response.status_code == 302
    failure.refresh_from_db()
    assert failure.status == WashFailure.Status.LOOKED_AT
    listed = client.get(reverse("packages:hub_wash_failures")).content.decode()
    assert "Checked her seams" in listed and "Nothing to look at." in listed
    # Sent again (a second tab): told so, nothing more recorded.
    again = client.post(url, {"note": "again"}, follow=True)
    assert "already looked at" in again.content.decode()
    failure.refresh_from_db()
    assert failure.looked_at_note == "Checked her seams"


@pytest.mark.parametrize(("persona", "code"), [("other_hub_staff", 404), ("laundry", 403)])
def test_only_the_hubs_staff_can_mark_it(client_for, failure, persona, code):
    url = reverse("packages:hub_wash_failure", args=[failure.pk])
    assert client_for(persona).post(url, {"note": "x"}).status_code == code
    failure.refresh_from_db()
    assert failure.status == WashFailure.Status.TO_LOOK_AT


# --- It reaches the dashboard, the maker's record, the traces and the summary ---------------


def test_the_dashboard_counts_wash_failures_to_look_at(client_for, world, failure, staff):
    client = client_for("hub_staff")
    page = client.get(reverse("hubs:dashboard")).content.decode()
    assert "wash failure to look at" in page
    assert reverse("packages:hub_wash_failures") in page
    board = selectors_todos(world)
    assert board["wash_failures"] == 1
    services.wash_failure_look_at(failure=failure, actor=staff)
    assert selectors_todos(world)["wash_failures"] == 0


def selectors_todos(world, hub=None):
    from scrubhub.hubs.selectors import todos_for_hub

    return {t.key: t.count for t in todos_for_hub(hub=hub or world.hub, plan=[])}


def test_another_hubs_wash_failures_are_not_counted(world, failure):
    assert selectors_todos(world, hub=world.other_hub)["wash_failures"] == 0


def test_the_makers_record_lists_her_wash_failures(client_for, failure, makers):
    agnes, bella = makers
    client = client_for("hub_staff")
    page = client.get(reverse("makers:staff_maker", args=[bella.pk])).content.decode()
    section = page.split('id="wash-heading"', 1)[1].split("</section>", 1)[0]
    assert failure.kit.display_code in section
    assert "2 scrub tops, size M" in section and "seams came apart" in section
    assert failure.reported_at.strftime("%-d %B %Y") in section
    theirs = client.get(reverse("makers:staff_maker", args=[agnes.pk])).content.decode()
    assert "None reported by the laundry." in theirs


def test_a_reallocated_kit_counts_for_the_maker_who_had_it_last(world, staff, laundry):
    first, last = (factories.MakerFactory(hub=world.hub) for _ in range(2))
    (kit,) = factories.prepared_kits(hub=world.hub, garments=2, actor=staff)
    services.kit_allocate(kit=kit, maker=first, actor=staff)
    services.kit_reallocate(kit=Kit.objects.get(pk=kit.pk), maker=last, actor=staff)
    kit.refresh_from_db()
    services.kit_collect(kit=kit, actor=staff)
    services.garments_return(kit=kit, count=2, actor=staff)
    services.quality_check_record(kit=kit, passed=2, failures=[], actor=staff)
    kit.refresh_from_db()
    delivery = _received(world, staff, laundry, [kit])
    services.wash_failure_report(
        delivery=delivery, line=delivery.lines.get(), count=1, reason="shrank", actor=laundry
    )
    assert [f.kit for f in selectors.wash_failures_for_maker(maker=last)] == [kit]
    assert selectors.wash_failures_for_maker(maker=first) == []


def test_the_trace_pages_show_the_failure_against_its_kit_and_lot(
    client_for, delivery, failure, laundry
):
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    services.wash_failure_report(
        delivery=delivery, line=tops, count=1, reason="colour", actor=laundry
    )
    client = client_for("hub_staff")
    page = client.get(reverse("dropoffs:trace_line", args=[tops.pk])).content.decode()
    bella_card = page.split(f'id="kit-{bella_top.pk}"', 1)[1].split("</section>", 1)[0]
    assert "Failed in the wash" in bella_card and "seams came apart" in bella_card
    agnes_card = page.split(f'id="kit-{agnes_top.pk}"', 1)[1].split("</section>", 1)[0]
    assert "Failed in the wash" not in agnes_card
    assert "Failed in the wash, kit not known" in page and "colour ran or faded" in page
    lot = factories.FabricLotFactory(hub=delivery.hub)
    PrecutStock.objects.filter(pk=bella_top.precut_stock_id).update(fabric_lot=lot)
    page = client.get(reverse("dropoffs:trace_lot", args=[lot.pk])).content.decode()
    section = page.split("wash</h2>", 1)[1].split("<h2>", 1)[0]
    assert bella_top.display_code in section and "2 scrub tops, size M" in section
    assert delivery.reference in section


def test_the_weekly_staff_summary_counts_and_lists_the_weeks_failures(
    world, delivery, failure, laundry
):
    tops, trousers, *_ = _kits(delivery)
    last_month = services.wash_failure_report(
        delivery=delivery, line=trousers, count=1, reason="ties", actor=laundry
    )
    WashFailure.objects.filter(pk=failure.pk).update(reported_at=IN_THAT_WEEK)
    WashFailure.objects.filter(pk=last_month.pk).update(
        reported_at=datetime(2026, 10, 20, 9, 0, tzinfo=LONDON)
    )
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    staff_summary = Message.objects.filter(kind="weekly_summary_staff").first()
    body = staff_summary.body
    assert "Wash failures the laundry reported: 1" in body
    assert (
        f"- 25 Nov, {world.hospital.name}: 2 scrub tops, size M, seams came apart "
        f"(kit {failure.kit.display_code})"
    ) in body
    assert "ties or elastic" not in body.lower(), "last month's failure is not this week's"
    assert reverse("packages:hub_wash_failures") in body
    maker_summaries = Message.objects.filter(kind="weekly_summary")
    assert all("Wash failures" not in m.body for m in maker_summaries)


# --- Query counts ------------------------------------------------------------------------------


@pytest.fixture
def grow_failures(world, delivery, laundry, makers):
    """grow(n): n wash failures on the delivery (half looked at), on both makers' kits."""
    tops, trousers, agnes_top, bella_top, agnes_trousers = _kits(delivery)
    staff = world.user("hub_staff")

    def grow(n: int) -> None:
        have = WashFailure.objects.count()
        rows = [
            WashFailure(
                delivery=delivery,
                line=tops,
                kit=(agnes_top, bella_top, None)[i % 3],
                count=1,
                reason="seams",
                reported_by=laundry,
                **(
                    {
                        "status": WashFailure.Status.LOOKED_AT,
                        "looked_at_at": delivery.received_at,
                        "looked_at_by": staff,
                    }
                    if i % 2
                    else {}
                ),
            )
            for i in range(have, n)
        ]
        WashFailure.objects.bulk_create(rows)

    return grow


@pytest.mark.parametrize("name", ["packages:hub_wash_failures", "hubs:dashboard"])
def test_hub_pages_make_the_same_queries_at_10_and_1000_failures(client_for, grow_failures, name):
    assert_same_queries_at_sizes(client_for("hub_staff"), reverse(name), grow_failures)


def test_the_makers_record_and_traces_make_the_same_queries_at_10_and_1000_failures(
    client_for, grow_failures, delivery, makers
):
    tops, *_ = _kits(delivery)
    client = client_for("hub_staff")
    for url in (
        reverse("makers:staff_maker", args=[makers[0].pk]),
        reverse("dropoffs:trace_line", args=[tops.pk]),
    ):
        WashFailure.objects.all().delete()
        assert_same_queries_at_sizes(client, url, grow_failures)


def test_the_laundry_form_makes_the_same_queries_for_few_kits_and_many(
    client_for, world, staff, laundry
):
    latest: list = []

    def grow(n: int) -> None:
        # A fresh delivery of n kits (the ones before it have all gone).
        kits = [factories.passed_kit(hub=world.hub, actor=staff, garments=1) for _ in range(n)]
        latest[:] = [_received(world, staff, laundry, kits)]

    def url():
        return reverse("packages:laundry_wash_failure", args=[latest[0].pk])

    assert_same_queries_at_sizes(client_for("laundry"), url, grow, sizes=(2, 30))
    page = client_for("laundry").get(url())
    assert len(page.context["form"].fields["kit"].choices) == 31
