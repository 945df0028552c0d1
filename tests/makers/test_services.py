"""Makers: signing up, every status change, erasure, consents and groups."""

from __future__ import annotations

import pytest
from django.utils import timezone

from makers import services
from makers.models import Consent, Maker, MakerEvent
from makers.selectors import maker_for_user
from makers.services import MAKER_ALLOWED, MakerError
from packages import services as packages
from scrubhub.hubs.models import Membership, Role
from scrubhub.notifications.models import Message
from tests import factories

S = Maker.Status


def _apply(hub, *, user=None, **overrides):
    fields = {
        "hub": hub,
        "name": "Margaret Reid",
        "postcode": "dd1 4hn",
        "email": "margaret@example.org",
        "user": user,
    }
    fields.update(overrides)
    return services.maker_apply(**fields)


def test_apply_creates_a_maker_a_membership_and_a_welcome_message(world):
    user = factories.UserFactory()
    maker = _apply(world.hub, user=user, consents=[(Consent.Purpose.STORE_DETAILS, "2026-11")])
    assert maker.status == S.APPLIED
    assert maker.postcode == "DD1 4HN"
    assert Membership.objects.filter(user=user, role=Role.MAKER, hub=world.hub).exists()
    assert maker_for_user(user=user) == maker
    message = Message.objects.get(kind="maker_welcome")
    assert message.to_address == "margaret@example.org"
    assert maker.consents.get().wording_version == "2026-11"
    assert maker.events.get().new_status == S.APPLIED


def test_apply_keeps_one_maker_role_for_someone_who_already_has_it(world):
    user = factories.UserFactory()
    Membership.objects.create(user=user, role=Role.MAKER, hub=world.hub)
    Membership.objects.create(user=user, role=Role.MAKER, hub=world.other_hub)
    _apply(world.hub, user=user)
    roles = Membership.objects.filter(user=user, role=Role.MAKER)
    assert sorted(roles.values_list("hub_id", flat=True)) == sorted(
        [world.hub.pk, world.other_hub.pk]
    )


def test_phone_only_person_goes_on_the_hubs_phone_list(world):
    maker = _apply(world.hub, email="", phone="01382 222222", preferred_channel=Maker.Channel.PHONE)
    assert maker.user is None
    assert Message.objects.get(kind="maker_welcome").channel == Message.Channel.PHONE_LIST


def test_auto_approving_hub_approves_at_once(world):
    world.hub.auto_approve_makers = True
    world.hub.save()
    assert _apply(world.hub).status == S.APPROVED


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "", "phone": ""}, "email address or a phone number"),
        ({"age_band": "16_17"}, "parent or guardian"),
        ({"name": " "}, "your name"),
        ({"email": "", "phone": "07700 900001"}, "by email"),
        ({"preferred_channel": "sms"}, "phone number"),
    ],
)
def test_apply_refusals(world, overrides, message):
    with pytest.raises(MakerError, match=message):
        _apply(world.hub, **overrides)


def test_apply_refuses_a_user_who_is_already_a_maker(world):
    with pytest.raises(MakerError, match="already signed up"):
        _apply(world.hub, user=world.user("maker"))


def test_under_18_with_guardian_is_accepted(world):
    maker = _apply(
        world.hub, age_band="16_17", guardian_name="Ann Reid", guardian_contact="01382 123456"
    )
    assert maker.age_band == "16_17"


def _maker_in(status: str, hub) -> Maker:
    if status == S.ERASED:
        return factories.MakerFactory(
            hub=hub,
            status=status,
            name="",
            email="",
            phone="",
            postcode="",
            erased_at=timezone.now(),
        )
    return factories.MakerFactory(hub=hub, status=status)


SERVICES = {
    S.APPROVED: lambda m, a: services.maker_approve(maker=m, actor=a),
    S.DECLINED: lambda m, a: services.maker_decline(maker=m, actor=a),
    S.PAUSED: lambda m, a: services.maker_pause(maker=m, actor=a),
    S.STANDBY: lambda m, a: services.maker_standby(maker=m, actor=a),
    S.WITHDRAWN: lambda m, a: services.maker_withdraw(maker=m, actor=a),
    S.ERASED: lambda m, a: services.maker_erase(maker=m, actor=a),
    S.ACTIVE: lambda m, a: services.maker_mark_active(maker=m, actor=a),
}


