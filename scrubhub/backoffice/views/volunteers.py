"""The hub staff's volunteer pages under /hub/volunteers/: the roster and its CSV, each
maker's page (status, details, progress, a guardian's agreement, merging, erasing) and
the makers on standby. Applicants and signing up are applicants.py; problems, problems.py.

Thin: hub_staff_required sets request.hub; every maker and problem is fetched scoped to it
(404 for another hub's), reads go through makers.staff_selectors and writes through
makers.services. Looking at, exporting, changing, signing up, merging and erasing a
person's record are recorded in the audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from makers import guardian_services, selectors, services, staff_selectors
from makers.models import Maker
from makers.services import MAKER_ALLOWED, MakerError
from makers.staff_forms import (
    ConfirmForm,
    GuardianAskForm,
    MakerChangeForm,
    MergeForm,
    MergeQuery,
    RosterFilterForm,
    StaffProgressForm,
    StatusForm,
)
from packages.models import Kit
from packages.selectors import wash_failures_for_maker
from packages.services import PackagesError
from scrubhub import once
from scrubhub.audit.models import AuditEvent
from scrubhub.audit.services import audit_record
from scrubhub.backoffice.pages import GET_POST, filter_query, page_of, render_for_hub
from scrubhub.exports import Column, csv_response
from scrubhub.hubs.permissions import hub_staff_required, is_coordinator_of
from scrubhub.notifications.selectors import messages_to_maker

FILTER_FIELDS = (
    "q",
    "status",
    "age_band",
    "experience",
    "point",
    "min_sets",
    "free_capacity",
    "guardian",
)


def _maker(request: HttpRequest, pk: int) -> Maker:
    maker = staff_selectors.maker_for_staff(hub=request.hub, pk=pk)
    if maker is None:
        raise Http404
    return maker


# --- Applicants -------------------------------------------------------------------------


# --- The roster and its CSV -----------------------------------------------------------------


@require_GET
@hub_staff_required
def roster(request: HttpRequest) -> HttpResponse:
    form = RosterFilterForm(request.GET or None, hub=request.hub)
    found = staff_selectors.makers_listed(hub=request.hub, filters=form.filters())
    page = page_of(request, found)
    query = filter_query(request.GET, FILTER_FIELDS)
    return render_for_hub(
        request,
        "backoffice/volunteers/roster.html",
        {
            "form": form,
            "page": page,
            "rows": staff_selectors.roster_rows(page.object_list),
            "total": page.paginator.count,
            "more": page.paginator.more,
            "query": query,
            "filtered": bool(query),
        },
    )


CSV_COLUMNS = [
    ("Record", lambda m: m.pk),
    ("Name", lambda m: m.name),
    ("Status", lambda m: m.get_status_display()),
    ("Phone", lambda m: m.phone),
    ("Email", lambda m: m.email),
    ("Postcode", lambda m: m.postcode),
    ("Age", lambda m: m.get_age_band_display()),
    ("Experience", lambda m: m.get_experience_display()),
    ("Sewing machine", lambda m: "yes" if m.has_sewing_machine else "no"),
    ("Sets a week", lambda m: m.sets_per_week),
    ("Kits held now", lambda m: m.kits_held),
    ("Room for garments now", lambda m: m.free_garments),
    ("Preferred point", lambda m: m.preferred_point.name if m.preferred_point else ""),
    ("Contact by", lambda m: m.get_preferred_channel_display()),
    ("Doorstep collection", lambda m: "yes" if m.needs_doorstep_collection else "no"),
    ("Away until", lambda m: m.away_until.isoformat() if m.away_until else ""),
    ("Joined", lambda m: timezone.localtime(m.created_at).date().isoformat()),
]


@require_GET
@hub_staff_required
def roster_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered roster as a spreadsheet. Cells that a spreadsheet would run as a formula
    are made plain text (CSV injection)."""
    form = RosterFilterForm(request.GET or None, hub=request.hub)
    found = staff_selectors.makers_listed(hub=request.hub, filters=form.filters())
    audit_record(
        actor=request.user,
        hub=request.hub,
        action=AuditEvent.Action.EXPORTED,
        subject=request.hub,
        detail=f"Roster CSV of {found.count()} makers",
    )
    return csv_response(
        filename="makers",
        columns=[Column(title, get) for title, get in CSV_COLUMNS],
        rows=found.iterator(chunk_size=500),
    )


# --- One maker ------------------------------------------------------------------------------

STATUS_ACTIONS = {
    "approve": Maker.Status.APPROVED,
    "decline": Maker.Status.DECLINED,
    "pause": Maker.Status.PAUSED,
    "resume": Maker.Status.ACTIVE,
    "withdraw": Maker.Status.WITHDRAWN,
}


