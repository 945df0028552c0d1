"""What the makers' services share: MakerError, the table of a maker's status changes and
the one path through it (`_maker_move`), granting a hub role, whether a maker holds a kit,
messaging a maker, checking contact details, and the audit row for a change by staff."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from makers.models import Consent, Maker, MakerEvent
from makers.selectors import maker_contact
from makers.validators import normalise_contact
from scrubhub.errors import DomainError
from scrubhub.hubs.models import Hub, Membership, Role
from scrubhub.notifications.services import message_queue


class MakerError(DomainError):
    """A change to a maker that the rules do not allow; the message is for people. `field`
    names the form field it belongs beside, when it is about one answer."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


S = Maker.Status
MAKER_ALLOWED: dict[str, set[str]] = {
    S.APPLIED: {S.APPROVED, S.DECLINED, S.WITHDRAWN, S.ERASED},
    S.APPROVED: {S.ACTIVE, S.PAUSED, S.STANDBY, S.WITHDRAWN, S.ERASED},
    S.ACTIVE: {S.PAUSED, S.STANDBY, S.WITHDRAWN, S.ERASED},
    S.PAUSED: {S.APPROVED, S.ACTIVE, S.STANDBY, S.WITHDRAWN, S.ERASED},
    S.STANDBY: {S.APPROVED, S.ACTIVE, S.WITHDRAWN, S.ERASED},
    S.DECLINED: {S.ERASED},
    S.WITHDRAWN: {S.ERASED},
    S.ERASED: set(),
}


def _maker_move(*, maker_id: int, to: str, actor, note: str = "", **changes) -> Maker:
    with transaction.atomic():
        # Two staff may click at once; the second sees the first one's status.
        maker = Maker.objects.select_for_update().get(pk=maker_id)
        if to not in MAKER_ALLOWED[maker.status]:
            raise MakerError(
                f"A maker who is {maker.get_status_display().lower()} cannot become "
                f"{S(to).label.lower()}."
            )
        old = maker.status
        now = timezone.now()
        for name, value in {"status": to, "status_changed_at": now, **changes}.items():
            setattr(maker, name, value)
        maker.save()
        MakerEvent.objects.create(
            maker=maker, old_status=old, new_status=to, actor=actor, note=note
        )
    return maker


def _role_grant(*, user_id: int, role: str, hub: Hub) -> None:
    """Give someone a hub role they may already hold. One INSERT that does nothing when the
    role is there (the unique index decides, also between two requests at once): no read
    first and no savepoint, which get_or_create needs."""
    Membership.objects.bulk_create(
        [Membership(user_id=user_id, role=role, hub=hub)], ignore_conflicts=True
    )


def _holds_kits(maker: Maker) -> bool:
    from packages.models import KitAssignment

    return KitAssignment.objects.filter(maker=maker, ended_at__isnull=True).exists()


def _message_maker(*, maker: Maker, kind: str, subject: str, body: str) -> None:
    """Queue a message on the maker's preferred channel (phone-only people go on the hub's
    phone list); an erased maker is told nothing."""
    route = maker_contact(maker=maker).route
    if route is None:
        return
    channel, address = route
    message_queue(
        idempotency_key=f"maker-{maker.pk}-{kind}",
        to_address=address,
        subject=subject,
        body=body,
        kind=f"maker_{kind}",
        channel=channel,
        hub=maker.hub,
        recipient=maker.user,
    )


def _validate_contact(
    *,
    email: str,
    phone: str,
    age_band: str,
    guardian_name: str,
    guardian_contact: str,
    preferred_channel: str,
) -> None:
    if not email and not phone:
        raise MakerError("Please give an email address or a phone number, so we can reach you.")
    if age_band == Maker.AgeBand.UNDER_18 and not (guardian_name and guardian_contact):
        raise MakerError(
            "Makers aged 16 or 17 need a parent or guardian's name and phone number or email."
        )
    if age_band == Maker.AgeBand.UNDER_18 and not normalise_contact(guardian_contact):
        # Their parent or guardian is sent a message to agree: it needs somewhere to go.
        raise MakerError(
            _(
                "Please give the parent or guardian's phone number (like 07700 900123) or "
                "email address."
            ),
            field="guardian_contact",
        )
    if preferred_channel == Maker.Channel.EMAIL and not email:
        raise MakerError("To hear from us by email, please give an email address.")
    if preferred_channel in {Maker.Channel.SMS, Maker.Channel.PHONE} and not phone:
        raise MakerError("To hear from us by phone or text, please give a phone number.")


def _membership_remove(maker: Maker) -> None:
    if maker.user_id:
        Membership.objects.filter(user_id=maker.user_id, role=Role.MAKER, hub=maker.hub).delete()


JOIN_CONSENTS = (Consent.Purpose.STORE_DETAILS, Consent.Purpose.CONTACT)
UNDER_16 = "under_16"


def _audit(*, actor, hub: Hub, action: str, maker: Maker, detail: str = "") -> None:
    from scrubhub.audit.services import audit_record

    audit_record(actor=actor, hub=hub, action=action, subject=maker, detail=detail)
