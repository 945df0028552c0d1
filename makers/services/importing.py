"""Bringing in a hub's own spreadsheet of volunteers: the uploaded batch and its columns,
the import under the hub's lock, and each new person's welcome (stay or leave)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from makers import guardian_services
from makers.models import Consent, ImportBatch, ImportedMaker, Maker, MakerEvent
from makers.selectors import maker_contact
from makers.services.consents import consent_give
from makers.services.core import JOIN_CONSENTS, MakerError, S
from makers.services.status import maker_withdraw
from scrubhub.audit.models import AuditEvent
from scrubhub.hubs.models import Hub
from scrubhub.notifications.models import Message

IMPORT_WELCOME_SALT = "makers.import-welcome"
IMPORT_WELCOME_DAYS = 90
IMPORT_WELCOME_KIND = "import_welcome"
# Their own yes to the welcome takes the place of the hub's word that they agreed.
IMPORT_CONFIRMED_WORDING = "import-welcome-confirmed-v1"
# What the welcome tells each person about why the hub has their details.
IMPORT_BASIS_WORDS = {
    "paper_form": "you filled in our paper form and said we may contact you",
    "online_form": "you filled in our online form and said we may contact you",
    "asked_us": "you asked us to put you on our list of volunteers",
}


class ImportRefused(MakerError):
    """A sheet that cannot be imported as it is; `problems` says each reason, in words."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


def import_wording(basis: str) -> str:
    """The wording version a new person's consents record: the basis the staff chose."""
    return f"import-{basis}-v1"


def import_batch_start(*, hub: Hub, by_user, file_name: str, sheet) -> ImportBatch:
    """Keep an uploaded sheet (makers.sheets.Sheet) for the steps that follow, with a first
    guess at what each column is. Only `by_user` sees it, and only for a day."""
    from makers.imports import guess_columns
    from makers.models import IMPORT_BATCH_HOURS

    now = timezone.now()
    return ImportBatch.objects.create(
        hub=hub,
        uploaded_by=by_user,
        file_name=file_name[:200],
        note=" ".join(sheet.notes)[:300],
        headers=sheet.headers,
        rows=[[number, cells] for number, cells in sheet.rows],
        row_count=len(sheet.rows),
        columns=guess_columns(sheet.headers),
        created_at=now,
        expires_at=now + timedelta(hours=IMPORT_BATCH_HOURS),
    )


def import_batch_columns_set(*, batch: ImportBatch, columns: list[str]) -> ImportBatch:
    """Staff say what each column of the sheet is."""
    from makers.imports import TARGET_LABELS, columns_problems

    if len(columns) != len(batch.headers) or any(c not in TARGET_LABELS for c in columns):
        raise MakerError(_("Choose what each column is."))
    problems = columns_problems(columns)
    if problems:
        raise ImportRefused(problems)
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.UPLOADED, expires_at__gt=timezone.now()
    ).update(columns=columns)
    if not updated:
        raise MakerError(_("This sheet was imported already, or is more than a day old."))
    batch.columns = columns
    return batch