def _actions_for(maker: Maker) -> list[tuple[str, str]]:
    allowed = MAKER_ALLOWED[maker.status]
    labels = dict(StatusForm.ACTIONS)
    found = []
    for action, status in STATUS_ACTIONS.items():
        if action == "resume":
            if maker.status in {Maker.Status.PAUSED, Maker.Status.STANDBY}:
                found.append((action, labels[action]))
        elif status in allowed:
            found.append((action, labels[action]))
    return found


def _maker_page(request, maker: Maker, *, progress_form=None, status: int = 200):
    record = staff_selectors.maker_record(maker=maker)
    events = list(maker.events.select_related("actor").order_by("-created_at", "-pk")[:20])
    for event in events:
        event.new_label = Maker.Status(event.new_status).label
    forms = []
    for line in record.current:
        if line.kit.status == Kit.Status.WITH_MAKER and line.kit.qty_with_maker:
            if progress_form is not None and progress_form.kit.pk == line.kit.pk:
                forms.append(progress_form)
            else:
                forms.append(StaffProgressForm(kit=line.kit))
    return render_for_hub(
        request,
        "backoffice/volunteers/maker.html",
        {
            "maker": maker,
            "record": record,
            "impact": selectors.maker_impact(maker=maker),
            "progress_forms": forms,
            "problems": list(maker.kit_problems.select_related("kit").order_by("-created_at")),
            "wash_failures": wash_failures_for_maker(maker=maker),
            "consents": list(maker.consents.all()),
            "events": events,
            "messages_to_them": messages_to_maker(maker=maker),
            "actions": _actions_for(maker),
            "duplicates": staff_selectors.possible_duplicates(maker=maker, limit=3),
            "doorstep": getattr(maker, "doorstep", None)
            if maker.needs_doorstep_collection
            else None,
            "guardian": guardian_services.guardian_state(maker=maker),
            "guardian_form": GuardianAskForm(),
        },
        status=status,
    )


@require_GET
@hub_staff_required
def maker_page(request: HttpRequest, pk: int) -> HttpResponse:
    maker = _maker(request, pk)
    audit_record(
        actor=request.user, hub=request.hub, action=AuditEvent.Action.VIEWED, subject=maker
    )
    return _maker_page(request, maker)


@require_POST
@hub_staff_required
def maker_guardian_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff's "Send the guardian's message again": a new link goes to the parent or
    guardian, and the one before stops working. One press sends one message."""
    maker = _maker(request, pk)
    form = GuardianAskForm(request.POST)
    back = reverse("makers:staff_maker", kwargs={"pk": maker.pk})
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect(back)
    try:
        with once.claim(form) as sent:
            guardian_services.guardian_ask(maker=maker, actor=request.user)
            sent.done_url = back
    except once.AlreadySent as repeat:
        return repeat.redirect(request)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("A new message is on its way to %(name)s. The link in the old one stops working.")
            % {"name": maker.guardian_name},
        )
    return redirect(back)


@require_POST
@hub_staff_required
def maker_progress(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Log progress for a maker who told the hub on the phone."""
    maker = _maker(request, pk)
    kit = selectors.kit_for_maker(maker=maker, code=code)
    if kit is None:
        raise Http404
    form = StaffProgressForm(request.POST, kit=kit)
    if form.is_valid():
        try:
            services.kit_progress_record(
                maker=maker,
                kit=kit,
                finished=form.cleaned_data["finished"],
                seen=form.cleaned_data["seen"],
                actor=request.user,
            )
        except (MakerError, PackagesError) as error:
            form.add_error("finished", str(error))
        else:
            messages.success(
                request,
                _("Kit %(code)s: %(n)s finished is saved.")
                % {"code": kit.display_code, "n": form.cleaned_data["finished"]},
            )
            return redirect("makers:staff_maker", pk=maker.pk)
    return _maker_page(request, maker, progress_form=form, status=400)


