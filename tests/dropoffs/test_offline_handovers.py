"""Handovers a helper's phone kept while it had no signal, each with its own client key: the
server records each once however often it is sent, refuses a key reused for something else,
and refuses one the kit's state no longer allows with what happened and what to do.

The outbox (static/js/outbox.js) posts the form as the page drew it, asking for JSON; the
browser test (tests/browser/test_offline_journey.py) drives the real one."""

from __future__ import annotations

import re
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dropoffs import services
from dropoffs.forms import HandInManyForm
from dropoffs.models import Handover
from dropoffs.services import HandoverAlreadyRecorded, HandoverError, kit_version
from makers.models import MakerGroup
from packages import services as packages
from packages.models import Kit
from tests import factories
from tests.dropoffs import builders as b
from tests.once import token
from tests.packages.helpers import assert_kit_invariants

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def helper(client_for):
    return client_for("point_helper")


def handover_url(kit) -> str:
    return reverse("dropoffs:kit_handover", kwargs={"code": kit.code})


def queued(kit, action, key=None, **data) -> dict:
    """The form as the kit page drew it, before the phone lost its signal."""
    return {
        "action": action,
        "version": kit_version(kit),
        "client_key": str(key or uuid.uuid4()),
        **data,
    }


# --- Services -------------------------------------------------------------------------------


def test_the_same_key_twice_makes_one_handover(world):
    kit = b.kit_waiting(world)
    helper, key = world.user("point_helper"), uuid.uuid4()
    seen = kit_version(kit)
    first = services.handover_kit_collect(
        kit=kit, actor=helper, point=world.point, seen=seen, client_key=key
    )
    with pytest.raises(HandoverAlreadyRecorded) as repeat:
        services.handover_kit_collect(
            kit=kit, actor=helper, point=world.point, seen=seen, client_key=key
        )
    assert repeat.value.handover == first
    assert Handover.objects.filter(client_key=key).count() == 1
    assert Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).count() == 1
    assert_kit_invariants(kit)


def test_a_key_reused_for_a_different_kit_is_refused(world):
    one, other = b.kit_with_maker(world), b.kit_with_maker(world)
    helper, key = world.user("point_helper"), uuid.uuid4()
    services.handover_garments_return(
        kit=one, count=2, actor=helper, point=world.point, client_key=key
    )
    with pytest.raises(HandoverError, match="different handover with the same key"):
        services.handover_garments_return(
            kit=other, count=2, actor=helper, point=world.point, client_key=key
        )
    other.refresh_from_db()
    assert other.qty_with_maker == 5
    assert Handover.objects.filter(client_key=key).count() == 1


def test_a_key_reused_by_another_person_is_refused(world):
    kit = b.kit_with_maker(world)
    key = uuid.uuid4()
    services.handover_garments_return(
        kit=kit, count=1, actor=world.user("point_helper"), point=world.point, client_key=key
    )
    with pytest.raises(HandoverError, match="same key"):
        services.handover_garments_return(
            kit=kit, count=1, actor=world.user("hub_staff"), point=world.point, client_key=key
        )


def test_a_queued_collect_for_a_kit_collected_meanwhile_says_there_is_nothing_more_to_do(world):
    kit = b.kit_waiting(world)
    seen = kit_version(kit)  # the page the phone kept
    services.handover_kit_collect(kit=kit, actor=world.user("hub_staff"), point=world.point)
    with pytest.raises(HandoverError) as refused:
        services.handover_kit_collect(
            kit=kit,
            actor=world.user("point_helper"),
            point=world.point,
            seen=seen,
            client_key=uuid.uuid4(),
        )
    assert re.fullmatch(
        rf"Kit {kit.display_code} was already given to its maker at Library point at "
        r"\d\d:\d\d\. Nothing more to do\.",
        str(refused.value),
    )
    assert Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).count() == 1