def _import_lock(hub: Hub) -> None:
    """One import at a time for a hub, until the transaction ends: each checks who the hub
    already has, and two at once would both find someone missing and add them twice."""
    if connection.vendor != "postgresql":
        return  # SQLite takes its write lock when the transaction begins
    key = int.from_bytes(
        hashlib.blake2b(f"makers-import:{hub.pk}".encode(), digest_size=8).digest(),
        "big",
        signed=True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def import_welcome_token(imported_id: int) -> str:
    return signing.dumps(imported_id, salt=IMPORT_WELCOME_SALT)


def import_welcome_read(*, token: str):
    """The ImportedMaker a welcome link was made for; None when it is not one of ours, is
    too old, or its maker was erased."""
    try:
        imported_id = signing.loads(
            token[:200], salt=IMPORT_WELCOME_SALT, max_age=IMPORT_WELCOME_DAYS * 86400
        )
    except signing.BadSignature:
        return None
    if not isinstance(imported_id, int):
        return None
    return (
        ImportedMaker.objects.select_related("maker", "maker__hub")
        .exclude(maker__status=S.ERASED)
        .filter(pk=imported_id)
        .first()
    )


def _import_welcome_rows(*, hub: Hub, basis: str, pairs) -> list[dict]:
    """The welcome for each new person (ImportedMaker, Maker), as outbox rows, on the
    channel that reaches them (notifications.services.person_message's rules). The
    templates are drawn once for the whole sheet, with stand-ins for each person's name
    and links: drawn for each of 10,000 people they were most of an import's time."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils.html import escape

    from scrubhub.notifications.services import message_render

    stand_ins = {"name": "@@name@@", "stay_url": "@@stay@@", "leave_url": "@@leave@@"}
    drawn = message_render(
        kind=IMPORT_WELCOME_KIND,
        context={
            "hub": hub,
            "site_url": settings.SITE_URL,
            "basis": IMPORT_BASIS_WORDS[basis],
            **stand_ins,
        },
    )
    # A placeholder each person's own signed token replaces, not a secret.
    placeholder = "@@token@@"  # nosec B105
    stay = settings.SITE_URL + reverse("makers:import_stay", kwargs={"token": placeholder})
    leave = settings.SITE_URL + reverse("makers:import_leave", kwargs={"token": placeholder})

    def filled(text: str, *, name: str, token: str) -> str:
        return (
            text.replace(stand_ins["stay_url"], stay.replace(placeholder, token))
            .replace(stand_ins["leave_url"], leave.replace(placeholder, token))
            .replace(stand_ins["name"], name)
        )

    rows = []
    for record, maker in pairs:
        route = maker_contact(maker=maker).route
        if route is None:
            continue
        channel, address = route
        token = import_welcome_token(record.pk)
        rows.append(
            {
                "idempotency_key": f"maker-{maker.pk}-import-welcome",
                "to_address": address,
                "subject": drawn.subject[:200],
                "body": filled(drawn.text, name=maker.name, token=token),
                "html_body": (
                    filled(drawn.html, name=str(escape(maker.name)), token=token)
                    if channel == Message.Channel.EMAIL
                    else ""
                ),
                "kind": IMPORT_WELCOME_KIND,
                "channel": channel,
                "hub": hub,
                "recipient_id": None,
            }
        )
    return rows


def makers_import(
    *, batch: ImportBatch, contact_basis: str, by_user, approve: bool = False
) -> ImportBatch:
    """Bring in everyone in an uploaded sheet, or nobody: every row is checked again here,
    under a lock for the hub, and one problem anywhere refuses the lot (ImportRefused says
    each one, by row).

    A row that is someone the hub already has (the same email, or the same phone when the
    emails do not differ) is merged into them: their own details stay, and only their
    blanks are filled from the sheet; people who left or were declined are not touched.
    Rows that are one person are joined first. Each new person is recorded with the basis
    staff gave for contacting them (`contact_basis`, an ImportBatch.Basis), as the consents
    of someone who joined, and is sent a welcome whose links let them say they want to stay
    or leave. Audited. The number of queries does not grow with the number of rows: every
    write is one bulk statement."""
    from makers.imports import FILLABLE, columns_problems, rows_check
    from scrubhub.notifications.services import messages_queue_bulk

    if contact_basis not in ImportBatch.Basis.values:
        raise MakerError(
            _("Choose on what basis the hub may contact the people in this sheet."),
            field="contact_basis",
        )
    hub = batch.hub
    with transaction.atomic():
        _import_lock(hub)
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        now = timezone.now()
        if batch.status == ImportBatch.Status.IMPORTED:
            raise MakerError(_("This sheet was imported already, so nobody was added twice."))
        if batch.expires_at <= now:
            raise MakerError(
                _("This upload is more than a day old. Please upload the sheet again.")
            )
        problems = columns_problems(batch.columns)
        if problems:
            raise ImportRefused(problems)
        checked = rows_check(hub=hub, rows=batch.rows, columns=batch.columns, lock=True)
        if checked.problems:
            raise ImportRefused(checked.problems)

        status = S.APPROVED if approve or hub.auto_approve_makers else S.APPLIED
        new = Maker.objects.bulk_create(
            Maker(
                hub=hub,
                name=person.name,
                email=person.email,
                phone=person.phone,
                postcode=person.postcode,
                age_band=person.age_band,
                guardian_name=person.guardian_name,
                guardian_contact=person.guardian_contact,
                experience=person.experience,
                has_sewing_machine=person.has_sewing_machine,
                sets_per_week=person.sets_per_week,
                preferred_channel=person.preferred_channel,
                status=status,
                status_changed_at=now,
            )
            for person in checked.new
        )
        MakerEvent.objects.bulk_create(
            MakerEvent(
                maker=maker,
                old_status="",
                new_status=status,
                actor=by_user,
                note="Imported from a spreadsheet",
            )
            for maker in new
        )
        wording = import_wording(contact_basis)
        Consent.objects.bulk_create(
            Consent(maker=maker, purpose=purpose, wording_version=wording, given_at=now)
            for maker in new
            for purpose in JOIN_CONSENTS
        )

        # Several rows may be one maker the hub has: the first row leads, the rest fill.
        known: dict[int, tuple[Maker, int, dict[str, str]]] = {}
        for person in checked.known:
            maker, _row, fills = known.setdefault(
                person.existing.pk, (person.existing, person.row, {})
            )
            for name, value in person.fills.items():
                fills.setdefault(name, value)
        filled = []
        for maker, _row, fills in known.values():
            for name, value in fills.items():
                setattr(maker, name, value)
            if fills:
                filled.append(maker)
        if filled:
            Maker.objects.bulk_update(filled, fields=list(FILLABLE))

        records = ImportedMaker.objects.bulk_create(
            [
                ImportedMaker(batch=batch, maker=maker, sheet_row=person.row)
                for maker, person in zip(new, checked.new, strict=True)
            ]
            + [
                ImportedMaker(
                    batch=batch,
                    maker=maker,
                    sheet_row=row,
                    merged=True,
                    filled=",".join(sorted(fills)),
                )
                for maker, row, fills in known.values()
            ]
        )
        messages_queue_bulk(
            _import_welcome_rows(
                hub=hub, basis=contact_basis, pairs=zip(records[: len(new)], new, strict=True)
            )
        )
        for maker in new:
            if maker.needs_guardian:
                guardian_services.guardian_ask(maker=maker, actor=by_user)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    hub=hub,
                    actor=by_user,
                    action=AuditEvent.Action.SIGNED_UP,
                    subject_type=ImportBatch._meta.label,
                    subject_id=batch.pk,
                    detail=(
                        f"Imported a sheet of {batch.row_count} rows: {len(new)} new makers, "
                        f"{len(known)} already here; basis: {contact_basis}"
                    ),
                )
            ]
            + [
                AuditEvent(
                    hub=hub,
                    actor=by_user,
                    action=AuditEvent.Action.CHANGED,
                    subject_type=Maker._meta.label,
                    subject_id=maker.pk,
                    detail=f"Blanks filled from imported sheet #{batch.pk}: "
                    + ", ".join(sorted(fills)),
                )
                for maker, _row, fills in known.values()
                if fills
            ]
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.IMPORTED,
            rows=[],
            contact_basis=contact_basis,
            imported_at=now,
            created_count=len(new),
            merged_count=len(known),
        )
    batch.refresh_from_db()
    return batch


def import_welcome_stay(*, imported) -> None:
    """Someone an import brought in says, from their welcome, that they want to stay: their
    own agreement now stands in place of the hub's word."""

    with transaction.atomic():
        record = ImportedMaker.objects.select_for_update().get(pk=imported.pk)
        maker = Maker.objects.get(pk=record.maker_id)
        if maker.status in {S.WITHDRAWN, S.DECLINED, S.ERASED}:
            raise MakerError(
                _("You are no longer on the hub's list. To sew again, please call the hub.")
            )
        if record.confirmed_at is not None:
            return
        record.confirmed_at = timezone.now()
        record.save(update_fields=["confirmed_at"])
        for purpose in JOIN_CONSENTS:
            consent_give(
                maker=maker,
                purpose=purpose,
                wording_version=IMPORT_CONFIRMED_WORDING,
                given_at=record.confirmed_at,
            )


def import_welcome_leave(*, imported) -> None:
    """Someone an import brought in says, from their welcome, that they do not want to be
    on the list: they stop, as a maker who stops on their own page does."""

    with transaction.atomic():
        record = ImportedMaker.objects.select_for_update().get(pk=imported.pk)
        maker = Maker.objects.get(pk=record.maker_id)
        if maker.status == S.WITHDRAWN:
            return
        if maker.status in {S.DECLINED, S.ERASED}:
            raise MakerError(_("You are not on the hub's list. There is nothing more to do."))
        maker_withdraw(maker=maker, actor=None, reason="Left from the welcome after an import")
        ImportedMaker.objects.filter(pk=record.pk).update(left_at=timezone.now())


def import_batches_prune(*, now: datetime | None = None) -> int:
    """Delete uploads that were never imported and are past their day: they hold other
    people's details. Returns how many."""
    deleted, _rows = ImportBatch.objects.filter(
        status=ImportBatch.Status.UPLOADED, expires_at__lte=now or timezone.now()
    ).delete()
    return deleted
