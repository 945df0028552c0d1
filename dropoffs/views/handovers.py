"""Scanning and handovers at a point: the scan page and where the helper is, a kit's page
and its handover buttons, a maker's sign-in from her own label, and handing in many kits
at once. Thin: fetch and authorise in one call, then a form and a service."""

from __future__ import annotations

from contextlib import nullcontext

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dropoffs import selectors, services
from dropoffs.forms import (
    FindMakerForm,
    HandInManyForm,
    HandoverForm,
    ScanForm,
    StationForm,
)
from dropoffs.permissions import (
    SESSION_STATION_KEY,
    current_station,
    get_assignment_to_hand_in,
    get_kit_for,
    kits_to_hand_over_by_code,
    stations_for,
)
from dropoffs.views.common import PROBLEMS
from dropoffs.views.outbox import _form_problems, _from_outbox, _outbox_answer
from makers import services as maker_services
from makers import signin
from makers.forms import SignInForm
from packages.selectors import kit_holder
from packages.services import kit_code_neighbours, normalise_kit_code
from scrubhub import once
from scrubhub.hubs.models import STAFF_ROLES, Role
from scrubhub.hubs.permissions import role_required
from scrubhub.ratelimits import kit_lookup_rate, over_limit, too_many

SCAN_SUGGESTIONS = 5  # near misses offered for a mistyped code


@require_GET
@role_required(Role.POINT_HELPER, *STAFF_ROLES)
def scan(request: HttpRequest) -> HttpResponse:
    station = current_station(request)
    if station is None:
        raise PermissionDenied(_("There is no open point where you can hand kits over."))
    request.hub = station.hub
    scan_form = ScanForm(request.GET if "code" in request.GET else None)
    if scan_form.is_bound and over_limit(
        request, group="kit-lookup", key="user_or_ip", rate=kit_lookup_rate
    ):
        return too_many(request, what=_("kit code look-ups"))
    suggestions: list = []
    if scan_form.is_bound and scan_form.is_valid():
        typed = scan_form.cleaned_data["code"]
        code = normalise_kit_code(typed)
        nearby = kit_code_neighbours(typed)
        # The typed code and its near misses in one look-up, only among the kits this
        # person may hand over: another hub's code is "not found" like a code nobody has.
        kits = kits_to_hand_over_by_code(request.user, [code, *nearby] if code else nearby)
        if code in kits:
            return redirect("dropoffs:kit", code=code)
        suggestions = [kits[c] for c in nearby if c in kits][:SCAN_SUGGESTIONS]
        if code:
            error = _("There is no kit %(code)s for you to hand over. Check the label.")
        else:
            error = _("That is not a kit code. Check the letters and try again.")
        scan_form.add_error("code", error % {"code": _display_code(code)})
    find_form = FindMakerForm(request.GET if "q" in request.GET else None)
    found = None
    if find_form.is_bound and find_form.is_valid():
        found = selectors.kits_expected(
            hub=station.hub, point=station.point, query=find_form.cleaned_data["q"]
        )
    stations = stations_for(request.user)
    return render(
        request,
        "dropoffs/scan.html",
        {
            "station": station,
            "scan_form": scan_form,
            "find_form": find_form,
            "found": found,
            "suggestions": suggestions,
            "station_form": StationForm(initial={"station": station.key}, stations=stations)
            if len(stations) > 1
            else None,
        },
    )


@require_POST
@role_required(Role.POINT_HELPER, *STAFF_ROLES)
def scan_where(request: HttpRequest) -> HttpResponse:
    form = StationForm(request.POST, stations=stations_for(request.user))
    if not form.is_valid():
        raise Http404
    request.session[SESSION_STATION_KEY] = form.cleaned_data["station"]
    return redirect("dropoffs:scan")


ACTION_TEXT = {
    "collect": (_("Give the kit to its maker"), _("Kit given to the maker")),
    "return": (_("Take back finished scrubs"), _("Take back these scrubs")),
    "return_rework": (_("Take back reworked scrubs"), _("Take back reworked scrubs")),
    "unfinished": (_("Take back an unfinished kit"), _("Take back the kit")),
    "pick_up": (_("Hand scrubs to a driver"), _("Give these to the driver")),
    "arrive": (_("Scrubs arrived at the hub"), _("Mark as arrived")),
}