@pytest.mark.parametrize("to", sorted(SERVICES))
@pytest.mark.parametrize("start", S.values)
def test_every_maker_status_change_is_allowed_or_refused_by_the_table(world, start, to):
    staff = world.user("hub_staff")
    maker = _maker_in(start, world.hub)
    if to in MAKER_ALLOWED[start] or (to == S.ACTIVE and start == S.ACTIVE):
        maker = SERVICES[to](maker, staff)
        assert maker.status == to
    else:
        with pytest.raises(MakerError):
            SERVICES[to](maker, staff)
        maker.refresh_from_db()
        assert maker.status == start


def test_resume_returns_to_active_after_a_kit_and_approved_before(world):
    staff = world.user("hub_staff")
    fresh = _maker_in(S.PAUSED, world.hub)
    assert services.maker_resume(maker=fresh, actor=staff).status == S.APPROVED
    seasoned = _maker_in(S.APPROVED, world.hub)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=seasoned, actor=staff)
    packages.kit_take_back(kit=kit, actor=staff)
    services.maker_pause(maker=seasoned, actor=staff)
    assert services.maker_resume(maker=seasoned, actor=staff).status == S.ACTIVE
    with pytest.raises(MakerError, match="Only a paused maker"):
        services.maker_resume(maker=seasoned, actor=staff)


def test_withdraw_and_erase_are_refused_while_the_maker_holds_a_kit(world):
    staff = world.user("hub_staff")
    maker = Maker.objects.get(user=world.user("maker"))
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    for service in (services.maker_withdraw, services.maker_erase, services.maker_standby):
        with pytest.raises(MakerError, match="still has a kit"):
            service(maker=maker, actor=staff)


def test_erase_blanks_personal_data_keeps_counts_and_removes_membership(world):
    staff = world.user("hub_staff")
    user = world.user("maker")
    maker = Maker.objects.get(user=user)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    packages.kit_collect(kit=kit, actor=staff)
    packages.garments_return(kit=kit, count=5, actor=staff)
    packages.quality_check_record(
        kit=kit,
        passed=0,
        failures=[packages.Failure(reason="x", count=5)],
        failed_outcome="written_off",
        actor=staff,
    )
    maker = services.maker_erase(maker=maker, actor=staff)
    assert (maker.name, maker.email, maker.phone, maker.postcode, maker.user) == (
        "",
        "",
        "",
        "",
        None,
    )
    assert maker.assignments.count() == 1
    assert not Membership.objects.filter(user=user, role=Role.MAKER).exists()
    assert MakerEvent.objects.filter(maker=maker, new_status=S.ERASED).exists()


def test_withdraw_removes_the_maker_membership(world):
    user = world.user("maker")
    services.maker_withdraw(maker=Maker.objects.get(user=user), actor=user)
    assert not Membership.objects.filter(user=user, role=Role.MAKER).exists()


def test_new_consent_wording_replaces_the_current_one(world):
    maker = Maker.objects.get(user=world.user("maker"))
    services.consent_give(maker=maker, purpose="contact", wording_version="v1")
    services.consent_give(maker=maker, purpose="contact", wording_version="v2")
    current = maker.consents.get(withdrawn_at__isnull=True)
    assert current.wording_version == "v2"
    assert services.consent_withdraw(maker=maker, purpose="contact") == 1
    assert not maker.consents.filter(withdrawn_at__isnull=True).exists()


def test_group_leader_gets_a_membership_and_loses_it_when_the_group_closes(world):
    staff = world.user("hub_staff")
    leader = factories.UserFactory()
    group = services.maker_group_create(
        hub=world.hub,
        name="Harris Academy S4",
        leader=leader,
        leader_name="Mr Ross",
        leader_contact="01382 3",
        member_count=24,
        capacity_sets_per_week=30,
        kind="school",
        actor=staff,
    )
    assert Membership.objects.filter(user=leader, role=Role.GROUP_LEADER).exists()
    with pytest.raises(MakerError, match="already a group"):
        services.maker_group_create(
            hub=world.hub,
            name="Harris Academy S4",
            leader_name="x",
            leader_contact="y",
            actor=staff,
        )
    services.maker_group_close(group=group, actor=staff)
    assert not Membership.objects.filter(user=leader, role=Role.GROUP_LEADER).exists()
