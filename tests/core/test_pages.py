from __future__ import annotations

from django.urls import reverse

from scrubhub.hubs.models import Hub
from tests import factories
from tests.querycount import assert_same_queries_at_sizes


def test_home_lists_each_active_hub_with_a_link(client, world):
    world.other_hub.is_active = False
    world.other_hub.save()
    page = client.get("/").content.decode()
    assert "Tayside Scrub Hub" in page
    assert "/h/tayside/" in page
    assert "Fife Scrub Hub" not in page


def test_home_page_query_count_does_not_grow_with_hubs(client, db):
    def grow_to(n: int) -> None:
        missing = n - Hub.objects.count()
        Hub.objects.bulk_create(factories.HubFactory.build() for _ in range(missing))

    assert_same_queries_at_sizes(client, "/", grow_to)


def test_every_page_shows_the_hub_name_and_phone_to_its_people(client_for, world):
    world.hub.phone = "01382 384000"
    world.hub.save()
    page = client_for("maker").get(reverse("makers:me")).content.decode()
    assert "Tayside Scrub Hub" in page
    assert "01382 384000" in page
    assert 'href="tel:01382384000"' in page


def test_signed_in_people_land_on_their_roles_home(client_for, world):
    expected = {
        "maker": "/me/",
        "group_leader": "/me/",
        "hub_staff": "/hub/",
        "coordinator": "/hub/",
        "laundry": "/laundry/",
        "driver": "/runs/",
        "point_helper": "/scan/",
        "operator": "/admin/",
    }
    for persona, home in expected.items():
        response = client_for(persona).get(reverse("role_home"))
        assert response.headers["Location"] == home, persona


def test_sign_in_with_password_lands_on_role_home(client, world):
    response = client.post(
        reverse("account_login"),
        {"login": "hub_staff", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == "/hub/"


def test_wrong_password_shows_the_error_summary_and_the_field(client, world):
    response = client.post(reverse("account_login"), {"login": "hub_staff", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "not correct" in page


def test_a_person_without_any_role_is_told_so(client, db):
    user = factories.UserFactory(username="nobody")
    client.force_login(user)
    response = client.get(reverse("role_home"))
    assert response.status_code == 200
    assert "does not have a job in any hub" in response.content.decode()


def test_hub_switcher_moves_staff_between_their_hubs_only(client_for, world):
    factories.MembershipFactory(user=world.user("hub_staff"), hub=world.other_hub)
    staff = client_for("hub_staff")
    for hub in (world.hub, world.other_hub):
        staff.post(reverse("hubs:switch"), {"hub": hub.pk})
        assert f"{hub.name}: dashboard" in staff.get("/hub/").content.decode()
    stranger = factories.HubFactory()
    assert staff.post(reverse("hubs:switch"), {"hub": stranger.pk}).status_code == 404
