"""Starting a hub (/start/) and the platform operator's queue of hubs asking to open
(/operator/hubs/). The setup pages are the hub coordinator's: 404 for anyone not on the
hub's staff, 403 for its other staff. Each step saves through scrubhub.start.services and
goes on to the next; the setup page lists which are done, so leaving and coming back carries
on."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dropoffs.maps import allow_tiles, map_settings
from dropoffs.models import Point
from makers.selectors import erasure_preview, erasure_warning
from packages.models import Pattern
from scrubhub import once
from scrubhub.hubs.models import STAFF_ROLES, Hub, Invitation, Role
from scrubhub.hubs.permissions import SESSION_HUB_KEY, is_coordinator_of, memberships
from scrubhub.hubs.team_services import StandDownError, TeamError
from scrubhub.ratelimits import over_limit, too_many
from scrubhub.start import selectors, services
from scrubhub.start.forms import (
    DeclineForm,
    GarmentsStepForm,
    HospitalStepForm,
    HubStepForm,
    LaundryInviteForm,
    PointHoursForm,
    PointStepForm,
    SettingsStepForm,
    StartAccountForm,
    StartHubForm,
)

GET_POST = require_http_methods(["GET", "POST"])
Step = services.Step

# Starting a hub makes an account and a hub: far fewer a client needs than joining.
START_RATE = "20/h"


def _start_rate(group, request) -> str:
    return START_RATE


def _show_error(form, error: TeamError) -> None:
    field = getattr(error, "field", None)
    if isinstance(error, StandDownError) and field is None:
        field = "stand_down_on"
    form.add_error(field if field in form.fields else None, str(error))


# --- Starting ------------------------------------------------------------------------------


@login_not_required
@never_cache
@GET_POST
def begin(request: HttpRequest) -> HttpResponse:
    """Someone new signs up and starts a hub; someone signed in starts one, or carries on
    setting up the ones they started."""
    signed_in = request.user.is_authenticated
    form_class = StartHubForm if signed_in else StartAccountForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if over_limit(request, group="start", rate=_start_rate):
            return too_many(request, what=_("starting a hub"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                with once.claim(form) as sent:
                    if signed_in:
                        user = request.user
                        hub = services.hub_start(
                            actor=user, name=data["hub_name"], area=data["hub_area"]
                        )
                    else:
                        user, hub = services.coordinator_sign_up(
                            person_name=data["name"],
                            email=data["email"],
                            password=data["password1"],
                            hub_name=data["hub_name"],
                            hub_area=data["hub_area"],
                        )
                    sent.done_url = reverse("start:hub", args=[hub.pk])
            except once.AlreadySent as repeat:
                return repeat.redirect(request)
            except TeamError as error:
                _show_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(hub)s is started. Each step is saved as you go.") % {"hub": hub.name},
                )
                if signed_in:
                    return redirect("start:hub", pk=hub.pk)
                # Through allauth's sign-in stages, like every other way in.
                return perform_login(
                    request, user, redirect_url=reverse("start:hub", args=[hub.pk])
                )
    status = 400 if form.is_bound else 200
    return render(
        request,
        "start/begin.html",
        {
            "form": form,
            "started": selectors.hubs_being_set_up(user=request.user),
            "login_url": f"{reverse('account_login')}?next={request.path}",
        },
        status=status,
    )


def _setup_hub(request: HttpRequest, pk: int) -> Hub:
    """The hub being set up, for its coordinator; 404 for a hub the person is not staff of
    (never reveal it exists), 403 for its other staff."""
    hub = next(
        (m.hub for m in memberships(request.user) if m.hub_id == pk and m.role in STAFF_ROLES),
        None,
    )
    if hub is None:
        raise Http404
    if not is_coordinator_of(request.user, hub):
        raise PermissionDenied(_("Only the hub's coordinators set it up."))
    # base.html shows the hub's name at the top, and the hub's own pages this setup links
    # to (its patterns, its dashboard) work on this hub.
    request.hub = hub
    request.session[SESSION_HUB_KEY] = hub.pk
    return hub


def _page(request, hub: Hub, template: str, context: dict, *, step: str = "", status=200):
    progress = selectors.setup_progress(hub=hub)
    number = next((i for i, row in enumerate(progress, 1) if row.step == step), None)
    following = progress[number] if number and number < len(progress) else None
    return render(
        request,
        template,
        {
            "hub": hub,
            "progress": progress,
            "step": step,
            "step_number": number,
            "step_count": len(progress),
            "next_url": following.url if following else reverse("start:overview", args=[hub.pk]),
            **context,
        },
        status=status,
    )


def _after(hub: Hub, step: str) -> str:
    """Where a saved step goes on to: the step after it."""
    order = list(selectors.STEPS)
    at = order.index(step)
    if at + 1 < len(order):
        return reverse(f"start:{order[at + 1]}", args=[hub.pk])
    return reverse("start:overview", args=[hub.pk])


@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    progress = selectors.setup_progress(hub=hub)
    missing = [row for row in progress if row.needed and not row.done]
    return _page(
        request,
        hub,
        "start/overview.html",
        {
            "missing": missing,
            "first_to_do": selectors.next_step(progress),
            "may_ask": not missing
            and hub.approval in services.APPROVAL_ALLOWED
            and Hub.Approval.WAITING in services.APPROVAL_ALLOWED[hub.approval],
        },
    )


@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    try:
        services.setup_ask_to_open(hub=hub, actor=request.user)
    except TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Thank you. We will look at %(hub)s and email you when it is open.")
            % {"hub": hub.name},
        )
    return redirect("start:overview", pk=hub.pk)


# --- The steps ---------------------------------------------------------------------------


@GET_POST
def step_hub(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    initial = {
        "name": hub.name,
        "area": hub.area,
        "slug": hub.slug,
        "phone": hub.phone,
        "email": hub.email,
        "about": hub.about,
        "timezone": hub.timezone,
        "latitude": hub.latitude,
        "longitude": hub.longitude,
    }
    form = HubStepForm(request.POST if request.method == "POST" else None, initial=initial)
    if hub.is_open:
        form.fields["slug"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.setup_hub_save(
                hub=hub,
                actor=request.user,
                name=data["name"],
                area=data["area"],
                slug=data["slug"],
                phone=data["phone"],
                email=data["email"],
                about=data["about"],
                timezone_name=data["timezone"],
                latitude=data["latitude"],
                longitude=data["longitude"],
            )
        except TeamError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The hub's details are saved."))
            return redirect(_after(hub, Step.HUB))
    response = _page(
        request,
        hub,
        "start/step_hub.html",
        {"form": form, **map_settings()},
        step=Step.HUB,
        status=400 if form.is_bound else 200,
    )
    return allow_tiles(response)


@GET_POST
def step_hospitals(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    posted = request.POST if request.method == "POST" else None
    inviting = posted is not None and "hospital" in posted
    form = HospitalStepForm(None if inviting else posted)
    invite = LaundryInviteForm(posted if inviting else None, hub=hub)
    bound = invite if inviting else form
    if posted is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            with once.claim(bound) as sent:
                if inviting:
                    services.setup_laundry_invite(
                        hub=hub,
                        actor=request.user,
                        hospital=data["hospital"],
                        email=data["laundry_email"],
                    )
                    done = _("An invitation to %(email)s is saved.") % {
                        "email": data["laundry_email"]
                    }
                else:
                    hospital = services.setup_hospital_add(
                        hub=hub,
                        actor=request.user,
                        name=data["name"],
                        laundry_name=data["laundry_name"],
                        address=data["address"],
                        laundry_email=data["laundry_email"],
                    )
                    done = _("%(hospital)s is added.") % {"hospital": hospital.name}
                sent.done_url = request.path
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except TeamError as error:
            _show_error(bound, error)
        else:
            if not hub.is_open and data.get("laundry_email"):
                done += " " + _("The invitation goes once the hub is open.")
            messages.success(request, done)
            return redirect("start:hospitals", pk=hub.pk)
    hospitals = list(hub.hospitals.order_by("name"))
    invited = {}
    for invitation in Invitation.objects.filter(
        hub=hub, role=Role.LAUNDRY, accepted_at__isnull=True, cancelled_at__isnull=True
    ).order_by("created_at"):
        invited.setdefault(invitation.hospital_id, []).append(invitation.email)
    rows = [{"hospital": h, "invited": invited.get(h.pk, [])} for h in hospitals]
    return _page(
        request,
        hub,
        "start/step_hospitals.html",
        {"form": form, "invite": invite, "rows": rows},
        step=Step.HOSPITALS,
        status=400 if bound.is_bound else 200,
    )


def _patterns(hub: Hub) -> list[Pattern]:
    return list(Pattern.objects.filter(hub=hub, is_current=True).order_by("garment_type", "size"))


@GET_POST
def step_garments(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    patterns = _patterns(hub)
    initial = {f"m_{p.garment_type}_{p.size}": p.metres_per_garment for p in patterns}
    form = GarmentsStepForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.setup_garments_save(hub=hub, actor=request.user, metres=form.metres())
        except TeamError as error:
            _show_error(form, error)
        else:
            messages.success(
                request,
                _("Fabric for %(n)s garments and sizes is saved.") % {"n": len(saved)},
            )
            return redirect(_after(hub, Step.GARMENTS))
    return _page(
        request,
        hub,
        "start/step_garments.html",
        {"form": form, "patterns": patterns},
        step=Step.GARMENTS,
        status=400 if form.is_bound else 200,
    )


@GET_POST
def step_points(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    form = PointStepForm(
        request.POST if request.method == "POST" else None,
        initial={"accepts_kit_collection": True, "accepts_finished_garments": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                data = form.cleaned_data
                point = services.setup_point_add(
                    hub=hub,
                    actor=request.user,
                    name=data["name"],
                    address=data["address"],
                    postcode=data["postcode"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    accepts_kit_collection=data["accepts_kit_collection"],
                    accepts_finished_garments=data["accepts_finished_garments"],
                )
                sent.done_url = request.path
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except TeamError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("%(point)s is added.") % {"point": point.name})
            return redirect("start:points", pk=hub.pk)
    response = _page(
        request,
        hub,
        "start/step_points.html",
        {
            "form": form,
            "points": list(Point.objects.filter(hub=hub).order_by("name")),
            **map_settings(),
        },
        step=Step.POINTS,
        status=400 if form.is_bound else 200,
    )
    return allow_tiles(response)


@GET_POST
def step_hours(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    points = list(
        Point.objects.filter(hub=hub)
        .exclude(status=Point.Status.CLOSED)
        .prefetch_related("hours")
        .order_by("name")
    )
    posted = request.POST if request.method == "POST" else None
    forms = [PointHoursForm(posted, point=p, initial=PointHoursForm.initial_for(p)) for p in points]
    if posted is not None and points and all(f.is_valid() for f in forms):
        try:
            services.setup_hours_save(
                hub=hub, actor=request.user, hours={f.point: f.hours() for f in forms}
            )
        except TeamError as error:
            forms[0].add_error(None, str(error))
        else:
            messages.success(request, _("The opening hours are saved."))
            return redirect(_after(hub, Step.HOURS))
    failed = posted is not None and any(f.errors for f in forms)
    return _page(
        request,
        hub,
        "start/step_hours.html",
        {"forms": forms},
        step=Step.HOURS,
        status=400 if failed else 200,
    )


@GET_POST
def step_settings(request: HttpRequest, pk: int) -> HttpResponse:
    hub = _setup_hub(request, pk)
    initial = {
        "overdue_after_days": hub.overdue_after_days,
        "stand_down_on": hub.stand_down_on,
        "retention_days": hub.retention_days,
    }
    form = SettingsStepForm(
        request.POST if request.method == "POST" else None, initial=initial, hub=hub
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.setup_settings_save(
                hub=hub,
                actor=request.user,
                overdue_after_days=data["overdue_after_days"],
                stand_down_on=data["stand_down_on"],
                retention_days=data["retention_days"],
                erasure_confirmed=data.get("erasure_confirmed", False),
            )
        except TeamError as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect(_after(hub, Step.SETTINGS))
    erasure = erasure_preview(hub=hub)
    return _page(
        request,
        hub,
        "start/step_settings.html",
        {"form": form, "erasure_warning": erasure and erasure_warning(erasure)},
        step=Step.SETTINGS,
        status=400 if form.is_bound else 200,
    )


# --- The platform operator ------------------------------------------------------------------


def _operator_only(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied(_("This page is for platform operators."))


def _operator_page(request, *, failed: tuple[int, DeclineForm] | None = None, status=200):
    waiting, others = selectors.hubs_for_operator()
    for hub in waiting:
        hub.decline_form = (
            failed[1] if failed and failed[0] == hub.pk else DeclineForm(prefix=f"h{hub.pk}")
        )
    return render(
        request,
        "start/operator_hubs.html",
        {"waiting": waiting, "others": others},
        status=status,
    )


@require_GET
def operator_hubs(request: HttpRequest) -> HttpResponse:
    _operator_only(request)
    return _operator_page(request)


@require_POST
def operator_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _operator_only(request)
    hub = get_object_or_404(Hub, pk=pk)
    try:
        services.hub_approve(hub=hub, actor=request.user)
    except TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(hub)s is open. Its waiting messages are on their way.") % {"hub": hub.name},
        )
    return redirect("operator:hubs")


@require_POST
def operator_decline(request: HttpRequest, pk: int) -> HttpResponse:
    _operator_only(request)
    hub = get_object_or_404(Hub, pk=pk)
    if hub.approval != Hub.Approval.WAITING:
        messages.error(request, _("%(hub)s is not waiting to open.") % {"hub": hub.name})
        return redirect("operator:hubs")
    form = DeclineForm(request.POST, prefix=f"h{hub.pk}")
    if form.is_valid():
        try:
            services.hub_decline(hub=hub, actor=request.user, reason=form.cleaned_data["reason"])
        except TeamError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(hub)s is declined for now. Its coordinator is told why.") % {"hub": hub.name},
            )
        return redirect("operator:hubs")
    return _operator_page(request, failed=(hub.pk, form), status=400)
