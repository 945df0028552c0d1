"""Maker groups run by hub staff without the admin: the list, changing a group's details
and its leader's contact, pausing and starting it again, closing it. Every change goes
through makers.services and leaves an audit row without personal data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from makers import services
from makers.models import MakerGroup
from makers.services import MakerError
from packages.allocation import group_candidates
from scrubhub.audit.models import AuditEvent
from tests import factories
from tests.querycount import assert_same_queries_at_sizes

G = MakerGroup.Status


@pytest.fixture
def group(world):
    return MakerGroup.objects.get(hub=world.hub, leader=world.user("group_leader"))


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


def details(group, **changes):
    return {
        "name": group.name,
        "kind": group.kind,
        "leader_name": group.leader_name,
        "leader_contact": group.leader_contact,
        "member_count": group.member_count,
        "capacity_sets_per_week": group.capacity_sets_per_week,
        **changes,
    }


def group_audit(group):
    return AuditEvent.objects.filter(subject_type="makers.MakerGroup", subject_id=group.pk)


# --- Services -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+44 7700 900123", "07700 900123"),
        ("01382-111-222", "01382 111222"),
        (" Pat.Leader@Example.ORG ", "pat.leader@example.org"),
    ],
)
def test_the_leaders_contact_is_kept_as_a_phone_number_or_email(group, staff, typed, kept):
    changed = services.maker_group_update(
        group=group, actor=staff, **details(group, leader_contact=typed)
    )
    assert changed.leader_contact == kept


@pytest.mark.parametrize("typed", ["call me", "12345", "pat@", "@example.org"])
def test_a_contact_that_reaches_nobody_is_refused_beside_its_field(group, staff, typed):
    with pytest.raises(MakerError, match="phone number") as refused:
        services.maker_group_update(
            group=group, actor=staff, **details(group, leader_contact=typed)
        )
    assert refused.value.field == "leader_contact"
    group.refresh_from_db()
    assert group.leader_contact == "01382 111111"
    assert not group_audit(group).exists()


def test_changing_details_records_which_changed_and_not_what_they_are(group, staff):
    services.maker_group_update(
        group=group,
        actor=staff,
        **details(group, name="Morgan Academy", leader_contact="07700 900123", member_count=30),
    )
    group.refresh_from_db()
    assert (group.name, group.member_count) == ("Morgan Academy", 30)
    (event,) = group_audit(group)
    assert event.actor == staff and event.action == AuditEvent.Action.CHANGED
    assert event.detail == "Group details changed: name, leader contact, member count"
    assert "07700" not in event.detail and "Morgan" not in event.detail


def test_saving_nothing_new_records_nothing(group, staff):
    services.maker_group_update(group=group, actor=staff, **details(group))
    assert not group_audit(group).exists()


def test_a_name_another_group_of_the_hub_has_is_refused(world, group, staff):
    factories.MakerGroupFactory(hub=world.hub, name="Knit and Natter")
    factories.MakerGroupFactory(hub=world.other_hub, name="Fife Stitchers")
    with pytest.raises(MakerError, match="already a group called"):
        services.maker_group_update(
            group=group, actor=staff, **details(group, name="knit and natter")
        )
    # Another hub's group may have the same name.
    services.maker_group_update(group=group, actor=staff, **details(group, name="Fife Stitchers"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"leader_name": ""}, "leader_name"),
        ({"member_count": 0}, "member_count"),
        ({"capacity_sets_per_week": -1}, "capacity_sets_per_week"),
        ({"kind": "cult"}, "kind"),
    ],
)
def test_details_a_group_cannot_have_are_refused(group, staff, changes, field):
    with pytest.raises(MakerError) as refused:
        services.maker_group_update(group=group, actor=staff, **details(group, **changes))
    assert refused.value.field == field


def test_a_paused_group_is_offered_no_kits_until_it_starts_again(world, group, staff):
    services.maker_group_pause(group=group, actor=staff)
    assert group not in list(group_candidates(hub=world.hub))
    assert MakerGroup.objects.get(pk=group.pk).status == G.PAUSED
    services.maker_group_resume(group=group, actor=staff)
    assert group in list(group_candidates(hub=world.hub))
    assert [e.detail for e in group_audit(group).order_by("pk")] == [
        "Group active → paused",
        "Group paused → active",
    ]


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (G.ACTIVE, G.PAUSED, True),
        (G.PAUSED, G.ACTIVE, True),
        (G.ACTIVE, G.ACTIVE, False),
        (G.PAUSED, G.PAUSED, False),
        (G.CLOSED, G.PAUSED, False),
        (G.CLOSED, G.ACTIVE, False),
    ],
)
def test_each_status_change_is_allowed_or_refused(group, staff, start, to, allowed):
    MakerGroup.objects.filter(pk=group.pk).update(status=start)
    change = services.maker_group_pause if to == G.PAUSED else services.maker_group_resume
    if allowed:
        assert change(group=group, actor=staff).status == to
    else:
        with pytest.raises(MakerError):
            change(group=group, actor=staff)
        assert MakerGroup.objects.get(pk=group.pk).status == start


def test_a_closed_groups_details_are_kept_as_they_were(group, staff):
    services.maker_group_close(group=group, actor=staff)
    with pytest.raises(MakerError, match="closed"):
        services.maker_group_update(group=group, actor=staff, **details(group, name="New"))
    assert group_audit(group).get().detail == "Group active → closed"


# --- Pages ----------------------------------------------------------------------------------


def test_the_list_shows_each_groups_leader_contact_kits_and_status(world, group, client_for):
    factories.MakerGroupFactory(hub=world.hub, name="Paused Stitchers", status=G.PAUSED)
    factories.MakerGroupFactory(hub=world.hub, name="Closed Stitchers", status=G.CLOSED)
    factories.MakerGroupFactory(hub=world.other_hub, name="Fife Stitchers")
    MakerGroup.objects.filter(pk=group.pk).update(kits_held=3, leader_contact="pat@example.org")
    page = client_for("hub_staff").get(reverse("makers:staff_groups")).content.decode()
    assert group.name in page and "Pat Leader" in page
    assert 'href="mailto:pat@example.org"' in page
    assert '<td class="num">3</td>' in page
    assert "Paused Stitchers" in page and "Paused" in page
    assert "Closed Stitchers" not in page and "Fife Stitchers" not in page
    closed = client_for("hub_staff").get(reverse("makers:staff_groups"), {"show": "closed"})
    assert "Closed Stitchers" in closed.content.decode()
    assert group.name not in closed.content.decode()


def test_the_list_makes_the_same_queries_for_10_and_1000_groups(world, client_for):
    client = client_for("hub_staff")

    def make(n):
        MakerGroup.objects.bulk_create(
            [
                MakerGroup(hub=world.hub, name=f"Group {i:04}", leader_name="L", leader_contact="x")
                for i in range(MakerGroup.objects.count(), n)
            ]
        )

    assert_same_queries_at_sizes(client, reverse("makers:staff_groups"), make)


def test_staff_change_a_group_on_its_page(world, group, client_for):
    url = reverse("makers:staff_group", args=[group.pk])
    response = client_for("coordinator").post(
        url, details(group, leader_contact="07700 900123", capacity_sets_per_week=40)
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.leader_contact, group.capacity_sets_per_week) == ("07700 900123", 40)


def test_a_wrong_contact_on_the_page_is_shown_at_the_top_and_beside_the_field(group, client_for):
    url = reverse("makers:staff_group", args=[group.pk])
    response = client_for("hub_staff").post(url, details(group, leader_contact="ask at desk"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_leader_contact"' in page
    assert 'aria-invalid="true"' in page


def test_pausing_and_starting_again_from_the_page(group, client_for):
    client = client_for("hub_staff")
    status_url = reverse("makers:staff_group_status", args=[group.pk])
    client.post(status_url, {"to": "pause"})
    assert MakerGroup.objects.get(pk=group.pk).status == G.PAUSED
    page = client.get(reverse("makers:staff_group", args=[group.pk])).content.decode()
    assert "Start the group sewing again" in page
    client.post(status_url, {"to": "resume"})
    assert MakerGroup.objects.get(pk=group.pk).status == G.ACTIVE


def test_a_group_holding_a_kit_cannot_be_closed_from_the_page(world, group, client_for, staff):
    from packages import services as packages

    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, group=group, actor=staff)
    response = client_for("hub_staff").post(
        reverse("makers:staff_group_status", args=[group.pk]), {"to": "close"}, follow=True
    )
    assert "still has a kit" in response.content.decode()
    assert MakerGroup.objects.get(pk=group.pk).status == G.ACTIVE


def test_another_hubs_staff_cannot_reach_or_change_the_group(group, client_for):
    other = client_for("other_hub_staff")
    assert other.get(reverse("makers:staff_group", args=[group.pk])).status_code == 404
    url = reverse("makers:staff_group_status", args=[group.pk])
    assert other.post(url, {"to": "pause"}).status_code == 404
    assert MakerGroup.objects.get(pk=group.pk).status == G.ACTIVE
