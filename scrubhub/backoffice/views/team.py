"""The hub's team and settings, under /hub/team/ and /hub/settings/. Every staff member may
see who is on the team; only coordinators invite, remove roles and change the settings
(403 for other staff). The invitation link's landing page is public: it shows a button,
and only pressing it (a POST) accepts."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from makers.selectors import erasure_preview, erasure_warning
from scrubhub import once
from scrubhub.hubs import team_services
from scrubhub.hubs.models import Invitation
from scrubhub.hubs.permissions import hub_staff_required, is_coordinator_of
from scrubhub.hubs.team_forms import AcceptAccountForm, HubSettingsForm, InviteForm
from scrubhub.hubs.team_services import StandDownError, TeamError

GET_POST = require_http_methods(["GET", "POST"])


def _coordinator_only(request: HttpRequest) -> None:
    if not is_coordinator_of(request.user, request.hub):
        raise PermissionDenied(_("Only the hub's coordinators can change the team."))


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, template, {"hub": request.hub, **context}, status=status)


@require_GET
@hub_staff_required
def team(request: HttpRequest) -> HttpResponse:
    memberships = list(team_services.team_memberships(hub=request.hub))
    invitations = list(
        Invitation.objects.filter(
            hub=request.hub,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("point", "hospital", "invited_by")
        .order_by("-created_at", "-pk")
    )
    return _render(
        request,
        "backoffice/team/team.html",
        {
            "memberships": memberships,
            "invitations": invitations,
            "can_change": is_coordinator_of(request.user, request.hub),
        },
    )


@GET_POST
@hub_staff_required
def team_invite(request: HttpRequest) -> HttpResponse:
    _coordinator_only(request)
    form = InviteForm(request.POST if request.method == "POST" else None, hub=request.hub)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # Sent again, a second invitation would replace the first: two emails, and
            # the link in the first one would no longer work.
            with once.claim(form) as claimed:
                sent = team_services.invitation_send(
                    hub=request.hub,
                    email=data["email"],
                    role=data["role"],
                    point=data.get("point"),
                    hospital=data.get("hospital"),
                    actor=request.user,
                )
                claimed.done_url = reverse("hubs:team")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except TeamError as error:
            form.add_error(None, str(error))
        else:
            said = _(
                "An invitation is on its way to %(email)s. The link works for %(days)s days."
            ) % {"email": sent.invitation.email, "days": team_services.INVITATION_DAYS}
            if not request.hub.is_open:
                said = _("The invitation to %(email)s is saved. It goes once the hub opens.")
                said %= {"email": sent.invitation.email}
            messages.success(request, said)
            return redirect("hubs:team")
    status = 400 if form.is_bound else 200
    return _render(request, "backoffice/team/team_invite.html", {"form": form}, status)


@require_POST
@hub_staff_required
def team_invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = Invitation.objects.filter(hub=request.hub, pk=pk).first()
    if invitation is None:
        raise Http404
    _coordinator_only(request)
    try:
        team_services.invitation_cancel(invitation=invitation, actor=request.user)
    except TeamError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("hubs:team")


@GET_POST
@hub_staff_required
def team_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = team_services.team_memberships(hub=request.hub).filter(pk=pk).first()
    if membership is None:
        raise Http404
    _coordinator_only(request)
    error = ""
    if request.method == "POST":
        try:
            team_services.membership_remove(
                hub=request.hub, membership=membership, actor=request.user
            )
        except TeamError as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                _("%(name)s is no longer %(role)s. They were signed out everywhere.")
                % {
                    "name": membership.user.get_full_name() or membership.user.get_username(),
                    "role": membership.get_role_display().lower(),
                },
            )
            if membership.user_id == request.user.pk:
                return redirect("role_home")
            return redirect("hubs:team")
    return _render(
        request,
        "backoffice/team/team_remove.html",
        {
            "membership": membership,
            "error": error,
            "is_self": membership.user_id == request.user.pk,
        },
        status=409 if error else 200,
    )


@login_not_required
@never_cache
@GET_POST
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. GET shows what it is for and a button (so mail scanners that
    open links accept nothing); POST accepts, as the signed-in person or with a new
    account and password."""
    found = team_services.invitation_for_token(token)
    context = {"invitation": found, "current_hub": found.hub if found else None}
    if found is None or not found.is_open:
        if found is None:
            problem = _("This invitation link is not right. Please ask the hub for a new one.")
        elif found.accepted_at:
            problem = _("This invitation has already been used.")
        elif found.cancelled_at:
            problem = _("This invitation was withdrawn or replaced. Ask the hub for a new one.")
        else:
            problem = _("This invitation has run out. Please ask the hub for a new one.")
        return render(
            request,
            "backoffice/team/team_invitation.html",
            {**context, "problem": problem},
            status=410,
        )
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptAccountForm(request.POST or None, email=found.email)
    context["for_someone_else"] = signed_in and not team_services.invitation_is_for(
        found, request.user
    )
    if request.method == "POST":
        try:
            if signed_in:
                team_services.invitation_accept(token=token, user=request.user)
                user = request.user
            elif form.is_valid():
                user = team_services.invitation_accept_new_account(
                    token=token,
                    name=form.cleaned_data["name"],
                    password=form.cleaned_data["password1"],
                )
            else:
                user = None
        except TeamError as error:
            if form is None:
                return render(
                    request,
                    "backoffice/team/team_invitation.html",
                    {**context, "problem": str(error)},
                    status=409,
                )
            form.add_error(None, str(error))
            user = None
        if user is not None:
            messages.success(
                request,
                _("Welcome to the team of %(hub)s. You are now %(role)s.")
                % {"hub": found.hub.name, "role": found.get_role_display().lower()},
            )
            if signed_in:
                return redirect("role_home")
            # Through allauth's sign-in stages like every other way in; a hub that requires
            # two-step sign-in then sends its new staff to set it up (scrubhub.security).
            return perform_login(request, user, redirect_url=reverse("role_home"))
        return render(
            request, "backoffice/team/team_invitation.html", {**context, "form": form}, status=400
        )
    return render(
        request,
        "backoffice/team/team_invitation.html",
        {
            **context,
            "form": form,
            "login_url": f"{reverse('account_login')}?next={request.path}",
        },
    )


@GET_POST
@hub_staff_required
def hub_settings(request: HttpRequest) -> HttpResponse:
    if not is_coordinator_of(request.user, request.hub):
        raise PermissionDenied(_("Only the hub's coordinators change its settings."))
    hub = request.hub
    initial = {
        "phone": hub.phone,
        "email": hub.email,
        "about": hub.about,
        "overdue_after_days": hub.overdue_after_days,
        "auto_approve_makers": hub.auto_approve_makers,
        "offers_doorstep_visits": hub.offers_doorstep_visits,
        "stand_down_on": hub.stand_down_on,
        "require_staff_two_factor": hub.require_staff_two_factor,
    }
    form = HubSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial, hub=hub
    )
    if request.method == "POST" and form.is_valid():
        try:
            team_services.hub_settings_update(hub=hub, actor=request.user, **form.cleaned_data)
        except TeamError as error:
            field = "stand_down_on" if isinstance(error, StandDownError) else None
            form.add_error(field, str(error))
        else:
            messages.success(request, _("The hub's settings are saved."))
            return redirect("hubs:settings")
    status = 400 if form.is_bound else 200
    erasure = erasure_preview(hub=hub)
    context = {"form": form, "erasure_warning": erasure and erasure_warning(erasure)}
    return _render(request, "backoffice/team/settings.html", context, status)
