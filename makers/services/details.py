"""A maker's details changed, by themselves or by hub staff (with an audit row), and a
phone or email corrected by staff with the messages that did not reach them sent again."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from makers import guardian_services
from makers.models import Maker, MakerEvent
from makers.selectors import maker_contact
from makers.services.core import MakerError, S, _audit, _validate_contact
from makers.validators import (
    format_phone,
    is_mobile,
    normalise_contact,
    normalise_phone,
    normalise_postcode,
)
from scrubhub.audit.models import AuditEvent


def maker_details_update(
    *,
    maker: Maker,
    actor,
    name: str,
    email: str,
    phone: str,
    postcode: str,
    preferred_channel: str,
    sets_per_week: int,
    preferred_point=None,
    needs_doorstep_collection: bool = False,
    note: str = "Details changed by the maker",
    guardian_name: str | None = None,
    guardian_contact: str | None = None,
) -> Maker:
    """The maker changes their own details (or hub staff do, for them, with their own
    `note`). Their account's email follows their maker
    email, so sign-in links go where they now read them. A maker aged 16 or 17 may change
    their parent or guardian's details (None leaves them); a new contact, before anyone
    agreed, is sent the message asking them."""
    name, email = name.strip(), email.strip().lower()
    phone = format_phone(normalise_phone(phone)) if phone.strip() else ""
    if not name:
        raise MakerError(_("Please tell us your name."))
    postcode_ok = normalise_postcode(postcode)
    if not postcode_ok:
        raise MakerError(_("Please give a full UK postcode, like DD1 4HN."))
    if not 0 <= sets_per_week <= 50:
        raise MakerError(_("Please give a number of sets a week from 0 to 50."))
    if preferred_point is not None and preferred_point.hub_id != maker.hub_id:
        raise MakerError(_("That drop-off point belongs to a different hub."))
    if preferred_channel == Maker.Channel.SMS and phone and not is_mobile(normalise_phone(phone)):
        raise MakerError(_("Texts need a mobile number (starting 07)."))
    with transaction.atomic():
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        guardian_before = current.guardian_contact
        guardian = {}
        if current.needs_guardian and guardian_name is not None:
            guardian["guardian_name"] = " ".join(guardian_name.split())
        if current.needs_guardian and guardian_contact is not None:
            guardian["guardian_contact"] = (
                normalise_contact(guardian_contact) or guardian_contact.strip()
            )
        _validate_contact(
            email=email,
            phone=phone,
            age_band=current.age_band,
            guardian_name=guardian.get("guardian_name", current.guardian_name),
            guardian_contact=guardian.get("guardian_contact", current.guardian_contact),
            preferred_channel=preferred_channel,
        )
        if current.status == S.ERASED:
            raise MakerError(_("This maker's details have been deleted."))
        if current.user_id and email != (current.user.email or "").lower():
            User = get_user_model()
            if email and User.objects.filter(email__iexact=email).exclude(pk=current.user_id):
                raise MakerError(
                    _(
                        "We cannot use that email address for your account. Please use another, "
                        "or call the hub."
                    )
                )
            User.objects.filter(pk=current.user_id).update(email=email)
            from allauth.account.models import EmailAddress

            EmailAddress.objects.filter(user_id=current.user_id).delete()
            if email:
                EmailAddress.objects.create(
                    user_id=current.user_id, email=email, primary=True, verified=False
                )
        for field_name, value in {
            "name": name,
            "email": email,
            "phone": phone,
            "postcode": postcode_ok,
            "preferred_channel": preferred_channel,
            "sets_per_week": sets_per_week,
            "preferred_point": preferred_point,
            "needs_doorstep_collection": needs_doorstep_collection,
            **guardian,
        }.items():
            setattr(current, field_name, value)
        current.save()
        MakerEvent.objects.create(
            maker=current,
            old_status=current.status,
            new_status=current.status,
            actor=actor,
            note=note,
        )
        guardian_services.guardian_ask_if_changed(maker=current, before=guardian_before)
    return current


def maker_change_by_staff(*, maker: Maker, actor, experience: str, **details) -> Maker:
    """Hub staff change a maker's details for them (maker_details_update's rules), and their
    sewing experience. Recorded in the audit trail."""

    if experience not in Maker.Experience.values:
        raise MakerError(_("Please choose how much sewing they have done."))
    with transaction.atomic():
        maker = maker_details_update(
            maker=maker, actor=actor, note="Details changed by hub staff", **details
        )
        if maker.experience != experience:
            maker.experience = experience
            maker.save(update_fields=["experience"])
        _audit(actor=actor, hub=maker.hub, action=AuditEvent.Action.CHANGED, maker=maker)
    return maker


@dataclass(frozen=True)
class ContactCorrected:
    maker: Maker
    resent: int  # messages queued again on the corrected details
    left: int  # too old or no use any more, so not sent (notifications.services)
    channel: str
    to_address: str


def maker_contact_correct(
    *, maker: Maker, actor, email: str, phone: str, preferred_channel: str
) -> ContactCorrected:
    """Hub staff correct how to reach a maker a message did not reach, and send it again,
    in one press. The new details go through maker_details_update's rules (their account's
    email follows, the change is in their history) and the audit trail; what failed on the
    old details is sent again on the channel the new ones give. All or nothing: a refused
    detail sends nothing."""
    from scrubhub.notifications.selectors import person_addresses
    from scrubhub.notifications.services import person_messages_send_again

    with transaction.atomic():
        # Locked first (maker_details_update locks it again), so the old addresses read
        # here are the ones the failed messages went to, whoever else is changing them.
        current = Maker.objects.select_for_update().get(pk=maker.pk)
        before = person_addresses(email=current.email, phone=current.phone)
        changed = maker_details_update(
            maker=current,
            actor=actor,
            name=current.name,
            email=email,
            phone=phone,
            postcode=current.postcode,
            preferred_channel=preferred_channel,
            sets_per_week=current.sets_per_week,
            preferred_point=current.preferred_point,
            needs_doorstep_collection=current.needs_doorstep_collection,
            note="Contact details corrected by hub staff after a message did not reach them",
        )
        channel, address = maker_contact(maker=changed).route
        after = person_addresses(email=changed.email, phone=changed.phone)
        again = person_messages_send_again(
            hub=changed.hub,
            user_id=changed.user_id,
            addresses=list(dict.fromkeys(before + after)),
            channel=channel,
            to_address=address,
        )
        _audit(
            actor=actor,
            hub=changed.hub,
            action=AuditEvent.Action.CHANGED,
            maker=changed,
            detail=f"contact corrected; {again.resent} message(s) sent again",
        )
    return ContactCorrected(
        maker=changed,
        resent=again.resent,
        left=again.left,
        channel=channel,
        to_address=address,
    )