def _kit_page(request, kit, *, can_act, bound=None, problem="", status=200) -> HttpResponse:
    request.hub = kit.hub
    if not can_act:
        # Her own label: her kit page, where she logs what she has finished and plans
        # the return.
        return redirect("makers:kit", code=kit.code)
    holder = kit_holder(kit=kit)
    station = current_station(request)
    point = station.point if station else None
    held = selectors.kit_point_holding(kit=kit, point=point)
    if station is None or station.hub.pk != kit.hub_id:
        options, why = (
            [],
            _("This kit is from %s. Choose where you are on the scan page.") % (kit.hub.name),
        )
    else:
        options, why = selectors.handover_options(kit=kit, point=point, held_here=held)
    version = services.kit_version(kit)
    forms = []
    for option in options:
        if bound is not None and bound.data.get("action") == option.action:
            form = bound
        else:
            form = HandoverForm(
                initial={
                    "action": option.action,
                    "version": version,
                    "count": option.default,
                    "finished": option.default,
                },
                most=option.most,
                auto_id=f"{option.action}_%s",
            )
        title, button = ACTION_TEXT[option.action]
        forms.append({"option": option, "form": form, "title": title, "button": button})
    return render(
        request,
        "dropoffs/kit.html",
        {
            "kit": kit,
            "holder": holder,
            "station": station,
            "held_here": held,
            "forms": forms,
            "why": why,
            "bound": bound,
            "problem": problem,
        },
        status=status,
    )


@login_not_required
@require_GET
def kit(request: HttpRequest, code: str) -> HttpResponse:
    """The page a kit label's code opens. Signed out, anyone who scans it may only ask for a
    sign-in link (the same page for every code, so it says nothing about the kit)."""
    # Counted before the lookup, so wrong guesses cost the same as right ones.
    if over_limit(request, group="kit-lookup", key="user_or_ip", rate=kit_lookup_rate):
        return too_many(request, what=_("kit code look-ups"))
    if not request.user.is_authenticated:
        normal = normalise_kit_code(code)
        if not normal:
            raise Http404
        return _kit_signin_page(request, normal, SignInForm())
    found, can_act = get_kit_for(request.user, code)
    if code != found.code:
        return redirect("dropoffs:kit", code=found.code)
    return _kit_page(request, found, can_act=can_act)


def _kit_signin_page(request, code: str, form, status=200) -> HttpResponse:
    return render(
        request,
        "dropoffs/kit_signin.html",
        {"code": code, "display_code": _display_code(code), "form": form},
        status=status,
    )


def _display_code(code: str) -> str:
    return f"{code[:3]}-{code[3:]}" if len(code) == 7 else code