@require_POST
@hub_staff_required
def maker_status(request: HttpRequest, pk: int) -> HttpResponse:
    maker = _maker(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose what to do."))
        return redirect("makers:staff_maker", pk=maker.pk)
    action = form.cleaned_data["action"]
    actor = request.user
    try:
        if action == "approve":
            if not services.makers_approve_many(
                hub=request.hub, maker_ids=[maker.pk], actor=actor
            ).changed:
                raise MakerError(_("Only people waiting for an answer can be approved."))
        elif action == "decline":
            if not services.makers_decline_many(
                hub=request.hub, maker_ids=[maker.pk], actor=actor
            ).changed:
                raise MakerError(_("Only people waiting for an answer can be declined."))
        elif action == "pause":
            services.maker_pause(maker=maker, actor=actor, reason="Paused by hub staff")
        elif action == "resume":
            services.maker_resume(maker=maker, actor=actor)
        else:
            services.maker_withdraw(maker=maker, actor=actor, reason="Stopped, said hub staff")
    except MakerError as error:
        messages.error(request, str(error))
    else:
        maker.refresh_from_db()
        messages.success(
            request,
            _("%(name)s is now %(status)s.")
            % {"name": maker.name, "status": maker.get_status_display().lower()},
        )
    return redirect("makers:staff_maker", pk=maker.pk)


@GET_POST
@hub_staff_required
def maker_change(request: HttpRequest, pk: int) -> HttpResponse:
    maker = _maker(request, pk)
    initial = {
        "name": maker.name,
        "email": maker.email,
        "phone": maker.phone,
        "postcode": maker.postcode,
        "preferred_channel": maker.preferred_channel,
        "experience": maker.experience,
        "sets_per_week": maker.sets_per_week,
        "preferred_point": maker.preferred_point,
        "needs_doorstep_collection": maker.needs_doorstep_collection,
        "guardian_name": maker.guardian_name,
        "guardian_contact": maker.guardian_contact,
    }
    form = MakerChangeForm(
        request.POST if request.method == "POST" else None,
        hub=request.hub,
        maker=maker,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        guardian = {
            name: data[name] for name in ("guardian_name", "guardian_contact") if name in data
        }
        try:
            services.maker_change_by_staff(
                maker=maker,
                actor=request.user,
                experience=data["experience"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                postcode=data["postcode"],
                preferred_channel=data["preferred_channel"],
                sets_per_week=data["sets_per_week"],
                preferred_point=data["preferred_point"],
                needs_doorstep_collection=data["needs_doorstep_collection"],
                **guardian,
            )
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Their details are saved."))
            return redirect("makers:staff_maker", pk=maker.pk)
    status = 400 if form.is_bound else 200
    return render_for_hub(
        request, "backoffice/volunteers/maker_change.html", {"maker": maker, "form": form}, status
    )


@GET_POST
@hub_staff_required
def maker_erase(request: HttpRequest, pk: int) -> HttpResponse:
    maker = _maker(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_erase(maker=maker, actor=request.user)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Their details are erased. What they made still counts, without their name."),
            )
            return redirect("makers:staff_roster")
    status = 400 if form.is_bound else 200
    return render_for_hub(
        request, "backoffice/volunteers/maker_erase.html", {"maker": maker, "form": form}, status
    )


@GET_POST
@hub_staff_required
def maker_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Step one (no ?other=): possible duplicates and a search. Step two: the two records
    side by side, whose details to keep, and a confirm."""
    maker = _maker(request, pk)
    query = MergeQuery.read(request)
    if request.method == "POST":
        query["other"] = MergeQuery.read(request, data=request.POST)["other"] or query["other"]
    if query["other"] is None:
        q = query["q"]
        found = []
        if q:
            found = [
                m
                for m in staff_selectors.makers_listed(
                    hub=request.hub, filters=staff_selectors.MakerFilters(q=q, status="all")
                )[:20]
                if m.pk != maker.pk
            ]
        return render_for_hub(
            request,
            "backoffice/volunteers/merge_choose.html",
            {
                "maker": maker,
                "duplicates": staff_selectors.possible_duplicates(maker=maker),
                "q": q,
                "found": found,
            },
        )
    other = _maker(request, query["other"])
    if other.pk == maker.pk:
        raise Http404
    form = MergeForm(
        request.POST if request.method == "POST" else None,
        first=maker,
        second=other,
        initial={"keep": str(maker.pk)},
    )
    if request.method == "POST" and form.is_valid():
        keep_id = int(form.cleaned_data["keep"])
        keep, gone = (maker, other) if keep_id == maker.pk else (other, maker)
        try:
            kept = services.makers_merge(keep=keep, other=gone, actor=request.user)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The two records are now one. Kits, history and consents are all here."),
            )
            return redirect("makers:staff_maker", pk=kept.pk)
    status = 400 if form.is_bound else 200
    pair = [(m, staff_selectors.maker_record(maker=m)) for m in (maker, other)]
    return render_for_hub(
        request,
        "backoffice/volunteers/merge_confirm.html",
        {"maker": maker, "other": other, "pair": pair, "form": form},
        status,
    )


# --- Signing people up on their behalf ------------------------------------------------------


# --- Problems makers reported ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@hub_staff_required
def standby(request: HttpRequest) -> HttpResponse:
    """When a hub starts again: invite everyone who said "ask me again" in one action."""
    if not is_coordinator_of(request.user, request.hub):
        raise PermissionDenied(_("Only the hub's coordinators invite volunteers back."))
    waiting = Maker.objects.filter(hub=request.hub, status=Maker.Status.STANDBY).count()
    if request.method == "POST":
        invited = services.makers_invite_back(hub=request.hub, actor=request.user)
        messages.success(
            request,
            ngettext(
                "%(n)s volunteer was invited back.",
                "%(n)s volunteers were invited back.",
                invited,
            )
            % {"n": invited},
        )
        return redirect("makers:staff_standby")
    return render_for_hub(request, "backoffice/volunteers/standby.html", {"waiting": waiting})
