"""Hub staff journeys on a phone: approve a batch of applicants (ticked, then everyone a
filter shows), sign someone up with a mistake first, type in paper forms, answer a problem,
and the coordinator's team and settings pages. axe checks each page, error states too."""

from __future__ import annotations

import pytest

from makers import services
from makers.models import Maker
from scrubhub.hubs.models import Invitation
from scrubhub.notifications.models import Message

pytestmark = pytest.mark.xdist_group("browser")


def _apply(world, name, **extra):
    return services.maker_apply(
        hub=world.hub,
        name=name,
        postcode="DD1 4HN",
        email=f"{name.split()[0].lower()}@example.org",
        **extra,
    )


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_approve_a_batch_of_applicants(page_for, world, axe):
    ann, bob, cat = (_apply(world, f"{n} Applicant") for n in ("Ann", "Bob", "Cat"))
    elders = [_apply(world, f"Elder{i} Sewer", age_band=Maker.AgeBand.OVER_70) for i in range(4)]
    page = page_for("hub_staff")

    page.goto("/hub/volunteers/applicants/")
    page.get_by_role("heading", name="People waiting for an answer").wait_for()
    assert "7 people are waiting" in page.locator("main").inner_text()
    axe(page)
    page.get_by_label("Ann Applicant").check()
    page.get_by_label("Bob Applicant").check()
    page.get_by_role("button", name="Approve the people I ticked").click()

    page.locator(".messages").wait_for()
    assert "2 people are approved" in page.locator(".messages").inner_text()
    statuses = dict(Maker.objects.filter(hub=world.hub).values_list("name", "status"))
    assert statuses["Ann Applicant"] == statuses["Bob Applicant"] == Maker.Status.APPROVED
    assert statuses["Cat Applicant"] == Maker.Status.APPLIED
    assert Message.objects.filter(kind="maker_approved").count() == 2
    axe(page)

    # The overnight rush: filter to everyone aged 70 or over and approve them all at once.
    page.get_by_text("Search and filter").click()
    page.locator("#id_age_band").select_option(Maker.AgeBand.OVER_70)
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_role("button", name="Approve all 4 people this list shows").click()
    page.get_by_role("heading", name="Approve all 4 people?").wait_for()
    assert not Maker.objects.filter(
        pk__in=[e.pk for e in elders], status=Maker.Status.APPROVED
    ).exists()
    axe(page)
    page.get_by_role("button", name="Yes, approve all 4 people").click()
    page.locator(".messages").wait_for()
    assert "4 people are approved" in page.locator(".messages").inner_text()
    assert all(
        m.status == Maker.Status.APPROVED
        for m in Maker.objects.filter(pk__in=[e.pk for e in elders])
    )
    cat.refresh_from_db()
    assert cat.status == Maker.Status.APPLIED
    assert "Nobody waiting matches the search." in page.locator("main").inner_text()
    axe(page)
    _no_sideways_scroll(page)

    # Declining asks first, and the person is told kindly.
    page.goto("/hub/volunteers/applicants/")
    page.get_by_role("button", name="Decline Cat Applicant").click()
    page.locator(".messages").wait_for()
    cat.refresh_from_db()
    assert cat.status == Maker.Status.DECLINED
    assert Message.objects.filter(kind="maker_declined", to_address=cat.email).exists()
    del ann, bob


def test_sign_someone_up_after_a_mistake(page_for, world, axe):
    page = page_for("hub_staff")
    page.goto("/hub/volunteers/sign-up/")
    axe(page)
    page.get_by_label("Their full name").fill("Jean Watt")
    page.get_by_label("Their phone number").fill("12")
    page.get_by_label("Their postcode").fill("DD2 1AA")
    page.get_by_label("16 or 17").check()
    page.get_by_role("button", name="Sign them up").click()

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Enter a UK phone number" in summary.inner_text()
    assert "Give the name of their parent or guardian." in summary.inner_text()
    assert not Maker.objects.filter(name="Jean Watt").exists()
    axe(page)
    _no_sideways_scroll(page)

    page.get_by_label("Their phone number").fill("07700 900321")
    page.get_by_label("70 or over").check()
    page.get_by_label("I sew often and feel confident").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_label("I read them the privacy notice").check()
    page.get_by_role("button", name="Sign them up").click()
    page.get_by_role("heading", name="Jean Watt").wait_for()
    assert "is signed up" in page.locator(".messages").inner_text()
    maker = Maker.objects.get(name="Jean Watt")
    assert (maker.phone, maker.email, maker.user) == ("07700 900321", "", None)
    axe(page)


def test_paper_forms_row_after_row(page_for, world, axe):
    page = page_for("hub_staff", viewport={"width": 1280, "height": 900})
    page.goto("/hub/volunteers/paper-forms/?rows=3")
    axe(page)
    for row, (name, phone, postcode) in enumerate(
        [("Row One", "07700 900001", "DD1 1AA"), ("Row Two", "01382 900002", "bad")]
    ):
        page.locator(f"#id_form-{row}-name").fill(name)
        page.locator(f"#id_form-{row}-phone").fill(phone)
        page.locator(f"#id_form-{row}-postcode").fill(postcode)
        page.locator(f"#id_form-{row}-age_band").select_option(Maker.AgeBand.ADULT)
        page.locator(f"#id_form-{row}-experience").select_option(Maker.Experience.BEGINNER)
        page.locator(f"#id_form-{row}-has_sewing_machine").select_option("yes")
        page.locator(f"#id_form-{row}-agreed").check()
    page.get_by_role("button", name="Sign them all up").click()
    page.locator(".error-summary").wait_for()
    assert "Row 2, their postcode" in page.locator(".error-summary").inner_text()
    assert not Maker.objects.filter(name__startswith="Row ").exists()
    axe(page)
    page.locator("#id_form-1-postcode").fill("DD1 2BB")
    page.get_by_role("button", name="Sign them all up").click()
    page.locator(".messages").wait_for()
    assert "2 people are signed up" in page.locator(".messages").inner_text()
    assert Maker.objects.filter(name__startswith="Row ").count() == 2


def test_team_invite_and_settings_as_coordinator(page_for, world, axe):
    page = page_for("coordinator")
    page.goto("/hub/team/")
    axe(page)
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Their email address").fill("helper@example.org")
    page.get_by_label("Point helper: hands kits over").check()
    page.get_by_role("button", name="Send the invitation").click()
    page.locator(".error-summary").wait_for()
    assert "Choose the point they will help at." in page.locator(".error-summary").inner_text()
    axe(page)
    page.get_by_label("Which point will they help at?").select_option(str(world.point.pk))
    page.get_by_role("button", name="Send the invitation").click()
    page.locator(".messages").wait_for()
    assert Invitation.objects.get().point == world.point
    assert "helper@example.org" in page.locator("main").inner_text()
    axe(page)

    page.goto("/hub/settings/")
    axe(page)
    page.get_by_label("Days a maker may keep a kit before it is overdue").fill("0")
    page.get_by_role("button", name="Save the settings").click()
    page.locator(".error-summary").wait_for()
    axe(page)
    _no_sideways_scroll(page)