@login_not_required
@require_POST
def kit_signin(request: HttpRequest, code: str) -> HttpResponse:
    """A maker who scanned her label signed out asks for a link that opens this kit's page
    again. Whose the kit is is checked only once she is signed in."""
    normal = normalise_kit_code(code)
    if not normal:
        raise Http404
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _kit_signin_page(request, normal, form, status=400)
    maker_services.signin_link_send(
        **form.cleaned_data["address"],
        client=get_adapter().get_client_ip(request) or "",
        landing=reverse("dropoffs:kit_signin_link", kwargs={"code": normal}),
    )
    request.session["makers_signin_by"] = "email" if "@" in form.data["address"] else "phone"
    return redirect("makers:signin_sent")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def kit_signin_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link from kit_signin: GET shows one "Sign in" button (opening the link spends
    nothing); the POST signs her in and returns her to the kit. The way back is this kit's
    page, from the address itself, never a page named in the request."""
    normal = normalise_kit_code(code)
    if not normal:
        raise Http404
    token = request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    token = (token or "")[:200]
    if request.method == "GET":
        if not token:
            return redirect("dropoffs:kit", code=normal)
        return render(
            request,
            "dropoffs/kit_signin_link.html",
            {"token": token, "code": normal, "display_code": _display_code(normal)},
        )
    user = signin.user_for_token(token)
    if user is None:
        return render(request, "makers/signin_link_failed.html", {"form": SignInForm()}, status=400)
    login(request, user, backend="sesame.backends.ModelBackend")
    try:
        get_kit_for(user, normal)
    except Http404:
        return redirect("makers:me")  # not her kit (or no longer): her own page instead
    return redirect("dropoffs:kit", code=normal)


# What a recorded handover says, on the scan page and in the phone's outbox (for a repeat too).
DONE_TEXT = {
    "collect": _("Kit %(code)s given to its maker."),
    "return": _("%(count)s finished garments from kit %(code)s taken in."),
    "return_rework": _("%(count)s finished garments from kit %(code)s taken in."),
    "unfinished": _("Unfinished kit %(code)s taken back."),
    "pick_up": _("%(count)s garments from kit %(code)s handed to the driver."),
    "arrive": _("%(count)s garments from kit %(code)s arrived at the hub."),
}


@require_POST
def kit_handover(request: HttpRequest, code: str) -> HttpResponse:
    found, can_act = get_kit_for(request.user, code)
    if not can_act:
        raise PermissionDenied(_("Only hub staff and point helpers record handovers."))
    outbox = _from_outbox(request)
    station = current_station(request)
    point = station.point if station else None
    if station is None or station.hub.pk != found.hub_id:
        if outbox:
            where = _("Kit %(code)s is from %(hub)s. Choose where you are on the scan page.")
            return _outbox_answer(
                "refused", where % {"code": found.display_code, "hub": found.hub.name}, 409
            )
        return _kit_page(request, found, can_act=True, status=400)
    held = selectors.kit_point_holding(kit=found, point=point)
    options = {
        o.action: o for o in selectors.handover_options(kit=found, point=point, held_here=held)[0]
    }
    action = request.POST.get("action", "")
    option = options.get(action)
    form = HandoverForm(request.POST, most=option.most if option else None, auto_id=f"{action}_%s")
    if not form.is_valid():
        if outbox:
            return _outbox_answer("refused", _form_problems(form), 400)
        return _kit_page(request, found, can_act=True, bound=form, status=400)
    data, who = form.cleaned_data, request.user
    seen, key = data["version"], data["client_key"]
    done = DONE_TEXT[action] % {"code": found.display_code, "count": data.get("count")}
    try:
        if option is None:
            services.handover_not_allowed(
                kit=found, action=action, actor=who, seen=seen, client_key=key
            )
        if action == "collect":
            services.handover_kit_collect(
                kit=found, actor=who, point=point, seen=seen, client_key=key
            )
        elif action in {"return", "return_rework"}:
            services.handover_garments_return(
                kit=found,
                count=data["count"],
                actor=who,
                point=point,
                seen=seen,
                from_place="rework" if action == "return_rework" else "with_maker",
                client_key=key,
            )
        elif action == "unfinished":
            services.handover_kit_return_unfinished(
                kit=found,
                finished=data["finished"],
                actor=who,
                point=point,
                seen=seen,
                client_key=key,
            )
        elif action == "pick_up":
            services.handover_pick_up(
                point=point,
                kit_counts=[(found, data["count"])],
                actor=who,
                seen={found.pk: seen},
                client_key=key,
            )
        else:
            services.handover_deliver_to_hub(
                hub=found.hub, kit_counts=[(found, data["count"])], actor=who, client_key=key
            )
    except services.HandoverAlreadyRecorded as repeat:
        if outbox:
            return _outbox_answer("already", done)
        messages.info(request, repeat.message)
        return redirect("dropoffs:scan")
    except PROBLEMS as exc:
        if outbox:
            return _outbox_answer("refused", str(exc), 409)
        found.refresh_from_db()
        return _kit_page(request, found, can_act=True, problem=str(exc), status=409)
    if outbox:
        return _outbox_answer("sent", done)
    messages.success(request, done)
    return redirect("dropoffs:scan")


@require_http_methods(["GET", "POST"])
@role_required(Role.POINT_HELPER, *STAFF_ROLES)
def hand_in_many(request: HttpRequest, code: str) -> HttpResponse:
    """A group leader or a maker with several kits hands in scrubs for all of them at once,
    found by one of the kits' codes."""
    # Counted before the lookup, as on the kit's page: codes cannot be tried one by one.
    if over_limit(request, group="kit-lookup", key="user_or_ip", rate=kit_lookup_rate):
        return too_many(request, what=_("kit code look-ups"))
    station = current_station(request)
    assignment = get_assignment_to_hand_in(station, code)
    request.hub = station.hub
    open_kits = selectors.holder_kits(assignment=assignment)
    kits = [k for k in open_kits if k.qty_with_maker]
    others = [k for k in open_kits if not k.qty_with_maker]
    form = HandInManyForm(request.POST or None, kits=kits, others=others)
    outbox = request.method == "POST" and _from_outbox(request)
    problem = ""
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["client_key"]
        total = sum(count for _kit, count in form.kit_counts())
        done = _("%(total)s finished garments taken in from %(who)s.") % {
            "total": total,
            "who": assignment.holder,
        }
        # The phone's key makes it one handover (in the service); without it, the page's token.
        claimed = once.claim(form) if key is None else nullcontext(once.Claim(None))
        try:
            with claimed as sent:
                services.handover_garments_return_many(
                    kit_counts=form.kit_counts(),
                    actor=request.user,
                    point=station.point,
                    client_key=key,
                )
                sent.done_url = reverse("dropoffs:scan")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except services.HandoverAlreadyRecorded as repeat:
            if outbox:
                return _outbox_answer("already", done)
            messages.info(request, repeat.message)
            return redirect("dropoffs:scan")
        except PROBLEMS as exc:
            problem = str(exc)
        else:
            if outbox:
                return _outbox_answer("sent", done)
            messages.success(request, done)
            return redirect("dropoffs:scan")
    if outbox:
        return _outbox_answer("refused", problem or _form_problems(form), 409 if problem else 400)
    return render(
        request,
        "dropoffs/hand_in_many.html",
        {
            "form": form,
            "holder": assignment.holder,
            "station": station,
            "kits": kits,
            "problem": problem,
        },
        status=400 if form.errors or problem else 200,
    )
