"""Everything we hold about a maker, as JSON and as a spreadsheet (their right of access)."""

from __future__ import annotations

import csv
import io

from django.db.models import Q
from django.utils import timezone

from makers.models import Maker
from scrubhub.notifications.models import Message


def maker_export(*, maker: Maker) -> dict:
    """Everything held about a maker, for them to download (JSON or CSV)."""
    from dropoffs.models import DoorstepAddress, Handover
    from packages.models import Kit, KitAssignment, KitProgress
    from scrubhub.notifications.models import OptOut

    maker = Maker.objects.select_related("hub", "preferred_point", "user").get(pk=maker.pk)
    user = maker.user
    doorstep = DoorstepAddress.objects.filter(maker=maker).first()
    assignments = list(
        KitAssignment.objects.filter(maker=maker).select_related("kit").order_by("assigned_at")
    )
    kit_ids = [a.kit_id for a in assignments]
    progress = KitProgress.objects.filter(kit_id__in=kit_ids, actor=user) if user else []
    messages = (
        Message.objects.filter(Q(recipient=user) | Q(to_address__in=[maker.email, maker.phone]))
        .exclude(to_address="")
        .order_by("created_at")
        if user or maker.email or maker.phone
        else []
    )

    def when(value):
        return value.isoformat() if value else None

    return {
        "exported_at": timezone.now().isoformat(),
        "hub": {"name": maker.hub.name, "phone": maker.hub.phone, "email": maker.hub.email},
        "account": (
            {
                "username": user.username,
                "email": user.email,
                "joined": when(user.date_joined),
                "last_sign_in": when(user.last_login),
                "has_password": user.has_usable_password(),
            }
            if user
            else None
        ),
        "details": {
            "name": maker.name,
            "email": maker.email,
            "phone": maker.phone,
            "postcode": maker.postcode,
            "age_band": maker.get_age_band_display(),
            "guardian_name": maker.guardian_name,
            "guardian_contact": maker.guardian_contact,
            "experience": maker.get_experience_display(),
            "has_sewing_machine": maker.has_sewing_machine,
            "sets_per_week": maker.sets_per_week,
            "preferred_point": maker.preferred_point.name if maker.preferred_point else None,
            "preferred_channel": maker.get_preferred_channel_display(),
            "heard_about": maker.get_heard_about_display() if maker.heard_about else "",
            "needs_doorstep_collection": maker.needs_doorstep_collection,
            "status": maker.get_status_display(),
            "away_until": when(maker.away_until),
            "ready_for_a_kit_since": when(maker.wants_kit_since),
            "joined": when(maker.created_at),
        },
        "consents": [
            {
                "purpose": c.get_purpose_display(),
                "wording_version": c.wording_version,
                "given": when(c.given_at),
                "given_by": c.given_by,
                "withdrawn": when(c.withdrawn_at),
            }
            for c in maker.consents.all()
        ],
        "status_history": [
            {"from": e.old_status, "to": e.new_status, "when": when(e.created_at), "note": e.note}
            for e in maker.events.all()
        ],
        "kits": [
            {
                "code": a.kit.display_code,
                "garment": a.kit.get_garment_type_display(),
                "size": a.kit.size,
                "garments": a.kit.garment_count,
                "status": str(Kit.Status(a.kit.status).label),
                "finished": a.kit.finished_count,
                "delivered_to_hospital": a.kit.qty_delivered,
                "given_to_you": when(a.assigned_at),
                "ended": when(a.ended_at),
            }
            for a in assignments
        ],
        "progress_logged": [
            {"kit": p.kit_id, "finished": p.finished, "when": when(p.created_at)} for p in progress
        ],
        "return_plans": [
            {
                "kit": p.kit.display_code,
                "where": p.point.name if p.point else "doorstep",
                "day": when(p.day),
                "unfinished": p.unfinished,
                "reason": p.get_reason_display() if p.reason else "",
                "note": p.note,
                "status": p.get_status_display(),
            }
            for p in maker.return_plans.select_related("kit", "point")
        ],
        "problems_reported": [
            {
                "kit": p.kit.display_code,
                "kind": p.get_kind_display(),
                "text": p.text,
                "status": p.get_status_display(),
                "answer": p.answer,
                "when": when(p.created_at),
            }
            for p in maker.kit_problems.select_related("kit")
        ],
        "messages_sent_to_you": [
            {
                "when": when(m.created_at),
                "channel": m.get_channel_display(),
                "to": m.to_address,
                "subject": m.subject,
                "status": m.get_status_display(),
            }
            for m in messages
        ],
        "doorstep": (
            {
                "address": doorstep.address,
                "postcode": doorstep.postcode,
                "access_notes": doorstep.access_notes,
                "consent_given": when(doorstep.consent_given_at),
            }
            if doorstep
            else None
        ),
        "handovers": [
            {
                "when": when(h.created_at),
                "what": h.get_kind_display(),
                "where": h.point.name if h.point else h.get_location_display(),
                "note": h.note,
            }
            for h in Handover.objects.filter(maker=maker).select_related("point")
        ],
        "stopped_messages": sorted(
            OptOut.objects.filter(
                address__in=[a.lower() for a in (maker.email, maker.phone) if a]
            ).values_list("kind", flat=True)
        ),
    }


def maker_export_csv(*, maker: Maker) -> str:
    """The same as maker_export, flattened to rows of section, item, field, value."""
    data = maker_export(maker=maker)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for section, content in data.items():
        if isinstance(content, dict):
            for key, value in content.items():
                writer.writerow([section, "", key, _csv_value(value)])
        elif isinstance(content, list):
            for number, row in enumerate(content, start=1):
                if not isinstance(row, dict):
                    writer.writerow([section, number, "", _csv_value(row)])
                    continue
                for key, value in row.items():
                    writer.writerow([section, number, key, _csv_value(value)])
        else:
            writer.writerow([section, "", "", _csv_value(content)])
    return out.getvalue()


def _csv_value(value):
    from scrubhub.exports import csv_cell  # the one rule for every download

    return csv_cell(value)
