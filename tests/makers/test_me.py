"""The maker's own pages: my kits, progress, returning, problems, details, data, leaving."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from makers.forms import GiveBackForm, ProblemForm, ReturnForm
from makers.models import KitProblem, Maker, ReturnPlan
from makers.services import MakerError, maker_erase, maker_group_close, maker_group_create
from packages import services as packages
from packages.models import Kit, KitProgress
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token
from tests.querycount import assert_same_queries_at_sizes


def url(name: str, kit=None) -> str:
    return reverse(f"makers:{name}", kwargs={"code": kit.code} if kit is not None else None)


@pytest.fixture
def me(client_for):
    return client_for("maker")


# --- My kits ---------------------------------------------------------------------------


def test_my_page_lists_my_kits_with_where_they_are_and_the_next_step(me, held_kit, world):
    waiting = held_kit(collect=False)  # given to her, still on the hub's shelf
    sewing = held_kit(finished=2)
    html = me.get(url("me")).content.decode()
    assert waiting.display_code in html and sewing.display_code in html
    assert f"This page will say when it is at {world.point.name}." in html
    assert "you have finished 2 of 5" in html


def test_my_page_links_to_my_group_only_while_i_lead_one(me, maker, world):
    assert "See your group's kits" not in me.get(url("me")).content.decode()
    group = maker_group_create(
        hub=world.hub,
        name="Stitchers of Lochee",
        leader=maker.user,
        leader_name=maker.name,
        leader_contact="01382 4",
        actor=world.user("hub_staff"),
    )
    assert "See your group's kits" in me.get(url("me")).content.decode()
    maker_group_close(group=group, actor=world.user("hub_staff"))
    assert "See your group's kits" not in me.get(url("me")).content.decode()


def test_my_page_never_shows_another_makers_kit(me, held_kit, world):
    other = Maker.objects.get(user=world.user("other_maker"))
    theirs = held_kit(who=other)
    assert theirs.display_code not in me.get(url("me")).content.decode()


@pytest.mark.parametrize(
    "page", ["kit", "kit_progress", "kit_return", "kit_give_back", "kit_problem"]
)
def test_another_makers_kit_is_404_on_every_kit_page(me, held_kit, world, page):
    same_hub_maker = factories.MakerFactory(hub=world.hub, user=factories.UserFactory())
    theirs = held_kit(who=same_hub_maker)
    assert me.get(url(page, theirs)).status_code == 404
    if page != "kit":  # the kit page itself only reads
        assert me.post(url(page, theirs), {"finished": 1, "seen": 0}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.finished_count == 0


def test_a_kit_i_gave_up_is_no_longer_mine(me, held_kit, maker, world):
    kit = held_kit()
    other = factories.MakerFactory(hub=world.hub)
    packages.kit_reallocate(kit=kit, maker=other, actor=world.user("hub_staff"))
    assert me.get(url("kit", kit)).status_code == 404


def test_the_kit_page_has_the_instructions_for_its_garment_and_size(me, held_kit, world):
    factories.PatternFactory(
        hub=world.hub,
        garment_type="top",
        size="M",
        name="Tayside top M",
        instructions_text="Sew the shoulders first.",
    )
    kit = held_kit()
    html = me.get(url("kit", kit)).content.decode()
    assert "Sew the shoulders first." in html


def test_a_kit_code_typed_loosely_still_finds_my_kit(me, held_kit):
    kit = held_kit()
    loose = f"{kit.code[:3].lower()}-{kit.code[3:].lower()}"
    assert me.get(reverse("makers:kit", kwargs={"code": loose})).status_code == 200


# --- Progress --------------------------------------------------------------------------


def progress(me, kit, finished, seen=None):
    seen = kit.finished_count if seen is None else seen
    return me.post(url("kit_progress", kit), {"finished": finished, "seen": seen})


def test_logging_progress_goes_up(me, held_kit):
    kit = held_kit(finished=1)
    assert progress(me, kit, 3).status_code == 302
    kit.refresh_from_db()
    assert kit.finished_count == 3
    assert KitProgress.objects.filter(kit=kit, finished=3).exists()


def test_finishing_them_all_leads_to_the_return_page(me, held_kit):
    kit = held_kit()
    response = progress(me, kit, 5)
    assert response.headers["Location"] == url("kit_return", kit)


@pytest.mark.parametrize(
    ("finished", "words"),
    [
        (6, "This kit has 5 garments, so you cannot have finished 6."),
        (2, "You already told us 2 are finished. The number can only go up."),
        (1, "The number can only go up."),
        (-1, "Enter a number from 0 up."),
        ("", "Enter how many you have finished."),
        ("three", "Enter a whole number"),
    ],
)
def test_progress_above_the_kit_or_below_what_was_logged_is_refused(me, held_kit, finished, words):
    kit = held_kit(finished=2)
    response = progress(me, kit, finished)
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["finished"])
    assert "There is a problem" in response.content.decode()
    kit.refresh_from_db()
    assert kit.finished_count == 2
    assert KitProgress.objects.filter(kit=kit).count() == 1


def test_a_stale_progress_form_is_refused_and_says_what_changed(me, held_kit, maker):
    kit = held_kit(finished=1)
    packages.kit_progress_log(kit=kit, finished=3, actor=maker.user)  # on her other phone
    response = progress(me, kit, 4, seen=1)
    assert response.status_code == 200
    assert "now shows 3 finished" in " ".join(response.context["form"].non_field_errors())
    kit.refresh_from_db()
    assert kit.finished_count == 3


def test_a_replayed_progress_form_changes_nothing_the_second_time(me, held_kit):
    kit = held_kit(finished=1)
    assert progress(me, kit, 3, seen=1).status_code == 302
    again = progress(me, kit, 3, seen=1)
    assert again.status_code == 200
    assert KitProgress.objects.filter(kit=kit, finished=3).count() == 1


def test_a_kit_not_yet_collected_has_no_progress_form(me, held_kit):
    kit = held_kit(collect=False)
    assert me.get(url("kit_progress", kit)).headers["Location"] == url("kit", kit)


# --- Ready to return, can't finish, problems ------------------------------------------------


def tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def test_ready_to_return_keeps_the_point_and_day_and_thanks_the_maker(me, held_kit, world):
    kit = held_kit(finished=5)
    response = me.post(
        url("kit_return", kit),
        {"where": str(world.point.pk), "day": tomorrow()} | token(ReturnForm),
    )
    assert response.status_code == 302
    plan = ReturnPlan.objects.get(kit=kit)
    assert (plan.point, plan.day.isoformat(), plan.unfinished) == (world.point, tomorrow(), False)
    assert plan.finished_count == 5
    assert Message.objects.filter(kind__startswith="maker_return-plan").exists()
    assert f"Bring it to {world.point.name}" in me.get(url("me")).content.decode()
    kit.refresh_from_db()
    assert kit.qty_with_maker == 5  # garments move only at the handover itself


def test_a_new_return_plan_replaces_the_old_one(me, held_kit, world):
    kit = held_kit(finished=5)
    me.post(
        url("kit_return", kit),
        {"where": str(world.point.pk), "day": tomorrow()} | token(ReturnForm),
    )
    later = (timezone.localdate() + timedelta(days=3)).isoformat()
    me.post(
        url("kit_return", kit), {"where": str(world.point.pk), "day": later} | token(ReturnForm)
    )
    statuses = sorted(ReturnPlan.objects.filter(kit=kit).values_list("status", flat=True))
    assert statuses == ["open", "replaced"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"day": tomorrow()}, "where"),
        ({"where": "PLACE", "day": ""}, "day"),
        ({"where": "PLACE", "day": "2001-01-01"}, "day"),
        ({"where": "OTHER", "day": tomorrow()}, "where"),
        ({"where": "doorstep", "day": tomorrow()}, "where"),
    ],
)
def test_a_return_needs_one_of_my_hubs_points_and_a_day_soon(me, held_kit, world, data, field):
    kit = held_kit(finished=5)
    data = {
        key: {"PLACE": str(world.point.pk), "OTHER": str(world.other_point.pk)}.get(value, value)
        for key, value in data.items()
    }
    response = me.post(url("kit_return", kit), data | token(ReturnForm))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ReturnPlan.objects.exists()


def test_ready_to_return_needs_something_finished(me, held_kit, world):
    kit = held_kit()
    response = me.post(
        url("kit_return", kit),
        {"where": str(world.point.pk), "day": tomorrow()} | token(ReturnForm),
    )
    assert "finished any yet" in " ".join(response.context["form"].non_field_errors())
    assert not ReturnPlan.objects.exists()


def test_cant_finish_records_the_reason_and_the_hand_back(me, held_kit, world):
    kit = held_kit(finished=2)
    response = me.post(
        url("kit_give_back", kit),
        {"reason": "illness", "note": "", "where": str(world.point.pk), "day": tomorrow()}
        | token(GiveBackForm),
    )
    assert response.status_code == 302
    plan = ReturnPlan.objects.get(kit=kit)
    assert (plan.unfinished, plan.reason, plan.finished_count) == (True, "illness", 2)


def test_cant_finish_needs_a_reason(me, held_kit, world):
    kit = held_kit()
    response = me.post(
        url("kit_give_back", kit),
        {"where": str(world.point.pk), "day": tomorrow()} | token(GiveBackForm),
    )
    assert "reason" in response.context["form"].errors
    assert not ReturnPlan.objects.exists()


def test_a_problem_report_reaches_the_hub_without_the_makers_name(me, held_kit, maker, world):
    kit = held_kit()
    response = me.post(
        url("kit_problem", kit),
        {"kind": "missing_pieces", "text": "No sleeves"} | token(ProblemForm),
    )
    assert response.status_code == 302
    problem = KitProblem.objects.get(kit=kit)
    assert (problem.maker, problem.status, problem.text) == (maker, "open", "No sleeves")
    note = Message.objects.get(kind="kit_problem")
    assert note.to_address == world.hub.email
    assert kit.display_code in note.body and maker.name not in note.body
    assert "No sleeves" in me.get(url("kit", kit)).content.decode()


def test_something_else_needs_words(me, held_kit):
    kit = held_kit()
    response = me.post(url("kit_problem", kit), {"kind": "other", "text": " "} | token(ProblemForm))
    assert "text" in response.context["form"].errors
    assert not KitProblem.objects.exists()


def test_staff_answer_a_problem_and_the_maker_hears(held_kit, maker, world):
    from makers.services import kit_problem_answer, kit_problem_report, kit_problem_resolve

    kit = held_kit()
    problem = kit_problem_report(maker=maker, kit=kit, kind="fabric_fault", actor=maker.user)
    problem = kit_problem_answer(
        problem=problem, answer="Bring it in, we will swap it.", actor=world.user("hub_staff")
    )
    assert problem.status == "answered"
    assert Message.objects.filter(kind__startswith="maker_kit-problem", recipient=maker.user)
    problem = kit_problem_resolve(problem=problem, actor=world.user("hub_staff"))
    assert problem.status == "resolved"
    with pytest.raises(MakerError):
        kit_problem_resolve(problem=problem, actor=world.user("hub_staff"))


def test_ready_for_another_kit_is_kept_once(me, maker):
    me.post(url("ready"))
    maker.refresh_from_db()
    first = maker.wants_kit_since
    assert first is not None
    me.post(url("ready"))
    maker.refresh_from_db()
    assert maker.wants_kit_since == first


def test_an_applicant_cannot_ask_for_a_kit_yet(me, maker):
    Maker.objects.filter(pk=maker.pk).update(status="applied")
    response = me.post(url("ready"), follow=True)
    assert "not approved you yet" in response.content.decode()
    maker.refresh_from_db()
    assert maker.wants_kit_since is None


# --- Impact --------------------------------------------------------------------------------


def test_my_impact_counts_what_i_made_and_what_reached_the_hospital(me, held_kit, maker, world):
    staff = world.user("hub_staff")
    kit = held_kit(finished=3)
    packages.garments_return(kit=kit, count=5, actor=staff)
    packages.quality_check_record(kit=kit, passed=5, failures=[], actor=staff)
    held_kit(who=factories.MakerFactory(hub=world.hub), finished=2)
    html = me.get(url("impact")).content.decode()
    assert "5 garments made by you" in html.replace("\n", " ").replace("</span>", "")
    response = me.get(url("me"))
    impact = response.context["impact"]
    assert (impact.garments_made, impact.garments_delivered, impact.kits) == (5, 0, 1)
    assert response.context["progress"].makers == 2  # the two with kits in this hub


# --- My details, away, leaving ---------------------------------------------------------------


def details_data(maker, **changes) -> dict:
    data = {
        "name": maker.name,
        "email": maker.email,
        "phone": "07700 900321",
        "postcode": "DD2 1AB",
        "preferred_channel": "email",
        "sets_per_week": "2",
        "preferred_point": "",
    }
    data.update(changes)
    return data


def test_i_can_change_my_details_and_my_sign_in_email_follows(me, maker):
    response = me.post(url("details"), details_data(maker, email="new@example.org"))
    assert response.status_code == 302
    maker.refresh_from_db()
    assert (maker.email, maker.postcode, maker.sets_per_week) == ("new@example.org", "DD2 1AB", 2)
    assert maker.user.email == "new@example.org"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"postcode": "12345"}, "postcode"),
        ({"email": "", "phone": ""}, "email"),
        ({"preferred_channel": "sms", "phone": "01382 123456"}, "phone"),
        ({"sets_per_week": "-1"}, "sets_per_week"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_details_are_refused_and_nothing_changes(me, maker, changes, field):
    before = Maker.objects.filter(pk=maker.pk).values().get()
    response = me.post(url("details"), details_data(maker, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Maker.objects.filter(pk=maker.pk).values().get() == before


def test_an_email_used_by_another_account_is_refused_without_saying_whose(me, maker, world):
    taken = world.user("hub_staff").email
    response = me.post(url("details"), details_data(maker, email=taken))
    assert "cannot use that email" in " ".join(response.context["form"].non_field_errors())


def test_away_for_three_weeks_pauses_and_back_resumes(me, maker):
    Maker.objects.filter(pk=maker.pk).update(status="active")
    assert me.post(url("away"), {"weeks": "3"}).status_code == 302
    maker.refresh_from_db()
    assert maker.status == "paused"
    assert maker.away_until == timezone.localdate() + timedelta(weeks=3)
    assert "You are away until" in me.get(url("me")).content.decode()
    me.post(url("back"))
    maker.refresh_from_db()
    assert (maker.status, maker.away_until) == ("approved", None)


def test_stopping_is_refused_while_i_hold_a_kit(me, held_kit, maker):
    held_kit()
    response = me.post(url("withdraw"), {"confirm": "on"})
    assert response.status_code == 200
    assert "still have a kit" in " ".join(response.context["form"].non_field_errors())
    maker.refresh_from_db()
    assert maker.status == "active"


def test_stopping_needs_the_box_ticked_then_signs_me_out(me, maker):
    assert "confirm" in me.post(url("withdraw"), {}).context["form"].errors
    assert me.post(url("withdraw"), {"confirm": "on"}).status_code == 302
    maker.refresh_from_db()
    assert maker.status == "withdrawn"
    assert "_auth_user_id" not in me.session


# --- My data ----------------------------------------------------------------------------------


def test_my_data_downloads_as_json_with_everything_about_me(me, held_kit, maker, world):
    kit = held_kit(finished=2)
    me.post(
        url("kit_problem", kit), {"kind": "fabric_fault", "text": "A hole"} | token(ProblemForm)
    )
    response = me.get(url("data_json"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["details"]["name"] == maker.name
    assert data["details"]["email"] == maker.email
    assert [k["code"] for k in data["kits"]] == [kit.display_code]
    assert data["problems_reported"][0]["text"] == "A hole"
    assert data["account"]["username"] == world.user("maker").username
    assert isinstance(data["consents"], list) and isinstance(data["messages_sent_to_you"], list)


def test_my_data_downloads_as_csv_and_is_safe_to_open_in_a_spreadsheet(me, maker):
    Maker.objects.filter(pk=maker.pk).update(name="=HYPERLINK(1)")
    response = me.get(url("data_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["section", "item", "field", "value"]
    assert ["details", "", "name", "'=HYPERLINK(1)"] in rows


def test_my_data_holds_nothing_about_other_makers(me, held_kit, world):
    other = Maker.objects.get(user=world.user("other_maker"))
    held_kit(who=other)
    body = me.get(url("data_json")).content.decode()
    assert other.name not in body and other.email not in body


# --- What I agreed to, and changing my mind -------------------------------------------------


def test_my_data_page_shows_what_i_agreed_to_and_when(me, maker):
    from makers.models import Consent
    from makers.services import consent_give

    consent_give(maker=maker, purpose=Consent.Purpose.CONTACT, wording_version="privacy-v1")
    consent_give(maker=maker, purpose=Consent.Purpose.CONTACT, wording_version="privacy-v2")
    html = me.get(url("data")).content.decode()
    assert "Contact me about kits and collections" in html
    assert html.count("Contact me about kits and collections") == 2  # v1, since ended, and v2
    assert "This ended on" in html and "privacy-v2" in html
    assert reverse("makers:withdraw") in html and reverse("makers:delete") in html


def test_the_weekly_email_stops_and_starts_again_from_the_data_page(me, maker, world):
    from scrubhub.notifications.services import WEEKLY_SUMMARY, has_opted_out

    other = Maker.objects.get(user=world.user("other_maker"))
    assert "Stop the weekly email" in me.get(url("data")).content.decode()
    assert me.post(url("weekly_email")).headers["Location"] == url("data")
    assert has_opted_out(address=maker.email, kind=WEEKLY_SUMMARY)
    assert not has_opted_out(address=other.email, kind=WEEKLY_SUMMARY)
    assert "Send me the weekly email again" in me.get(url("data")).content.decode()
    me.post(url("weekly_email"), {"weekly_email": "on"})
    assert not has_opted_out(address=maker.email, kind=WEEKLY_SUMMARY)


def test_a_maker_without_email_is_offered_no_weekly_email_switch(me, maker):
    Maker.objects.filter(pk=maker.pk).update(email="", phone="07700 900123")
    assert "weekly email" not in me.get(url("data")).content.decode()
    response = me.post(url("weekly_email"), follow=True)
    assert "no email address for you" in response.content.decode()


def test_erasing_a_maker_ends_what_they_agreed_to(world, maker):
    from makers.models import Consent
    from makers.services import consent_give

    consent_give(maker=maker, purpose=Consent.Purpose.STORE_DETAILS, wording_version="privacy-v1")
    erased = maker_erase(maker=maker, actor=None)
    consents = list(Consent.objects.filter(maker=maker))
    assert consents and all(c.withdrawn_at == erased.erased_at for c in consents)


# --- Deleting my account --------------------------------------------------------------------


def test_deleting_my_account_erases_me_ends_my_sessions_and_keeps_the_counts(
    me, held_kit, maker, world
):
    staff = world.user("hub_staff")
    kit = held_kit(finished=5)
    me.post(
        url("kit_problem", kit),
        {"kind": "other", "text": "My name is Margaret"} | token(ProblemForm),
    )
    packages.garments_return(kit=kit, count=5, actor=staff)
    packages.quality_check_record(kit=kit, passed=5, failures=[], actor=staff)
    user_id = maker.user_id
    other_device = Client()
    other_device.force_login(world.user("maker"))
    assert me.post(url("delete"), {"confirm": "on"}).headers["Location"] == url("deleted")
    maker.refresh_from_db()
    assert maker.status == "erased"
    assert (maker.name, maker.email, maker.phone, maker.user_id) == ("", "", "", None)
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert other_device.get(url("me")).status_code == 302  # signed out there too
    assert KitProblem.objects.get(kit=kit).text == ""
    assert not Message.objects.filter(recipient_id=user_id).exists()
    assert not Message.objects.filter(body__contains="Margaret").exists()
    kit.refresh_from_db()
    assert kit.qty_passed == 5  # the hub's counts keep the work
    assert Kit.objects.filter(assignments__maker=maker).exists()


def test_deleting_is_refused_while_i_hold_a_kit(me, held_kit, maker):
    held_kit()
    response = me.post(url("delete"), {"confirm": "on"})
    assert "still have a kit" in " ".join(response.context["form"].non_field_errors())
    maker.refresh_from_db()
    assert maker.status != "erased"


def test_erasing_a_maker_who_is_also_staff_keeps_their_staff_account(world, maker):
    from scrubhub.hubs.models import Membership, Role

    user = world.user("maker")
    Membership.objects.create(user=user, role=Role.DRIVER, hub=world.hub)
    maker_erase(maker=maker, actor=world.user("hub_staff"))
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert not Membership.objects.filter(user=user, role=Role.MAKER).exists()


# --- Query counts ----------------------------------------------------------------------------


def test_my_page_makes_the_same_queries_with_10_or_1000_kits_in_the_hub(me, maker, world):
    staff = world.user("hub_staff")
    point = world.point

    def grow_to(n: int) -> None:
        have = Kit.objects.filter(hub=world.hub).count()
        if n > have:
            factories.prepared_kits(hub=world.hub, actor=staff, kit_count=n - have)
        # The maker holds a few more kits each time, in every state the page shows.
        for kit in Kit.objects.filter(hub=world.hub, status="prepared").order_by("pk")[
            : n // 100 + 2
        ]:
            packages.kit_allocate(kit=kit, maker=maker, actor=staff, collection_point=point)
            if kit.pk % 2:
                kit = packages.kit_collect(kit=kit, actor=staff)
                packages.kit_progress_log(kit=kit, finished=5, actor=maker.user)
                from makers.services import kit_problem_report, return_plan_make

                return_plan_make(
                    maker=maker, kit=kit, actor=maker.user, day=timezone.localdate(), point=point
                )
                kit_problem_report(maker=maker, kit=kit, kind="fabric_fault", actor=maker.user)

    count = assert_same_queries_at_sizes(me, url("me"), grow_to)
    assert count <= 15
    assert len(me.get(url("me")).context["kits"]) == 14


def test_the_hub_page_makes_the_same_queries_at_any_size(client, world):
    staff = world.user("hub_staff")

    def grow_to(n: int) -> None:
        have = Kit.objects.filter(hub=world.hub).count()
        if n > have:
            factories.prepared_kits(hub=world.hub, actor=staff, kit_count=n - have)

    assert_same_queries_at_sizes(
        client, reverse("makers:hub_page", kwargs={"slug": world.hub.slug}), grow_to
    )