def test_a_queued_return_after_a_driver_took_the_scrubs_says_to_ask_the_hub(world):
    kit = b.kit_with_maker(world)
    services.handover_garments_return(
        kit=kit, count=2, actor=world.user("hub_staff"), point=world.point
    )
    kit.refresh_from_db()
    seen = kit_version(kit)
    services.handover_pick_up(
        point=world.point, kit_counts=[(kit, 2)], actor=world.user("hub_staff")
    )
    with pytest.raises(HandoverError) as refused:
        services.handover_garments_return(
            kit=kit,
            count=3,
            actor=world.user("point_helper"),
            point=world.point,
            seen=seen,
            client_key=uuid.uuid4(),
        )
    message = str(refused.value)
    assert f"Kit {kit.display_code} was handed to a driver at Library point at" in message
    assert "so nothing was recorded" in message
    assert "ask the hub on 01382 000000" in message
    kit.refresh_from_db()
    assert kit.qty_with_maker == 3


def test_a_queued_return_of_other_scrubs_says_how_many_came_in_meanwhile(world):
    kit = b.kit_with_maker(world)
    seen = kit_version(kit)
    services.handover_garments_return(
        kit=kit, count=2, actor=world.user("hub_staff"), point=world.point
    )
    with pytest.raises(HandoverError) as refused:
        services.handover_garments_return(
            kit=kit,
            count=3,
            actor=world.user("point_helper"),
            point=world.point,
            seen=seen,
            client_key=uuid.uuid4(),
        )
    assert f"Kit {kit.display_code} had 2 handed in at Library point" in str(refused.value)
    assert "these 3 were not recorded" in str(refused.value)


# --- The kit page's view, as the outbox calls it -------------------------------------------


def test_the_outbox_hears_sent_then_already_for_the_same_key(world, helper):
    kit = b.kit_with_maker(world)
    data = queued(kit, "return", count=2)
    first = helper.post(handover_url(kit), data, **JSON)
    assert first.status_code == 200
    assert first.json() == {
        "result": "sent",
        "message": f"2 finished garments from kit {kit.display_code} taken in.",
    }
    again = helper.post(handover_url(kit), data, **JSON)
    assert again.status_code == 200
    assert again.json()["result"] == "already"
    kit.refresh_from_db()
    assert (kit.qty_with_maker, kit.qty_at_point) == (3, 2)
    assert Handover.objects.filter(client_key=data["client_key"]).count() == 1


def test_a_repeat_of_a_collect_is_already_recorded_not_refused(world, helper):
    """After the first sending the kit no longer offers "give to maker" here at all."""
    kit = b.kit_waiting(world)
    data = queued(kit, "collect")
    assert helper.post(handover_url(kit), data, **JSON).json()["result"] == "sent"
    again = helper.post(handover_url(kit), data, **JSON)
    assert again.json()["result"] == "already"
    assert Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).count() == 1


def test_a_repeat_without_the_script_goes_back_to_the_scan_page_once(world, helper):
    kit = b.kit_waiting(world)
    data = queued(kit, "collect")
    assert helper.post(handover_url(kit), data).status_code == 302
    again = helper.post(handover_url(kit), data, follow=True)
    assert again.redirect_chain[-1][0] == reverse("dropoffs:scan")
    assert "That handover was already recorded" in again.content.decode()
    assert Handover.objects.filter(kind=Handover.Kind.COLLECTED_BY_MAKER).count() == 1


def test_the_kit_page_gives_each_form_a_key(world, helper):
    kit = b.kit_with_maker(world)
    page = helper.get(reverse("dropoffs:kit", kwargs={"code": kit.code})).content.decode()
    keys = re.findall(r'name="client_key" value="([0-9a-f-]{36})"', page)
    assert len(keys) == page.count("data-outbox-form") >= 2
    assert len(set(keys)) == len(keys)


def test_a_conflicting_queued_handover_is_refused_with_the_message(world, helper):
    kit = b.kit_waiting(world)
    data = queued(kit, "collect")
    services.handover_kit_collect(kit=kit, actor=world.user("hub_staff"), point=world.point)
    refused = helper.post(handover_url(kit), data, **JSON)
    assert refused.status_code == 409
    assert refused.json()["result"] == "refused"
    assert refused.json()["message"].startswith(
        f"Kit {kit.display_code} was already given to its maker at Library point at "
    )
    assert refused.json()["message"].endswith("Nothing more to do.")
    assert not Handover.objects.filter(client_key=data["client_key"]).exists()


