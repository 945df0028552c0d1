"""Giving out kits: the suggestion and its reasons, giving one or many, and taking kits
back, giving them to someone else or marking them lost, through the pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from makers.models import Maker
from packages import allocation, services, staff_kits
from packages.models import Kit, KitAssignment, KitEvent
from scrubhub.notifications.models import Message
from tests import factories
from tests.hubs.helpers import kits_at
from tests.packages.helpers import assert_kit_invariants

pytestmark = pytest.mark.django_db


def _only_makers(world, *keep):
    """Take the world's own maker out of the running, so each test's makers are the field."""
    Maker.objects.filter(hub=world.hub).exclude(pk__in=[m.pk for m in keep]).update(
        status=Maker.Status.PAUSED
    )
    from makers.models import MakerGroup

    MakerGroup.objects.filter(hub=world.hub).update(status=MakerGroup.Status.PAUSED)


def _maker(world, **fields):
    fields.setdefault("sets_per_week", 2)
    return factories.MakerFactory(hub=world.hub, **fields)


def _suggested(world, kits):
    candidates = allocation.candidates_for_hub(hub=world.hub)
    return [row.suggestion for row in allocation.suggest(kits, candidates, hub=world.hub)]


def _texts(suggestion) -> list[str]:
    return [reason.text for reason in suggestion.reasons]


# --- The suggestion ---------------------------------------------------------------------------


def test_tops_go_to_a_confident_maker_before_a_beginner(world, staff):
    beginner = _maker(world, name="Bea Beginner", experience="beginner")
    confident = _maker(world, name="Cora Confident", experience="confident")
    _only_makers(world, beginner, confident)
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="top", actor=staff)
    (suggestion,) = _suggested(world, [kit])
    assert suggestion.candidate.pk == confident.pk
    assert "Confident sewer: suits tops" in _texts(suggestion)


def test_trousers_go_to_a_beginner_first(world, staff):
    beginner = _maker(world, name="Bea Beginner", experience="beginner")
    professional = _maker(world, name="Pru Professional", experience="professional")
    _only_makers(world, beginner, professional)
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="trousers", actor=staff)
    (suggestion,) = _suggested(world, [kit])
    assert suggestion.candidate.pk == beginner.pk
    assert "Beginner: trousers are a good first garment" in _texts(suggestion)


def test_a_beginner_offered_a_top_is_told_it_is_against_them(world, staff):
    beginner = _maker(world, name="Bea Beginner", experience="beginner")
    _only_makers(world, beginner)
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="top", actor=staff)
    (suggestion,) = _suggested(world, [kit])
    against = [r.text for r in suggestion.reasons if not r.good]
    assert "Beginner: better to start with trousers" in against


def test_makers_with_no_free_capacity_away_or_paused_are_not_suggested(world, staff):
    full = _maker(world, name="Fay Full", sets_per_week=1)
    away = _maker(world, name="Al Away", away_until=timezone.localdate() + timedelta(days=3))
    paused = _maker(world, name="Pat Paused", status="paused")
    free = _maker(world, name="Fran Free", sets_per_week=1)
    _only_makers(world, full, away, paused, free)
    Maker.objects.filter(pk=paused.pk).update(status="paused")
    held, kit = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    services.kit_allocate(kit=held, maker=full, actor=staff)
    candidates = {c.pk for c in allocation.candidates_for_hub(hub=world.hub)}
    assert candidates == {free.pk}
    (suggestion,) = _suggested(world, [kit])
    assert suggestion.candidate.pk == free.pk
    assert "Room for 1 more kit (offers 1 sets a week, holds 0 kits)" in _texts(suggestion)


def test_kits_are_spread_out_before_anyone_gets_a_second(world, staff):
    first = _maker(world, name="Ann One", sets_per_week=3)
    second = _maker(world, name="Ben Two", sets_per_week=3)
    _only_makers(world, first, second)
    kits = factories.prepared_kits(hub=world.hub, kit_count=4, actor=staff)
    suggestions = _suggested(world, kits)
    chosen = [s.candidate.pk for s in suggestions]
    assert sorted(chosen[:2]) == sorted([first.pk, second.pk])
    assert sorted(chosen) == sorted([first.pk, first.pk, second.pk, second.pk])


def test_suggestions_stop_when_free_places_run_out(world, staff):
    only = _maker(world, name="Olive Only", sets_per_week=1)
    _only_makers(world, only)
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    first, second = _suggested(world, kits)
    assert first.candidate.pk == only.pk
    assert second is None


def test_the_nearer_preferred_point_wins_when_all_else_is_equal(world, staff):
    near_point = factories.PointFactory(
        hub=world.hub, latitude=world.hub.latitude, longitude=world.hub.longitude
    )
    far_point = factories.PointFactory(
        hub=world.hub, latitude=world.hub.latitude + Decimal("0.1"), longitude=world.hub.longitude
    )
    far = _maker(world, name="Aaron Far", preferred_point=far_point)
    near = _maker(world, name="Zed Near", preferred_point=near_point)
    _only_makers(world, far, near)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    (suggestion,) = _suggested(world, [kit])
    assert suggestion.candidate.pk == near.pk
    assert f"Uses {near_point.name}, 0.0 km from the hub" in _texts(suggestion)
    ranked = allocation.rank(allocation.candidates_for_hub(hub=world.hub), kit=kit, hub=world.hub)
    far_reasons = [r.text for r in ranked[1].reasons]
    assert f"Uses {far_point.name}, 11.1 km from the hub" in far_reasons


def test_the_maker_waiting_longest_wins_when_all_else_is_equal(world, staff):
    recent = _maker(world, name="Aaron Recent", sets_per_week=3)
    waiting = _maker(world, name="Zoe Waiting", sets_per_week=2)
    _only_makers(world, recent, waiting)
    given, kit = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    services.kit_allocate(kit=given, maker=recent, actor=staff)
    (suggestion,) = _suggested(world, [kit])
    assert suggestion.candidate.pk == waiting.pk
    assert "Has not had a kit yet" in _texts(suggestion)
    ranked = allocation.rank(allocation.candidates_for_hub(hub=world.hub), kit=kit, hub=world.hub)
    assert "Last given a kit today" in [r.text for r in ranked[1].reasons]


def test_record_counts_kits_on_time_and_garments_passed(world, staff):
    steady = _maker(world, name="Sue Steady", sets_per_week=5)
    _only_makers(world, steady)
    on_time, late = kits_at(world, staff, steady, stage="with_maker", count=2)
    services.garments_return(kit=on_time, count=5, actor=staff)
    # The second kit was collected long before the hub's overdue limit.
    long_ago = timezone.now() - timedelta(days=world.hub.overdue_after_days + 3)
    KitAssignment.objects.filter(kit=late).update(assigned_at=long_ago)
    KitEvent.objects.filter(kit=late, new_status=Kit.Status.WITH_MAKER).update(created_at=long_ago)
    Kit.objects.filter(pk=late.pk).update(collected_at=long_ago)
    services.garments_return(kit=late, count=5, actor=staff)
    services.quality_check_record(kit=on_time, passed=5, failures=[], actor=staff)
    services.quality_check_record(
        kit=late,
        passed=3,
        failures=[services.Failure(reason="Seams", count=2)],
        failed_outcome="rework",
        actor=staff,
    )
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    (suggestion,) = _suggested(world, [kit])
    assert "Record: on time with 1 of 2 kits, 80% of garments passed" in _texts(suggestion)
    record = suggestion.candidate.record
    assert (record.handed_in, record.on_time, record.passed, record.failed) == (2, 1, 8, 2)


def test_a_checked_kit_counts_for_who_held_it_then_not_who_holds_it_later(world, staff):
    first = _maker(world, name="First Holder", sets_per_week=5)
    second = _maker(world, name="Second Holder", sets_per_week=5)
    _only_makers(world, first, second)
    (kit,) = kits_at(world, staff, first, stage="awaiting_check")
    services.quality_check_record(
        kit=kit,
        passed=4,
        failures=[services.Failure(reason="Seams", count=1)],
        failed_outcome="rework",
        actor=staff,
    )
    services.kit_reallocate(kit=kit, maker=second, actor=staff)
    records = {c.pk: c.record for c in allocation.candidates_for_hub(hub=world.hub)}
    assert (records[first.pk].passed, records[first.pk].failed) == (4, 1)
    assert records[second.pk].checked == 0


def test_groups_with_room_are_candidates_too(world, staff):
    _only_makers(world)
    group = factories.MakerGroupFactory(hub=world.hub, name="Prison workshop")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    (suggestion,) = _suggested(world, [kit])
    assert suggestion.candidate.key == f"g{group.pk}"
    assert "A group: takes any garment" in _texts(suggestion)


def test_search_finds_by_name_postcode_phone_and_point(world):
    point = factories.PointFactory(hub=world.hub, name="Lochee church")
    maker = _maker(world, name="Morag Findme", postcode="DD2 3AU", phone="07700 912345")
    other = _maker(world, name="Someone Else", postcode="DD5 1AA", phone="07700 900111")
    Maker.objects.filter(pk=maker.pk).update(preferred_point=point)
    for query in ("morag", "dd23au", "DD2 3", "912345", "lochee"):
        found = {c.pk for c in allocation.candidates_for_hub(hub=world.hub, query=query)}
        assert maker.pk in found, query
        assert other.pk not in found, query


# --- The allocation page --------------------------------------------------------------------


def test_board_shows_each_kit_with_its_suggestion_and_reasons(world, staff, client_for):
    maker = _maker(world, name="Cora Confident", experience="confident")
    _only_makers(world, maker)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    response = client_for("hub_staff").get(reverse("hubs:allocate"))
    page = response.content.decode()
    assert response.status_code == 200
    assert kit.display_code in page
    assert "Give to Cora Confident" in page
    assert "Confident sewer: suits tops" in page
    assert f'name="for_{kit.code}" value="m{maker.pk}"' in page


def test_giving_with_the_suggestion_allocates_records_the_staff_and_tells_the_maker(
    world, staff, client_for
):
    maker = _maker(world, name="Cora Confident", preferred_point=world.point)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    response = client_for("hub_staff").post(
        reverse("hubs:allocate_kit", args=[kit.code]), {"candidate": f"m{maker.pk}"}
    )
    assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.status == Kit.Status.ALLOCATED
    assert kit.collection_point == world.point  # their usual point
    assignment = KitAssignment.objects.get(kit=kit, ended_at__isnull=True)
    assert (assignment.maker, assignment.assigned_by) == (maker, staff)
    assert kit.events.last().actor == staff
    message = Message.objects.get(idempotency_key=f"kit-given:{assignment.pk}")
    assert message.to_address == maker.email
    assert kit.display_code in message.body and world.point.name in message.body
    assert_kit_invariants(kit)


def test_staff_can_choose_another_maker_and_a_point(world, staff, client_for):
    other_point = factories.PointFactory(hub=world.hub, name="Church hall")
    suggested = _maker(world, name="Cora Confident", experience="professional")
    chosen = _maker(world, name="Bea Beginner", experience="beginner")
    (kit,) = factories.prepared_kits(hub=world.hub, garment_type="top", actor=staff)
    client = client_for("hub_staff")
    page = client.get(reverse("hubs:allocate_kit", args=[kit.code])).content.decode()
    assert "Cora Confident" in page and "Bea Beginner" in page
    searched = client.get(reverse("hubs:allocate_kit", args=[kit.code]), {"q": "bea"})
    assert "Bea Beginner" in searched.content.decode()
    assert "Cora Confident" not in searched.content.decode()
    response = client.post(
        reverse("hubs:allocate_kit", args=[kit.code]),
        {"candidate": f"m{chosen.pk}", "point": str(other_point.pk)},
    )
    assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.collection_point == other_point
    assert KitAssignment.objects.get(kit=kit).maker == chosen
    assert not KitAssignment.objects.filter(maker=suggested).exists()


def test_giving_to_another_hubs_maker_changes_nothing(world, staff, client_for):
    outsider = factories.MakerFactory(hub=world.other_hub)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    response = client_for("hub_staff").post(
        reverse("hubs:allocate_kit", args=[kit.code]), {"candidate": f"m{outsider.pk}"}
    )
    assert response.status_code == 400
    assert "Choose a maker or group from this hub." in response.content.decode()
    kit.refresh_from_db()
    assert kit.status == Kit.Status.PREPARED
    assert not KitAssignment.objects.filter(kit=kit).exists()


def test_giving_with_no_choice_shows_the_error_summary(world, staff, client_for):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    response = client_for("hub_staff").post(reverse("hubs:allocate_kit", args=[kit.code]), {})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page and "Choose who gets the kit." in page
    kit.refresh_from_db()
    assert kit.status == Kit.Status.PREPARED


def test_a_kit_already_given_out_says_who_has_it_on_the_allocation_page(
    world, staff, maker, client_for
):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    coordinator = world.user("coordinator")
    coordinator.first_name, coordinator.last_name = "Cath", "Coordinator"
    coordinator.save()
    other = _maker(world, name="Late Comer")
    services.kit_allocate(kit=kit, maker=maker, actor=coordinator)
    response = client_for("hub_staff").post(
        reverse("hubs:allocate_kit", args=[kit.code]), {"candidate": f"m{other.pk}"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Give out kits" in page  # the allocation page itself, not an error page
    assert f"Kit {kit.display_code} was just given to {maker.name} by Cath Coordinator" in page
    assert KitAssignment.objects.get(kit=kit).maker == maker


def test_giving_many_at_once_gives_every_ticked_kit(world, staff, client_for):
    first = _maker(world, name="Ann One")
    second = _maker(world, name="Ben Two")
    kits = factories.prepared_kits(hub=world.hub, kit_count=3, actor=staff)
    data = {"kit": [kits[0].code, kits[1].code]}
    data[f"for_{kits[0].code}"] = f"m{first.pk}"
    data[f"for_{kits[1].code}"] = f"m{second.pk}"
    data[f"for_{kits[2].code}"] = f"m{second.pk}"  # shown but not ticked
    response = client_for("hub_staff").post(reverse("hubs:allocate_many"), data, follow=True)
    assert "2 kits are given out." in response.content.decode()
    statuses = {k.code: k.status for k in Kit.objects.filter(pk__in=[k.pk for k in kits])}
    assert statuses == {
        kits[0].code: "allocated",
        kits[1].code: "allocated",
        kits[2].code: "prepared",
    }
    assert KitAssignment.objects.get(kit=kits[0]).maker == first
    assert KitAssignment.objects.get(kit=kits[1]).maker == second


def test_giving_many_reports_the_kit_a_colleague_took_and_gives_the_rest(
    world, staff, maker, client_for
):
    first = _maker(world, name="Ann One")
    taken, free = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    services.kit_allocate(kit=taken, maker=maker, actor=world.user("coordinator"))
    data = {
        "kit": [taken.code, free.code],
        f"for_{taken.code}": f"m{first.pk}",
        f"for_{free.code}": f"m{first.pk}",
    }
    response = client_for("hub_staff").post(reverse("hubs:allocate_many"), data, follow=True)
    page = response.content.decode()
    assert "1 kit is given out." in page
    assert f"Kit {taken.display_code} was just given to {maker.name}" in page
    assert KitAssignment.objects.get(kit=taken).maker == maker
    assert KitAssignment.objects.get(kit=free).maker == first


def test_giving_many_with_another_hubs_maker_gives_nothing(world, staff, client_for):
    first = _maker(world, name="Ann One")
    outsider = factories.MakerFactory(hub=world.other_hub)
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    data = {
        "kit": [k.code for k in kits],
        f"for_{kits[0].code}": f"m{first.pk}",
        f"for_{kits[1].code}": f"m{outsider.pk}",
    }
    response = client_for("hub_staff").post(reverse("hubs:allocate_many"), data)
    assert response.status_code == 400
    assert "has nobody to go to" in response.content.decode()
    assert not KitAssignment.objects.filter(kit__in=kits).exists()


def test_giving_many_with_nothing_ticked_says_so(world, client_for):
    response = client_for("hub_staff").post(reverse("hubs:allocate_many"), {})
    assert response.status_code == 400
    assert "Tick at least one kit to give out." in response.content.decode()


def test_kits_give_many_refuses_a_kit_of_another_hub_before_writing(world, staff):
    mine = factories.prepared_kits(hub=world.hub, actor=staff)[0]
    theirs = factories.prepared_kits(hub=world.other_hub, actor=staff)[0]
    maker = _maker(world)
    with pytest.raises(staff_kits.KitError, match="different hub"):
        staff_kits.kits_give_many(
            hub=world.hub,
            choices=[
                staff_kits.Choice(kit=mine, maker=maker),
                staff_kits.Choice(kit=theirs, maker=maker),
            ],
            actor=staff,
        )
    assert not KitAssignment.objects.exists()


# --- Give to someone else, take back, mark lost ---------------------------------------------


def test_take_back_puts_the_kit_on_the_shelf_with_the_staff_name_and_tells_the_maker(
    world, staff, maker, client_for
):
    (kit,) = kits_at(world, staff, maker, stage="allocated")
    assignment = KitAssignment.objects.get(kit=kit)
    client = client_for("coordinator")
    assert client.get(reverse("hubs:kit_take_back", args=[kit.code])).status_code == 200
    response = client.post(
        reverse("hubs:kit_take_back", args=[kit.code]), {"reason": "Not collected in a week"}
    )
    assert response.status_code == 302
    kit.refresh_from_db()
    assignment.refresh_from_db()
    assert kit.status == Kit.Status.PREPARED
    assert assignment.ended_by == world.user("coordinator")
    assert assignment.end_reason == "Not collected in a week"
    assert kit.events.last().actor == world.user("coordinator")
    assert Message.objects.filter(idempotency_key=f"kit-not-needed:{assignment.pk}").exists()
    history = client.get(reverse("hubs:kit_lost", args=[kit.code])).content.decode()
    assert "Not collected in a week" in history


def test_a_collected_kit_cannot_be_taken_back(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="with_maker")
    response = client_for("hub_staff").post(reverse("hubs:kit_take_back", args=[kit.code]), {})
    assert response.status_code == 409
    assert "Only a kit waiting to be collected can be taken back" in response.content.decode()
    kit.refresh_from_db()
    assert kit.status == Kit.Status.WITH_MAKER


def test_give_to_someone_else_moves_the_kit_and_keeps_the_history(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="with_maker")
    friend = _maker(world, name="Fiona Friend")
    client = client_for("hub_staff")
    page = client.get(reverse("hubs:kit_reallocate", args=[kit.code]), {"q": "fiona"})
    assert "Fiona Friend" in page.content.decode()
    response = client.post(
        reverse("hubs:kit_reallocate", args=[kit.code]),
        {"candidate": f"m{friend.pk}", "reason": "Her friend is finishing it"},
    )
    assert response.status_code == 302
    old, new = KitAssignment.objects.filter(kit=kit).order_by("pk")
    assert (old.maker, old.ended_by, old.end_reason) == (maker, staff, "Her friend is finishing it")
    assert (new.maker, new.assigned_by, new.ended_at) == (friend, staff, None)
    assert_kit_invariants(kit)


def test_giving_to_the_same_maker_again_is_refused_in_the_page(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="allocated")
    response = client_for("hub_staff").post(
        reverse("hubs:kit_reallocate", args=[kit.code]), {"candidate": f"m{maker.pk}"}
    )
    assert response.status_code == 409
    assert "is already with" in response.content.decode()


def test_mark_lost_needs_a_reason_then_writes_off_what_the_maker_held(
    world, staff, maker, client_for
):
    (kit,) = kits_at(world, staff, maker, stage="with_maker")
    client = client_for("hub_staff")
    refused = client.post(reverse("hubs:kit_lost", args=[kit.code]), {"reason": " "})
    assert refused.status_code == 400
    assert "Say what happened to the kit." in refused.content.decode()
    kit.refresh_from_db()
    assert kit.status == Kit.Status.WITH_MAKER
    response = client.post(reverse("hubs:kit_lost", args=[kit.code]), {"reason": "Moved away"})
    assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.status == Kit.Status.LOST
    assert kit.qty_written_off == kit.garment_count
    assert kit.events.last().actor == staff
    assert_kit_invariants(kit)


def test_given_list_finds_a_kit_by_code_or_holder(world, staff, maker, client_for):
    (kit,) = kits_at(world, staff, maker, stage="allocated")
    (other,) = kits_at(world, staff, _maker(world, name="Nobody Else"), stage="allocated")
    client = client_for("hub_staff")
    by_code = client.get(reverse("hubs:allocate_given"), {"q": kit.code.lower()}).content.decode()
    assert kit.display_code in by_code and other.display_code not in by_code
    by_name = client.get(reverse("hubs:allocate_given"), {"q": maker.name}).content.decode()
    assert kit.display_code in by_name and other.display_code not in by_name


def test_another_hubs_kit_is_a_404_for_every_action(world, client_for):
    staff_b = world.user("other_hub_staff")
    (kit,) = factories.prepared_kits(hub=world.other_hub, actor=staff_b)
    client = client_for("hub_staff")
    for name in ("hubs:allocate_kit", "hubs:kit_reallocate", "hubs:kit_take_back", "hubs:kit_lost"):
        assert client.get(reverse(name, args=[kit.code])).status_code == 404, name
        assert client.post(reverse(name, args=[kit.code]), {}).status_code == 404, name
    kit.refresh_from_db()
    assert kit.status == Kit.Status.PREPARED


def test_history_says_who_did_each_step_and_copes_with_nobody_recorded(
    world, staff, maker, client_for
):
    (kit,) = factories.prepared_kits(hub=world.hub, actor=None)
    services.kit_allocate(kit=kit, maker=maker, actor=None)
    client = client_for("hub_staff")
    staff.first_name, staff.last_name = "Sam", "Staff"
    staff.save()
    friend = _maker(world, name="Fiona Friend")
    client.post(
        reverse("hubs:kit_reallocate", args=[kit.code]),
        {"candidate": f"m{friend.pk}", "reason": "Swapped"},
    )
    page = client.get(reverse("hubs:kit_lost", args=[kit.code])).content.decode()
    assert f"{maker.name}: given on" in page and "by someone" in page
    assert "Swapped on" in page and "(Sam Staff)" in page
    assert "Fiona Friend: given on" in page and "by Sam Staff" in page
    assert "— the system" in page


# --- Reading a bounded shortlist, whatever the hub's size ------------------------------------


def test_shortlist_takes_those_who_asked_then_never_given_then_longest_waiting(world, staff):
    asked = _maker(world, name="Asked Again")
    never = _maker(world, name="Never Given")
    long_ago = _maker(world, name="Long Ago")
    recent = _maker(world, name="Given Recently")
    full = _maker(world, name="No Room", sets_per_week=1)
    _only_makers(world, asked, never, long_ago, recent, full)
    now = timezone.now()
    Maker.objects.filter(pk=asked.pk).update(
        wants_kit_since=now - timedelta(days=1), last_given_at=now - timedelta(days=3)
    )
    Maker.objects.filter(pk=long_ago.pk).update(last_given_at=now - timedelta(days=40))
    Maker.objects.filter(pk=recent.pk).update(last_given_at=now - timedelta(days=2))
    Maker.objects.filter(pk=full.pk).update(kits_held=1)

    shortlist = [m.pk for m in allocation.maker_shortlist(hub=world.hub, size=1)]

    # One from each queue: the recently given maker waits behind the one given long ago,
    # and a maker with no room is never read.
    assert shortlist == [asked.pk, never.pk, long_ago.pk]


def test_room_is_counted_up_to_a_cap(world, monkeypatch):
    makers = [_maker(world, name=f"Roomy {n}") for n in range(3)]
    _only_makers(world, *makers)
    assert allocation.room_for_kits(hub=world.hub) == allocation.Room(3, False, 0)
    monkeypatch.setattr(allocation, "ROOM_COUNTED_UP_TO", 2)
    assert allocation.room_for_kits(hub=world.hub) == allocation.Room(2, True, 0)


def test_counters_follow_kits_given_and_handed_in(world, staff):
    maker = _maker(world, name="Counted Maker", sets_per_week=3)
    _only_makers(world, maker)
    first, second = kits_at(world, staff, maker, stage="with_maker", count=2)
    maker.refresh_from_db()
    assert (maker.kits_held, maker.kits_handed_in) == (2, 0)
    services.garments_return(kit=first, count=5, actor=staff)
    services.quality_check_record(kit=first, passed=5, failures=[], actor=staff)
    maker.refresh_from_db()
    # Handed in on time and five garments passed; the kit stays theirs until it closes.
    assert (maker.kits_held, maker.kits_handed_in, maker.kits_on_time) == (2, 1, 1)
    assert (maker.garments_passed, maker.garments_failed) == (5, 0)
    assert maker.last_given_at == KitAssignment.objects.get(kit=second).assigned_at


def test_suggestions_follow_the_full_ranking_for_every_kit_place(world, staff):
    """suggest() orders candidates without building every reason; each kit's suggestion is
    still the top of rank() for that kit, wherever it waits."""
    points = [
        factories.PointFactory(
            hub=world.hub, latitude=Decimal("56.46") + Decimal(n) / 50, longitude=Decimal("-2.97")
        )
        for n in range(3)
    ]
    makers = [
        _maker(world, name=f"Maker {n}", experience=level, preferred_point=points[n % 3])
        for n, level in enumerate(["beginner", "confident", "professional", "confident"])
    ]
    _only_makers(world, *makers)
    tops = factories.prepared_kits(hub=world.hub, kit_count=3, actor=staff)
    for kit, point in zip(tops, points, strict=True):
        Kit.objects.filter(pk=kit.pk).update(collection_point=point)
    kits = list(allocation.prepared_kits(hub=world.hub))
    candidates = allocation.candidates_for_hub(hub=world.hub)
    for kit in kits:
        (row,) = allocation.suggest([kit], candidates, hub=world.hub)
        best = allocation.rank(candidates, kit=kit, hub=world.hub)[0]
        assert (row.suggestion.candidate.key, row.suggestion.score) == (
            best.candidate.key,
            best.score,
        )
