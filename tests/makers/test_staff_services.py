"""The hub staff's services for volunteers: deciding about applicants in batches, signing
people up on their behalf (one, or paper forms all-or-nothing), changing, erasing and
merging records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from makers import services
from makers.models import Consent, KitProblem, Maker, MakerEvent
from makers.services import MakerError, MakerRowError
from packages import services as packages
from packages.models import KitAssignment
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import Membership, Role
from scrubhub.notifications.models import Message
from tests import factories

S = Maker.Status


def _applicant(hub, name="Agnes Brown", **extra):
    fields = {"hub": hub, "name": name, "postcode": "DD1 4HN", "email": f"{name[:3]}@x.org"}
    fields.update(extra)
    return services.maker_apply(**fields)


@pytest.fixture
def staff(world):
    return world.user("hub_staff")


def test_approve_many_approves_each_and_queues_a_message_each(world, staff):
    people = [_applicant(world.hub, name=f"Person {i}") for i in range(3)]
    result = services.makers_approve_many(
        hub=world.hub, maker_ids=[p.pk for p in people], actor=staff
    )
    assert {m.pk for m in result.changed} == {p.pk for p in people}
    assert result.skipped == 0
    assert set(
        Maker.objects.filter(pk__in=[p.pk for p in people]).values_list("status", flat=True)
    ) == {S.APPROVED}
    assert Message.objects.filter(kind="maker_approved").count() == 3


def test_approve_many_skips_another_hubs_applicant_and_people_already_decided(world, staff):
    mine = _applicant(world.hub, name="Mine")
    theirs = _applicant(world.other_hub, name="Theirs")
    decided = _applicant(world.hub, name="Decided")
    services.maker_decline(maker=decided, actor=staff)
    result = services.makers_approve_many(
        hub=world.hub, maker_ids=[mine.pk, theirs.pk, decided.pk], actor=staff
    )
    assert [m.pk for m in result.changed] == [mine.pk]
    assert result.skipped == 2
    theirs.refresh_from_db()
    decided.refresh_from_db()
    assert theirs.status == S.APPLIED
    assert decided.status == S.DECLINED


def test_decline_tells_the_person_kindly_without_the_hubs_note(world, staff):
    person = _applicant(world.hub, name="Nora Reid")
    result = services.makers_decline_many(
        hub=world.hub, maker_ids=[person.pk], actor=staff, reason="Lives in Perth"
    )
    assert [m.status for m in result.changed] == [S.DECLINED]
    message = Message.objects.get(kind="maker_declined")
    assert message.to_address == person.email
    assert "Thank you" in message.body and "Nora Reid" in message.body
    assert "Perth" not in message.body
    assert MakerEvent.objects.filter(maker=person, new_status=S.DECLINED).get().note == (
        "Lives in Perth"
    )


def _sign_up(world, staff, **extra):
    fields = {
        "hub": world.hub,
        "actor": staff,
        "name": "Jean  Watt",
        "phone": "07700 900 321",
        "postcode": "dd2 1aa",
        "consent_version": "privacy-v1",
    }
    fields.update(extra)
    return services.maker_sign_up_on_behalf(**fields)


def test_sign_up_on_behalf_is_phone_only_with_consents_a_text_and_an_audit_row(world, staff):
    maker = _sign_up(world, staff)
    assert (maker.name, maker.phone, maker.email, maker.postcode) == (
        "Jean Watt",
        "07700 900321",
        "",
        "DD2 1AA",
    )
    assert maker.user is None
    assert maker.preferred_channel == Maker.Channel.SMS
    assert maker.status == S.APPLIED
    assert set(maker.consents.values_list("purpose", flat=True)) == {
        Consent.Purpose.STORE_DETAILS,
        Consent.Purpose.CONTACT,
    }
    welcome = Message.objects.get(kind="maker_welcome")
    assert (welcome.channel, welcome.to_address) == (Message.Channel.SMS, "07700 900321")
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGNED_UP)
    assert (event.subject_id, event.actor, event.hub) == (maker.pk, staff, world.hub)
    assert "Jean" not in event.detail


def test_sign_up_with_a_landline_goes_on_the_phone_list_and_can_approve_at_once(world, staff):
    maker = _sign_up(world, staff, phone="01382 123456", approve=True)
    assert maker.preferred_channel == Maker.Channel.PHONE
    assert maker.status == S.APPROVED
    assert Message.objects.get(kind="maker_welcome").channel == Message.Channel.PHONE_LIST


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"phone": "12"}, "phone number"),
        ({"postcode": "nowhere"}, "postcode"),
        ({"consent_version": ""}, "agreed"),
        ({"name": "  "}, "name"),
        ({"age_band": "16_17"}, "guardian"),
    ],
)
def test_sign_up_refuses_bad_details_and_saves_nothing(world, staff, extra, words):
    with pytest.raises(MakerError, match=words):
        _sign_up(world, staff, **extra)
    assert not Maker.objects.filter(hub=world.hub, name__icontains="Jean").exists()


def test_sign_up_refuses_the_same_name_and_phone_twice(world, staff):
    _sign_up(world, staff)
    with pytest.raises(MakerError, match="already signed up"):
        _sign_up(world, staff, name="jean watt", phone="07700900321")
    assert Maker.objects.filter(hub=world.hub, name="Jean Watt").count() == 1
    # The same phone for someone else (a shared landline) is fine.
    _sign_up(world, staff, name="Ian Watt")


def test_paper_forms_are_all_signed_up_or_none(world, staff):
    good = {"name": "Row One", "phone": "07700 900001", "postcode": "DD1 1AA"}
    bad = {"name": "Row Two", "phone": "07700 900002", "postcode": "not a postcode"}
    rows = [{**row, "consent_version": "privacy-v1"} for row in (good, bad)]
    with pytest.raises(MakerRowError) as refused:
        services.makers_sign_up_many(hub=world.hub, actor=staff, rows=rows)
    assert refused.value.row == 2
    assert not Maker.objects.filter(name__startswith="Row ").exists()
    assert not Message.objects.filter(kind="maker_welcome").exists()

    rows[1]["postcode"] = "DD1 2BB"
    made = services.makers_sign_up_many(hub=world.hub, actor=staff, rows=rows)
    assert [m.name for m in made] == ["Row One", "Row Two"]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGNED_UP).count() == 2


def test_staff_change_details_with_their_own_note_and_an_audit_row(world, staff):
    maker = Maker.objects.get(user=world.user("maker"))
    services.maker_change_by_staff(
        maker=maker,
        actor=staff,
        experience=Maker.Experience.PROFESSIONAL,
        name="Margaret Reid",
        email=maker.email,
        phone="07700 900999",
        postcode="DD1 4HN",
        preferred_channel=Maker.Channel.SMS,
        sets_per_week=3,
    )
    maker.refresh_from_db()
    assert (maker.phone, maker.experience, maker.sets_per_week) == (
        "07700 900999",
        Maker.Experience.PROFESSIONAL,
        3,
    )
    assert maker.events.last().note == "Details changed by hub staff"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CHANGED, subject_id=maker.pk).exists()


def test_staff_erase_is_audited_and_refused_while_they_hold_a_kit(world, staff):
    maker = factories.MakerFactory(hub=world.hub)
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    with pytest.raises(MakerError, match="still has a kit"):
        services.maker_erase(maker=maker, actor=staff)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ERASED).exists()
    packages.kit_take_back(kit=kit, actor=staff)
    services.maker_erase(maker=maker, actor=staff)
    maker.refresh_from_db()
    assert maker.status == S.ERASED and maker.name == ""
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASED, subject_id=maker.pk).exists()


# --- Merging ---------------------------------------------------------------------------------


@pytest.fixture
def twins(world, staff):
    """Margaret (the persona "maker", with an account, a kit and a problem about it) and a
    second record for her that staff typed in from a paper form, with a past kit."""
    margaret = Maker.objects.get(user=world.user("maker"))
    services.consent_give(
        maker=margaret, purpose=Consent.Purpose.STORE_DETAILS, wording_version="v1"
    )
    paper = _sign_up(world, staff, name="Margaret Reid", phone="01382 555555")
    paper = services.maker_approve(maker=paper, actor=staff)
    (old_kit, new_kit) = factories.prepared_kits(hub=world.hub, actor=staff, kit_count=2)
    packages.kit_allocate(kit=old_kit, maker=paper, actor=staff)
    packages.kit_collect(kit=old_kit, actor=staff)
    packages.garments_return(kit=old_kit, count=5, actor=staff)
    packages.kit_allocate(kit=new_kit, maker=margaret, actor=staff)
    packages.kit_collect(kit=new_kit, actor=staff)
    services.kit_problem_report(
        maker=margaret, kit=new_kit, kind=KitProblem.Kind.MISSING_PIECES, actor=margaret.user
    )
    return margaret, paper, old_kit, new_kit


def test_merge_keeps_kits_history_and_consents_and_erases_the_other(world, staff, twins):
    margaret, paper, old_kit, new_kit = twins
    paper_events = set(paper.events.values_list("pk", flat=True))
    kept = services.makers_merge(keep=margaret, other=paper, actor=staff)

    assert kept.pk == margaret.pk
    assert set(KitAssignment.objects.filter(maker=kept).values_list("kit_id", flat=True)) == {
        old_kit.pk,
        new_kit.pk,
    }
    assert paper_events <= set(kept.events.values_list("pk", flat=True))
    assert kept.kit_problems.count() == 1
    # Both had a current "keep my details" consent: the newer is current, the older ended.
    details = kept.consents.filter(purpose=Consent.Purpose.STORE_DETAILS).order_by("given_at")
    assert details.count() == 2
    assert details[0].withdrawn_at == details[1].given_at
    assert details[1].withdrawn_at is None
    assert kept.consents.filter(purpose=Consent.Purpose.CONTACT, withdrawn_at=None).exists()

    paper.refresh_from_db()
    assert paper.status == S.ERASED
    assert (paper.name, paper.phone, paper.postcode) == ("", "", "")
    assert not paper.assignments.exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.MERGED, subject_id=kept.pk, actor=staff
    ).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ERASED, subject_id=paper.pk).exists()


def test_merge_fills_blanks_and_moves_the_account_to_a_record_without_one(world, staff, twins):
    margaret, paper, _old, _new = twins
    account = margaret.user
    kept = services.makers_merge(keep=paper, other=margaret, actor=staff)
    assert kept.pk == paper.pk
    assert kept.user == account
    assert kept.email == margaret.email  # the paper record had none
    assert kept.phone == "01382 555555"  # its own details win
    assert kept.status == S.ACTIVE  # it holds kits now
    assert Membership.objects.filter(user=account, role=Role.MAKER, hub=world.hub).exists()
    margaret.refresh_from_db()
    assert margaret.status == S.ERASED and margaret.user is None


def test_merge_removes_a_spare_account(world, staff):
    first = Maker.objects.get(user=world.user("maker"))
    spare_user = factories.UserFactory(username="spare")
    Membership.objects.create(user=spare_user, role=Role.MAKER, hub=world.hub)
    second = factories.MakerFactory(hub=world.hub, user=spare_user, name=first.name)
    services.makers_merge(keep=first, other=second, actor=staff)
    assert not type(spare_user).objects.filter(pk=spare_user.pk).exists()
    assert Maker.objects.get(pk=first.pk).user == world.user("maker")


def test_merge_approves_an_applicant_who_was_already_approved_under_the_other_record(world, staff):
    new = _applicant(world.hub, name="Twice Over")
    old = factories.MakerFactory(hub=world.hub, name="Twice Over", status=S.APPROVED)
    kept = services.makers_merge(keep=new, other=old, actor=staff)
    assert kept.status == S.APPROVED
    assert not Message.objects.filter(kind="maker_approved").exists()


@pytest.mark.parametrize("case", ["same", "other_hub", "erased"])
def test_merge_refuses(world, staff, case):
    first = factories.MakerFactory(hub=world.hub)
    second = {
        "same": first,
        "other_hub": factories.MakerFactory(hub=world.other_hub),
        "erased": services.maker_erase(maker=factories.MakerFactory(hub=world.hub), actor=staff),
    }[case]
    with pytest.raises(MakerError):
        services.makers_merge(keep=first, other=second, actor=staff)
    first.refresh_from_db()
    assert first.status == S.APPROVED
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.MERGED).exists()


def test_consents_of_a_merged_record_keep_their_dates(world, staff):
    keep = factories.MakerFactory(hub=world.hub)
    other = factories.MakerFactory(hub=world.hub)
    long_ago = timezone.now() - timedelta(days=30)
    services.consent_give(
        maker=other, purpose=Consent.Purpose.PHOTOS, wording_version="v0", given_at=long_ago
    )
    services.makers_merge(keep=keep, other=other, actor=staff)
    photos = keep.consents.get(purpose=Consent.Purpose.PHOTOS)
    assert (photos.given_at, photos.withdrawn_at, photos.wording_version) == (long_ago, None, "v0")