def test_a_queued_count_that_is_no_longer_there_is_refused(world, helper):
    kit = b.kit_with_maker(world)
    data = queued(kit, "return", count=4)
    services.handover_garments_return(
        kit=kit, count=3, actor=world.user("hub_staff"), point=world.point
    )
    refused = helper.post(handover_url(kit), data, **JSON)
    assert refused.json()["result"] == "refused"
    kit.refresh_from_db()
    assert kit.qty_with_maker == 2


def test_a_key_that_is_not_a_key_is_refused(world, helper):
    kit = b.kit_with_maker(world)
    answer = helper.post(handover_url(kit), queued(kit, "return", key="x", count=1), **JSON)
    assert answer.status_code == 400
    assert answer.json()["result"] == "refused"


# --- Handing in several kits -----------------------------------------------------------------


@pytest.fixture
def group_kits(world):
    group = MakerGroup.objects.get(leader=world.user("group_leader"))
    staff = world.user("hub_staff")
    kits = factories.prepared_kits(hub=world.hub, kit_count=2, actor=staff)
    for kit in kits:
        packages.kit_allocate(kit=kit, group=group, actor=staff, collection_point=world.point)
        packages.kit_collect(kit=kit, actor=staff)
    return kits


def test_a_queued_hand_in_of_several_kits_is_recorded_once(world, helper, group_kits):
    url = reverse("dropoffs:hand_in_many", kwargs={"code": group_kits[0].code})
    data = {f"kit_{group_kits[0].pk}": 2, f"kit_{group_kits[1].pk}": 1}
    data |= token(HandInManyForm) | {"client_key": str(uuid.uuid4())}
    first = helper.post(url, data, **JSON)
    assert first.json()["result"] == "sent"
    assert helper.post(url, data, **JSON).json()["result"] == "already"
    assert Handover.objects.filter(client_key=data["client_key"]).count() == 1
    assert (
        sum(
            Kit.objects.filter(pk__in=[k.pk for k in group_kits]).values_list(
                "qty_with_maker", flat=True
            )
        )
        == 7
    )


def test_a_queued_hand_in_counting_a_kit_handed_in_meanwhile_is_refused(world, helper, group_kits):
    url = reverse("dropoffs:hand_in_many", kwargs={"code": group_kits[1].code})
    services.handover_garments_return(
        kit=group_kits[0], count=5, actor=world.user("hub_staff"), point=world.point
    )
    data = {f"kit_{group_kits[0].pk}": 2, f"kit_{group_kits[1].pk}": 1}
    data |= {"client_key": str(uuid.uuid4())}
    refused = helper.post(url, data, **JSON)
    assert refused.status_code == 409
    assert refused.json()["message"].startswith(
        f"Kit {group_kits[0].display_code} had 5 handed in at Library point"
    )
    assert Kit.objects.get(pk=group_kits[1].pk).qty_with_maker == 5


def test_a_hand_in_without_the_script_still_uses_the_pages_token(world, helper, group_kits):
    url = reverse("dropoffs:hand_in_many", kwargs={"code": group_kits[0].code})
    page = helper.get(url).content.decode()
    assert 'name="client_key"' in page and 'name="client_key" value=' not in page
    data = {f"kit_{group_kits[0].pk}": 1} | token(HandInManyForm)
    assert helper.post(url, data).status_code == 302
    assert helper.post(url, data).status_code == 302  # the second tap: already sent
    assert Handover.objects.filter(kind=Handover.Kind.RETURNED_BY_MAKER).count() == 1


# --- Real concurrent sendings ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="Row locks need Postgres.")
@pytest.mark.parametrize("round_", range(3))
def test_two_sendings_race(world, round_):
    """The page's outbox and the service worker's Background Sync may send one item at
    the same moment: one handover, and both are told it is recorded."""
    kit = b.kit_with_maker(world)
    data = queued(kit, "return", count=2)
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(world.user("point_helper"))
        clients.append(client)
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def send(index):
        try:
            barrier.wait(timeout=10)
            answers[index] = clients[index].post(handover_url(kit), data, **JSON).json()["result"]
        except Exception as error:  # noqa: BLE001 - reported below
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == ["already", "sent"], answers
    assert Handover.objects.filter(client_key=data["client_key"]).count() == 1
    kit = assert_kit_invariants(kit)
    assert kit.qty_with_maker == 3
