"""Double submits (issue 21, part 4): every form that creates something saves once, however
often the same form is sent, one after the other or at the same moment; people get the
first sending's page, not an error and not a second row."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dropoffs.forms import NewPointForm, RunPlanForm
from dropoffs.models import Point, Run
from makers.forms import GiveBackForm, GroupForm, JoinForm, ProblemForm, ReturnForm
from makers.models import FormSubmission, KitProblem, Maker, MakerGroup, ReturnPlan
from makers.staff_forms import PaperFormsToken, SignUpForm
from packages import services as packages
from packages.forms import (
    CirculationForm,
    NewDeliveryForm,
    NewQualityRequirementForm,
    PackForm,
    SizeRunForm,
    WashFailureForm,
)
from packages.models import (
    CirculationRecord,
    Delivery,
    DeliveryLine,
    DemandLine,
    Donation,
    Kit,
    PrecutStock,
    QualityCheck,
    QualityRequirement,
    WashFailure,
)
from scrubhub import once
from scrubhub.backoffice.views.quality import CheckForm
from scrubhub.hubs.forms import ConfirmForm, GoodsInForm, ShiftNoteForm
from scrubhub.hubs.models import Invitation, KitBatch, Role, ShiftNote
from scrubhub.hubs.team_forms import InviteForm
from scrubhub.notifications.models import Message
from tests import factories
from tests.dropoffs import builders
from tests.hubs.helpers import kits_at
from tests.once import token

GOODS_IN_PRECUT = {
    "donor_name": "Tay Mill",
    "kind": "precut",
    "received_on": "2020-04-14",
    "garment_type": "top",
    "size": "M",
    "pieces": "10",
}
SIZE_RUN = {"garments": "top", "priority": "urgent", "size_S": "12", "size_XL": "3"}
SIGN_UP = {
    "name": "Jean Watt",
    "phone": "07700 900321",
    "postcode": "dd2 1aa",
    "age_band": Maker.AgeBand.OVER_70,
    "experience": Maker.Experience.CONFIDENT,
    "has_sewing_machine": "yes",
    "sets_per_week": 2,
    "agreed": "on",
}
GROUP = {
    "group_name": "Harris Academy sewing club",
    "kind": "school",
    "member_count": "14",
    "capacity": "10",
    "leader_name": "Jo Teacher",
    "email": "jo@example.org",
    "phone": "",
    "consent": "on",
}


def _collected_kit(world):
    staff = world.user("hub_staff")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    maker = Maker.objects.get(user=world.user("maker"))
    packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=world.point)
    return packages.kit_collect(kit=kit, actor=staff)


def _finished_kit(world):
    kit = _collected_kit(world)
    return packages.kit_progress_log(kit=kit, finished=2, actor=world.user("maker"))


def _tomorrow(world) -> str:
    return (world.hub.today() + timezone.timedelta(days=1)).isoformat()


def _return_plan(world):
    kit = _finished_kit(world)
    url = reverse("makers:kit_return", args=[kit.code])
    return url, {"where": str(world.point.pk), "day": _tomorrow(world)}


def _give_back(world):
    kit = _finished_kit(world)
    url = reverse("makers:kit_give_back", args=[kit.code])
    return url, {"where": str(world.point.pk), "day": _tomorrow(world), "reason": "illness"}


def _plans_and_their_messages() -> int:
    # A repeat would replace the first plan with a second one and thank her twice.
    return ReturnPlan.objects.count() + Message.objects.filter(kind__contains="return-plan").count()


POINT = {
    "name": "Post office",
    "address": "5 Main Street",
    "postcode": "dd11aa",
    "latitude": "56.47",
    "longitude": "-2.96",
    "accepts_kit_collection": "on",
}


def _pack(world):
    staff = world.user("hub_staff")
    factories.passed_kit(hub=world.hub, actor=staff, size="M", garments=5)
    draft = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=staff, status="draft", sizes=()
    )
    return reverse("packages:hub_delivery_pack", args=[draft.pk]), {"count_top_M": "2"}


def _garments_packed() -> int:
    return DeliveryLine.objects.aggregate(n=Sum("count_sent"))["n"] or 0


def _check_part_of_a_kit(world):
    staff = world.user("hub_staff")
    maker = Maker.objects.get(user=world.user("maker"))
    (kit,) = kits_at(world, staff, maker, stage="awaiting_check")
    return reverse("hubs:check_kit", args=[kit.code]), {"passed": "2"}


def _kit_problem(world):
    kit = _collected_kit(world)
    return reverse("makers:kit_problem", args=[kit.code]), {
        "kind": "fabric_fault",
        "text": "A hole",
    }


def _prepare(world):
    stock = factories.PrecutStockFactory(hub=world.hub, quantity_received=40)
    return reverse("hubs:prepare_confirm"), {
        "garment_type": "top",
        "size": "M",
        "garments_per_kit": "5",
        "kit_count": "3",
        "stock": f"precut-{stock.pk}",
        "expected_left": "40",
    }


def _wash_failure(world):
    delivery = factories.delivery(
        hub=world.hub, hospital=world.hospital, actor=world.user("hub_staff"), status="received"
    )
    line = delivery.lines.get()
    url = reverse("packages:laundry_wash_failure", args=[delivery.pk])
    return url, {"line": line.pk, "count": "1", "reason": "seams"}


def _run(world):
    maker = builders.doorstep_maker(world)
    return reverse("dropoffs:run_new"), {
        "driver": world.user("driver").pk,
        "day": timezone.localdate().isoformat(),
        "points": [world.point.pk],
        "makers": [maker.pk],
    }


def _paper_forms(world):
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 0,
        "form-MIN_NUM_FORMS": 1,
        "form-MAX_NUM_FORMS": 40,
    }
    data.update({f"form-0-{key}": value for key, value in SIGN_UP.items()})
    return reverse("makers:staff_paper_forms"), data


@dataclass(frozen=True)
class Case:
    persona: str
    form: type
    page: Callable  # world -> (url, data)
    made: Callable[[], int]  # how many rows the form makes

    def __str__(self) -> str:
        return self.form.__name__


CASES = {
    "laundry demand": Case(
        "laundry",
        SizeRunForm,
        lambda w: (reverse("packages:laundry_demand_new"), SIZE_RUN),
        DemandLine.objects.count,
    ),
    "goods in": Case(
        "hub_staff",
        GoodsInForm,
        lambda w: (reverse("hubs:goods_in"), GOODS_IN_PRECUT),
        Donation.objects.count,
    ),
    "shift note": Case(
        "hub_staff",
        ShiftNoteForm,
        lambda w: (reverse("hubs:shift_note_add"), {"text": "Ties by the door"}),
        ShiftNote.objects.count,
    ),
    "staff sign-up": Case(
        "hub_staff",
        SignUpForm,
        lambda w: (reverse("makers:staff_sign_up"), SIGN_UP),
        Maker.objects.filter(name="Jean Watt").count,
    ),
    "paper forms": Case(
        "hub_staff", PaperFormsToken, _paper_forms, Maker.objects.filter(name="Jean Watt").count
    ),
    "kit problem": Case("maker", ProblemForm, _kit_problem, KitProblem.objects.count),
    "group registration": Case(
        "anonymous",
        GroupForm,
        lambda w: (reverse("makers:group_register", kwargs={"slug": w.hub.slug}), GROUP),
        MakerGroup.objects.count,
    ),
    "preparing kits": Case("hub_staff", ConfirmForm, _prepare, KitBatch.objects.count),
    "new delivery": Case(
        "hub_staff",
        NewDeliveryForm,
        lambda w: (reverse("packages:hub_delivery_new"), {"hospital": w.hospital.pk}),
        Delivery.objects.count,
    ),
    "wash failure": Case("laundry", WashFailureForm, _wash_failure, WashFailure.objects.count),
    "quality requirement": Case(
        "laundry",
        NewQualityRequirementForm,
        lambda w: (reverse("packages:laundry_quality_new"), {"title": "1 cm seams"}),
        QualityRequirement.objects.count,
    ),
    "run": Case("hub_staff", RunPlanForm, _run, Run.objects.count),
    "return plan": Case("maker", ReturnForm, _return_plan, _plans_and_their_messages),
    "give back": Case("maker", GiveBackForm, _give_back, _plans_and_their_messages),
    "new point": Case(
        "hub_staff",
        NewPointForm,
        lambda w: (reverse("dropoffs:point_new"), POINT),
        Point.objects.count,
    ),
    "team invitation": Case(
        "coordinator",
        InviteForm,
        lambda w: (reverse("hubs:team_invite"), {"email": "new@example.org", "role": Role.DRIVER}),
        lambda: Invitation.objects.count() + Message.objects.filter(kind="team_invitation").count(),
    ),
    "packing a delivery": Case("hub_staff", PackForm, _pack, _garments_packed),
    "sets in circulation": Case(
        "laundry",
        CirculationForm,
        lambda w: (reverse("packages:laundry_circulation"), {"sets": "120"}),
        CirculationRecord.objects.count,
    ),
    "checking part of a kit": Case(
        "hub_staff",
        CheckForm,
        _check_part_of_a_kit,
        lambda: QualityCheck.objects.aggregate(n=Sum("passed"))["n"] or 0,
    ),
}


def _client(world, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world.user(persona))
    return client


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_same_form_sent_twice_makes_one_and_both_go_to_the_same_page(world, case):
    url, data = case.page(world)
    before = case.made()
    client = _client(world, case.persona)
    sent = data | token(case.form)
    first = client.post(url, sent)
    assert first.status_code == 302, first.content.decode()[:2000]
    made = case.made()
    assert made > before
    again = client.post(url, sent, follow=True)
    assert case.made() == made
    assert again.redirect_chain[0] == (first.headers["Location"], 302)
    assert "That was already saved, so nothing was added twice." in again.content.decode()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_form_without_its_token_saves_nothing_and_says_to_send_it_again(world, case):
    url, data = case.page(world)
    before = case.made()
    another_forms = {"form_token": once.token_new("another.Form")}
    for junk in ({}, {"form_token": "not-a-token"}, another_forms):
        response = _client(world, case.persona).post(url, data | junk)
        assert response.status_code in (200, 400)
        assert "This form was open for a long time" in response.content.decode()
    assert case.made() == before


def test_a_stale_form_comes_back_with_a_fresh_token_that_works(world):
    client = _client(world, "laundry")
    url = reverse("packages:laundry_demand_new")
    refused = client.post(url, SIZE_RUN | {"form_token": "expired"})
    fresh = refused.context["form"].data["form_token"]
    assert once.token_key(fresh, SizeRunForm.form_name())
    assert client.post(url, SIZE_RUN | {"form_token": fresh}).status_code == 302
    assert DemandLine.objects.count() == 2


def test_a_refused_form_can_be_put_right_and_sent_with_the_same_token(world):
    client = _client(world, "laundry")
    url, data = _wash_failure(world)
    sent = token(WashFailureForm)
    refused = client.post(url, data | {"count": "99"} | sent)
    assert "cannot have failed" in refused.content.decode()
    assert not FormSubmission.objects.exists()  # the claim went with the refusal
    assert client.post(url, data | sent).status_code == 302
    assert WashFailure.objects.count() == 1


def test_a_page_gives_each_visit_its_own_token(world):
    client = _client(world, "hub_staff")
    first, second = (
        client.get(reverse("hubs:goods_in")).context["form"]["form_token"].value() for _ in range(2)
    )
    assert first != second
    assert once.token_key(first, GoodsInForm.form_name())
    assert once.token_key(first, ShiftNoteForm.form_name()) is None


def test_used_tokens_are_pruned_once_expired(world):
    old = FormSubmission.objects.create(key="a" * 32, form="x")
    FormSubmission.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(seconds=2 * once.MAX_AGE + 60)
    )
    recent = FormSubmission.objects.create(key="b" * 32, form="x")
    from makers.tasks import prune_form_submissions

    assert prune_form_submissions() == 1
    assert prune_form_submissions() == 0
    assert list(FormSubmission.objects.all()) == [recent]


# --- Group registration refusals the database makes ------------------------------------------


def test_group_registration_with_an_address_whose_account_is_switched_off_says_so(client, world):
    # The username is the address, so a new account for it cannot be made: was a 500.
    get_user_model().objects.create(username="jo@example.org", email="", is_active=False)
    url = reverse("makers:group_register", kwargs={"slug": world.hub.slug})
    response = client.post(url, GROUP | token(GroupForm))
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-error-summary" in body
    assert "We could not register a group with this email address." in body
    assert not MakerGroup.objects.filter(name=GROUP["group_name"]).exists()


# --- Races: real threads, real transactions -----------------------------------------------


def _race(world, persona: str, posts: list[tuple[str, dict]]):
    """Each post from its own client (and database connection), all let go at once."""
    barrier = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)
    clients = [_client(world, persona) for _ in posts]

    def send(index):
        url, data = posts[index]
        try:
            barrier.wait(timeout=10)
            answers[index] = clients[index].post(url, data)
        except Exception as error:  # noqa: BLE001 - reported by the test
            answers[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


race = pytest.mark.django_db(transaction=True)


@race
def test_five_fast_posts_of_one_size_run_make_one_request(world):
    url = reverse("packages:laundry_demand_new")
    sent = SIZE_RUN | token(SizeRunForm)
    answers = _race(world, "laundry", [(url, sent)] * 5)
    assert [getattr(a, "status_code", a) for a in answers] == [302] * 5
    assert {a.headers["Location"] for a in answers} == {reverse("packages:laundry_demand")}
    assert DemandLine.objects.count() == 2  # one line for each of the two sizes


@race
def test_five_fast_posts_of_goods_in_count_the_stock_once(world):
    url = reverse("hubs:goods_in")
    sent = GOODS_IN_PRECUT | token(GoodsInForm)
    answers = _race(world, "hub_staff", [(url, sent)] * 5)
    assert [getattr(a, "status_code", a) for a in answers] == [302] * 5
    assert Donation.objects.count() == 1
    stock = PrecutStock.objects.get(hub=world.hub)
    assert stock.quantity_available == 10


@race
def test_two_staff_signing_up_the_same_person_at_once_make_one_maker(world):
    url = reverse("makers:staff_sign_up")
    for round_ in range(3):
        person = SIGN_UP | {"name": f"Jean Watt {round_}"}
        answers = _race(
            world,
            "hub_staff",
            [(url, person | token(SignUpForm)), (url, person | token(SignUpForm))],
        )
        codes = sorted(getattr(a, "status_code", a) for a in answers)
        assert codes == [302, 400], answers
        refused = next(a for a in answers if a.status_code == 400)
        assert "is already signed up" in refused.content.decode()
        assert Maker.objects.filter(name=person["name"]).count() == 1


@race
def test_two_leaders_registering_the_same_group_at_once_one_is_told(world):
    url = reverse("makers:group_register", kwargs={"slug": world.hub.slug})
    for round_ in range(3):
        name = f"Lochee Stitchers {round_}"
        posts = [
            (
                url,
                GROUP | {"group_name": name, "email": f"a{round_}@example.org"} | token(GroupForm),
            ),
            (
                url,
                GROUP | {"group_name": name, "email": f"b{round_}@example.org"} | token(GroupForm),
            ),
        ]
        answers = _race(world, "anonymous", posts)
        codes = sorted(getattr(a, "status_code", a) for a in answers)
        assert codes == [200, 302], answers
        refused = next(a for a in answers if a.status_code == 200)
        assert f"There is already a group called {name}" in refused.content.decode()
        assert MakerGroup.objects.filter(name=name).count() == 1


@race
def test_five_fast_posts_of_one_join_form_make_one_maker_and_all_say_thanks(world):
    url = reverse("makers:join", kwargs={"slug": world.hub.slug})
    sent = {
        "name": "Isla Brown",
        "email": "isla@example.org",
        "postcode": "dd1 4hn",
        "age_band": "18_69",
        "experience": "confident",
        "has_sewing_machine": "yes",
        "preferred_point": str(world.point.pk),
        "consent": "on",
    } | token(JoinForm, JoinForm.scope_for(world.hub))
    answers = _race(world, "anonymous", [(url, sent)] * 5)
    assert [getattr(a, "status_code", a) for a in answers] == [302] * 5
    done = reverse("makers:join_done", kwargs={"slug": world.hub.slug})
    assert {a.headers["Location"] for a in answers} == {done}
    assert Maker.objects.filter(email="isla@example.org").count() == 1


@race
def test_five_fast_posts_of_one_packing_form_pack_the_garments_once(world):
    url, data = _pack(world)
    sent = data | token(PackForm)
    answers = _race(world, "hub_staff", [(url, sent)] * 5)
    assert [getattr(a, "status_code", a) for a in answers] == [302] * 5
    line = DeliveryLine.objects.get()
    delivery_page = reverse("packages:hub_delivery", args=[line.delivery_id])
    assert {a.headers["Location"] for a in answers} == {delivery_page}
    assert line.count_sent == 2
    assert sum(line.allocations.values_list("count", flat=True)) == 2
    kit = Kit.objects.get(hub=world.hub, qty_reserved__gt=0)
    assert (kit.qty_reserved, kit.qty_passed) == (2, 3)


@race
def test_two_staff_adding_the_same_point_at_once_add_one_and_the_other_is_told(world):
    url = reverse("dropoffs:point_new")
    for round_ in range(3):
        point = POINT | {"name": f"Post office {round_}"}
        answers = _race(
            world,
            "hub_staff",
            [(url, point | token(NewPointForm)), (url, point | token(NewPointForm))],
        )
        codes = sorted(getattr(a, "status_code", a) for a in answers)
        assert codes == [302, 400], answers
        refused = next(a for a in answers if a.status_code == 400)
        assert f"already has a point called Post office {round_}" in refused.content.decode()
        assert Point.objects.filter(name=point["name"]).count() == 1
