"""The volunteers' side: the public hub page, joining, signing in by link, and /me/.

Views are thin: they read through makers.selectors, write through makers.services, and
show the services' refusals to people beside the form."""

from __future__ import annotations

import json
from datetime import timedelta

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from makers import guardian_services, selectors, services, signin
from makers.forms import (
    AwayForm,
    ConfirmForm,
    DetailsForm,
    GiveBackForm,
    GroupForm,
    GuardianAgreeForm,
    GuardianRefuseForm,
    JoinForm,
    ProblemForm,
    ProgressForm,
    ReturnForm,
    SignInCodeForm,
    SignInForm,
)
from makers.models import Maker
from makers.services import MakerError
from makers.validators import normalise_phone
from packages.services import PackagesError
from scrubhub import once
from scrubhub.hubs.models import Hub, Role
from scrubhub.hubs.permissions import has_role, role_required
from scrubhub.query import QueryForm, SearchField
from scrubhub.ratelimits import guardian_rate, join_rate, over_limit, too_many

CONSENT_VERSION = "privacy-v1"
GET_POST = require_http_methods(["GET", "POST"])


def _client(request: HttpRequest) -> str:
    return get_adapter().get_client_ip(request) or ""


def _hub_or_404(slug: str) -> Hub:
    return get_object_or_404(Hub, slug=slug, is_active=True)


def _show_hub(request: HttpRequest, hub: Hub) -> None:
    # base.html shows the current hub's name and phone on every page.
    request.hub = hub


# --- Public: the hub page and joining ---------------------------------------------------


@login_not_required
@require_GET
def hub_page(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub_or_404(slug)
    _show_hub(request, hub)
    return render(
        request,
        "makers/hub_page.html",
        {
            "hub": hub,
            "progress": selectors.hub_progress(hub=hub),
            "points": selectors.points_for_makers(hub=hub),
            "share_image": request.build_absolute_uri("/static/img/makers-share.png"),
            "page_url": request.build_absolute_uri(),
        },
    )


class JoinSearch(QueryForm):
    q = SearchField()


@login_not_required
@require_GET
def join_start(request: HttpRequest) -> HttpResponse:
    """The short address for posters: one hub goes straight to its form."""
    query = JoinSearch.read(request)["q"]
    hubs = list(selectors.hubs_to_join(query=query))
    if not query and len(hubs) == 1:
        return redirect("makers:join", slug=hubs[0].slug)
    return render(request, "makers/join_start.html", {"hubs": hubs, "query": query})


@login_not_required
@never_cache
@GET_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub_or_404(slug)
    _show_hub(request, hub)
    if not hub.is_open:
        return _not_open(request, hub)
    if request.user.is_authenticated and selectors.maker_for_user(user=request.user):
        messages.info(request, _("You have already joined. This is your page."))
        return redirect("makers:me")
    if request.method == "GET":
        return _join_page(request, hub, JoinForm(hub=hub))

    if over_limit(request, group="join", rate=join_rate):
        return too_many(request, what=_("joining"))
    if request.POST.get("age_band") == services.UNDER_16:
        # Nothing is kept about a child: not even what they typed goes further.
        return render(request, "makers/join_under_16.html", {"hub": hub})
    form = JoinForm(request.POST, hub=hub)
    if not form.is_valid():
        return _join_page(request, hub, form)
    data = form.cleaned_data
    done = reverse("makers:join_done", kwargs={"slug": hub.slug})
    try:
        with once.claim(form) as sent:
            outcome = services.maker_join(
                hub=hub,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                postcode=data["postcode"],
                age_band=data["age_band"],
                guardian_name=data["guardian_name"],
                guardian_contact=data["guardian_contact"],
                experience=data["experience"],
                has_sewing_machine=data["has_sewing_machine"] == "yes",
                preferred_point=data.get("preferred_point"),
                consent_version=CONSENT_VERSION if data["consent"] else "",
                client=_client(request),
            )
            sent.done_url = done
    except once.AlreadySent as repeat:
        # A double tap or the back button: the same thank-you page, and no word that it
        # was sent before (the page never says whether someone had joined already).
        return redirect(repeat.url or done)
    except MakerError as error:
        form.add_error(None, str(error))
        return _join_page(request, hub, form)
    request.session["makers_joined_hub"] = hub.pk
    request.session["makers_joined_by"] = "email" if data["email"] else "phone"
    if outcome.code_challenge:
        _code_asked(request, phone=data["phone"], challenge=outcome.code_challenge)
    return redirect(done)


def _not_open(request: HttpRequest, hub: Hub) -> HttpResponse:
    """A hub still being set up, or waiting for an operator to approve it, takes nobody yet."""
    return render(request, "makers/join_not_open.html", {"hub": hub})


def _join_page(request: HttpRequest, hub: Hub, form: JoinForm) -> HttpResponse:
    return render(request, "makers/join.html", {"hub": hub, "form": form})


@login_not_required
@require_GET
def join_done(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub_or_404(slug)
    _show_hub(request, hub)
    by = request.session.get("makers_joined_by", "email")
    code = request.session.get(CODE_SESSION) if by == "phone" else None
    return render(
        request,
        "makers/join_done.html",
        {
            "hub": hub,
            "by": by,
            "minutes": signin.link_minutes(),
            "code_form": SignInCodeForm() if code else None,
            "number": _number_shown(code["phone"]) if code else "",
            "code_minutes": signin.code_minutes(),
        },
    )


@login_not_required
@never_cache
@GET_POST
def group_register(request: HttpRequest, slug: str) -> HttpResponse:
    """A group leader registers a group that sews together."""
    hub = _hub_or_404(slug)
    _show_hub(request, hub)
    if not hub.is_open:
        return _not_open(request, hub)
    form = GroupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with once.claim(form) as sent:
                services.maker_group_register(
                    hub=hub,
                    group_name=data["group_name"],
                    kind=data["kind"],
                    member_count=data["member_count"],
                    capacity_sets_per_week=data["capacity"],
                    leader_name=data["leader_name"],
                    email=data["email"],
                    phone=data["phone"],
                    client=_client(request),
                )
                sent.done_url = reverse("makers:join_done", kwargs={"slug": hub.slug})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            request.session["makers_joined_by"] = "email"
            return redirect("makers:join_done", slug=hub.slug)
    return render(request, "makers/group_register.html", {"hub": hub, "form": form})


# --- A young maker's parent or guardian ---------------------------------------------------


@login_not_required
@never_cache
@GET_POST
def guardian(request: HttpRequest, token: str) -> HttpResponse:
    """The page a parent or guardian's message links to: who is asking, what their child
    signed up for, and "I agree" or "I do not agree". Opening it changes nothing; a link
    that was used, replaced, is too old, or whose maker was erased says so plainly."""
    if over_limit(request, group="guardian", rate=guardian_rate):
        return too_many(request, what=_("opening this page"))
    link = guardian_services.link_read(token=token)
    if link.request is None:
        return render(
            request,
            "makers/guardian_done.html",
            {"link": link, "days": guardian_services.LINK_DAYS},
            status=404,
        )
    maker = link.maker
    _show_hub(request, maker.hub)
    if not link.usable:
        return render(
            request,
            "makers/guardian_done.html",
            {"link": link, "maker": maker, "hub": maker.hub, "days": guardian_services.LINK_DAYS},
            status=410 if link.expired else 200,
        )
    agree_form = GuardianAgreeForm(maker=maker, initial={"name": maker.guardian_name})
    refuse_form = GuardianRefuseForm(prefix="no")
    status = 200
    if request.method == "POST":
        agree = request.POST.get("answer") != "refuse"
        form = (
            GuardianAgreeForm(request.POST, maker=maker)
            if agree
            else GuardianRefuseForm(request.POST, prefix="no")
        )
        if form.is_valid():
            try:
                with once.claim(form) as sent:
                    guardian_services.guardian_answer(
                        token=token, agree=agree, name=form.cleaned_data.get("name", "")
                    )
                    sent.done_url = request.path
            except once.AlreadySent as repeat:
                return redirect(repeat.url or request.path)
            except MakerError as error:
                form.add_error(None, str(error))
            else:
                return redirect(request.path)
        if agree:
            agree_form = form
        else:
            refuse_form = form
        status = 400
    return render(
        request,
        "makers/guardian.html",
        {
            "maker": maker,
            "hub": maker.hub,
            "facts": guardian_services.page_facts(maker=maker),
            "agree_form": agree_form,
            "refuse_form": refuse_form,
            "wording": guardian_services.GUARDIAN_WORDING,
        },
        status=status,
    )


# --- Signing in by link -------------------------------------------------------------------


@login_not_required
@never_cache
@GET_POST
def signin_request(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["address"]
        if address["phone"]:
            # A mobile number gets a code to type here; the same page whether or not we
            # know the number.
            challenge = services.signin_code_send(phone=address["phone"], client=_client(request))
            _code_asked(request, phone=address["phone"], challenge=challenge)
            return redirect("makers:signin_code")
        services.signin_link_send(**address, client=_client(request))
        # The same answer whether or not we know the address.
        request.session["makers_signin_by"] = "email"
        return redirect("makers:signin_sent")
    return render(request, "makers/signin.html", {"form": form})


CODE_SESSION = "makers_signin_code"


def _code_asked(request: HttpRequest, *, phone: str, challenge: str) -> None:
    """What this browser keeps while she types a code: the number (to say where it went),
    the challenge, and its own count of tries and time. Every request starts afresh, so
    the page behaves the same whether a code was sent or not (makers.signin)."""
    until = timezone.now() + timedelta(minutes=signin.code_minutes())
    request.session[CODE_SESSION] = {
        "phone": normalise_phone(phone),
        "challenge": challenge,
        "tries": signin.CODE_TRIES,
        "until": until.isoformat(),
    }


def _number_shown(phone: str) -> str:
    """Enough of the number to recognise it, not enough to learn it from the screen."""
    return f"{phone[:2]}\u2026 \u2026{phone[-2:]}"


@login_not_required
@never_cache
@GET_POST
def signin_code(request: HttpRequest) -> HttpResponse:
    """She types the code from the text. What the page says comes only from this browser's
    own asking (its tries and time), never from whether we know the number."""
    state = request.session.get(CODE_SESSION)
    if not state:
        return redirect("makers:signin")
    form = SignInCodeForm(request.POST if request.method == "POST" else None)
    expired = timezone.now() >= timezone.datetime.fromisoformat(state["until"])
    if request.method == "POST" and state["tries"] > 0 and not expired and form.is_valid():
        user = signin.user_for_code(challenge=state["challenge"], code=form.cleaned_data["code"])
        if user is not None:
            del request.session[CODE_SESSION]
            # The same way in as a link, so the same session checks apply afterwards.
            login(request, user, backend="sesame.backends.ModelBackend")
            return redirect(
                "makers:me" if has_role(user, Role.MAKER, Role.GROUP_LEADER) else "role_home"
            )
        state["tries"] -= 1
        request.session[CODE_SESSION] = state
        if state["tries"]:
            form.add_error(
                "code",
                ngettext(
                    "That is not the code in our newest text. You have %(count)s more try.",
                    "That is not the code in our newest text. You have %(count)s more tries.",
                    state["tries"],
                )
                % {"count": state["tries"]},
            )
    return render(
        request,
        "makers/signin_code.html",
        {
            "form": form,
            "stopped": state["tries"] <= 0 or expired,
            "number": _number_shown(state["phone"]),
            "phone": state["phone"],
            "minutes": signin.code_minutes(),
            "tries": signin.CODE_TRIES,
        },
    )


@login_not_required
@require_GET
def signin_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "makers/signin_sent.html",
        {"by": request.session.get("makers_signin_by", "email"), "minutes": signin.link_minutes()},
    )


@login_not_required
@never_cache
@GET_POST
def signin_link(request: HttpRequest) -> HttpResponse:
    """GET shows one "Sign in" button (opening the link spends nothing); the POST signs in."""
    token = request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    token = (token or "")[:200]
    if request.method == "POST":
        user = signin.user_for_token(token)
        if user is not None:
            login(request, user, backend="sesame.backends.ModelBackend")
            return redirect(
                "makers:me" if has_role(user, Role.MAKER, Role.GROUP_LEADER) else "role_home"
            )
        return render(request, "makers/signin_link_failed.html", {"form": SignInForm()}, status=400)
    if not token:
        return redirect("makers:signin")
    return render(request, "makers/signin_link.html", {"token": token})


# --- /me/: the maker's own pages -----------------------------------------------------------


def _own_maker(request: HttpRequest) -> Maker:
    maker = selectors.maker_for_user(user=request.user)
    if maker is None or maker.status == Maker.Status.ERASED:
        raise Http404
    _show_hub(request, maker.hub)
    return maker


def _own_kit(request: HttpRequest, code: str):
    """The signed-in maker's kit, or 404: another maker's kit must look like no kit."""
    maker = _own_maker(request)
    kit = selectors.kit_for_maker(maker=maker, code=code)
    if kit is None:
        raise Http404
    return maker, kit


@require_GET
@role_required(Role.MAKER, Role.GROUP_LEADER)
def me(request: HttpRequest) -> HttpResponse:
    maker = selectors.maker_for_user(user=request.user)
    # Leading a group comes with the group-leader role: no query for every other maker.
    groups = (
        list(selectors.groups_led_by(user=request.user))
        if has_role(request.user, Role.GROUP_LEADER)
        else []
    )
    if maker is None:
        if groups:
            return redirect("makers:group")
        raise PermissionDenied(_("This page is for makers."))
    _show_hub(request, maker.hub)
    kits = selectors.kits_for_maker(maker=maker)
    for kit in kits:
        kit.next_step = selectors.kit_next_step(kit)
    return render(
        request,
        "makers/me.html",
        {
            "maker": maker,
            "kits": kits,
            "groups": groups,
            "impact": selectors.maker_impact(maker=maker),
            "progress": selectors.hub_progress(hub=maker.hub),
            "guardian": guardian_services.guardian_state(maker=maker),
            "doorstep": selectors.doorstep_offer(maker=maker),
        },
    )


@require_GET
@role_required(Role.MAKER)
def kit_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Her kit, and the page its label's code opens for her: she logs what she has finished
    and says where and when she brings it back here, as from /me/."""
    from packages.models import Kit

    maker, kit = _own_kit(request, code)
    kit.next_step = selectors.kit_next_step(kit)
    forms = {}
    if kit.status == Kit.Status.WITH_MAKER and kit.qty_with_maker:
        if kit.finished_count < kit.garment_count:
            forms["progress_form"] = ProgressForm(kit=kit)
        if kit.finished_count:
            forms["return_form"] = ReturnForm(maker=maker, plan=kit.open_plan)
    doorstep = selectors.doorstep_offer(maker=maker)
    return render(
        request, "makers/kit.html", {"maker": maker, "kit": kit, "doorstep": doorstep, **forms}
    )


def _kit_form_page(request, template: str, maker, kit, form, **extra) -> HttpResponse:
    return render(request, template, {"maker": maker, "kit": kit, "form": form, **extra})


def _not_with_maker(request, kit) -> HttpResponse | None:
    from packages.models import Kit

    if kit.status != Kit.Status.WITH_MAKER or kit.qty_with_maker == 0:
        messages.info(request, _("There is nothing to do on that page for this kit now."))
        return redirect("makers:kit", code=kit.code)
    return None


@GET_POST
@role_required(Role.MAKER)
def kit_progress(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    if response := _not_with_maker(request, kit):
        return response
    form = ProgressForm(request.POST if request.method == "POST" else None, kit=kit)
    if request.method == "POST" and form.is_valid():
        try:
            kit = services.kit_progress_record(
                maker=maker,
                kit=kit,
                finished=form.cleaned_data["finished"],
                seen=form.cleaned_data["seen"],
                actor=request.user,
            )
        except (MakerError, PackagesError) as error:
            form.add_error(None, str(error))
        else:
            if kit.finished_count >= kit.garment_count:
                messages.success(
                    request, _("Well done: all %(n)s finished!") % {"n": kit.garment_count}
                )
                return redirect("makers:kit_return", code=kit.code)
            messages.success(
                request,
                _("Thank you. You have finished %(done)s of %(all)s.")
                % {"done": kit.finished_count, "all": kit.garment_count},
            )
            return redirect("makers:me")
    return _kit_form_page(request, "makers/kit_progress.html", maker, kit, form)


@GET_POST
@role_required(Role.MAKER)
def kit_return(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    if response := _not_with_maker(request, kit):
        return response
    form = ReturnForm(
        request.POST if request.method == "POST" else None, maker=maker, plan=kit.open_plan
    )
    if request.method == "POST" and form.is_valid():
        try:
            # A second plan would replace the first and thank her twice.
            with once.claim(form) as sent:
                plan = services.return_plan_make(
                    maker=maker,
                    kit=kit,
                    actor=request.user,
                    day=form.cleaned_data["day"],
                    **form.place(),
                )
                sent.done_url = reverse("makers:me")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except (MakerError, PackagesError) as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, _("Thank you. We will expect it then."))
            kit.open_plan = plan
            return redirect("makers:me")
    return _kit_form_page(request, "makers/kit_return.html", maker, kit, form)


@GET_POST
@role_required(Role.MAKER)
def kit_give_back(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    if response := _not_with_maker(request, kit):
        return response
    form = GiveBackForm(
        request.POST if request.method == "POST" else None, maker=maker, plan=kit.open_plan
    )
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.return_plan_make(
                    maker=maker,
                    kit=kit,
                    actor=request.user,
                    day=form.cleaned_data["day"],
                    unfinished=True,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    **form.place(),
                )
                sent.done_url = reverse("makers:me")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except (MakerError, PackagesError) as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(
                request,
                _("Thank you for telling us. Bring the kit back as planned; that is a big help."),
            )
            return redirect("makers:me")
    return _kit_form_page(request, "makers/kit_give_back.html", maker, kit, form)


@GET_POST
@role_required(Role.MAKER)
def kit_problem(request: HttpRequest, code: str) -> HttpResponse:
    maker, kit = _own_kit(request, code)
    form = ProblemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                services.kit_problem_report(
                    maker=maker,
                    kit=kit,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    actor=request.user,
                )
                sent.done_url = reverse("makers:kit", kwargs={"code": kit.code})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except (MakerError, PackagesError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Thank you. The hub has your message and will get back to you.")
            )
            return redirect("makers:kit", code=kit.code)
    return _kit_form_page(request, "makers/kit_problem.html", maker, kit, form)


@require_POST
@role_required(Role.MAKER)
def ready_for_kit(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    try:
        services.maker_ready_for_kit(maker=maker, actor=request.user)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Thank you! We will tell you when a kit is ready for you to collect.")
        )
    return redirect("makers:me")


@require_GET
@role_required(Role.MAKER)
def impact(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    return render(
        request,
        "makers/impact.html",
        {
            "maker": maker,
            "impact": selectors.maker_impact(maker=maker),
            "progress": selectors.hub_progress(hub=maker.hub),
        },
    )


@GET_POST
@role_required(Role.MAKER)
def details(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    initial = {
        "name": maker.name,
        "email": maker.email,
        "phone": maker.phone,
        "postcode": maker.postcode,
        "preferred_channel": maker.preferred_channel,
        "sets_per_week": maker.sets_per_week,
        "preferred_point": maker.preferred_point_id,
        "needs_doorstep_collection": maker.needs_doorstep_collection,
        "guardian_name": maker.guardian_name,
        "guardian_contact": maker.guardian_contact,
    }
    form = DetailsForm(
        request.POST if request.method == "POST" else None, maker=maker, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_details_update(maker=maker, actor=request.user, **form.cleaned_data)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("makers:details")
    return render(request, "makers/details.html", {"maker": maker, "form": form})


@GET_POST
@role_required(Role.MAKER)
def away(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    form = AwayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        until = timezone.localdate() + timedelta(weeks=form.cleaned_data["weeks"])
        try:
            services.maker_away(maker=maker, actor=request.user, until=until)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Enjoy your break. We will not send you a kit until you are back.")
            )
            return redirect("makers:me")
    return render(request, "makers/away.html", {"maker": maker, "form": form})


@require_POST
@role_required(Role.MAKER)
def back(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    try:
        services.maker_back(maker=maker, actor=request.user)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Welcome back!"))
    return redirect("makers:me")


@GET_POST
@role_required(Role.MAKER)
def withdraw(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        label=_("Yes, I want to stop sewing for the hub"),
        required_message=_("Tick the box to say you want to stop."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_withdraw(maker=maker, actor=request.user)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.success(
                request, _("Thank you for all you have done. You have stopped sewing for the hub.")
            )
            return redirect("home")
    return render(request, "makers/withdraw.html", {"maker": maker, "form": form})


@require_GET
@role_required(Role.MAKER)
def my_data(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    agreements = selectors.agreements_for_maker(maker=maker)
    return render(request, "makers/data.html", {"maker": maker, "agreements": agreements})


@require_POST
@role_required(Role.MAKER)
def weekly_email(request: HttpRequest) -> HttpResponse:
    """The weekly summary email off or back on, from the data page: as easy to stop as it
    was to get."""
    maker = _own_maker(request)
    wanted = request.POST.get("weekly_email") == "on"
    try:
        services.maker_summaries_set(maker=maker, wanted=wanted)
    except MakerError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You will get the weekly email again.")
            if wanted
            else _("Done: we will not send you the weekly email."),
        )
    return redirect("makers:data")


def _download(content: str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@role_required(Role.MAKER)
def my_data_json(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    data = services.maker_export(maker=maker)
    return _download(
        json.dumps(data, indent=2, ensure_ascii=False),
        filename="my-scrubhub-data.json",
        content_type="application/json; charset=utf-8",
    )


@require_GET
@role_required(Role.MAKER)
def my_data_csv(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    return _download(
        services.maker_export_csv(maker=maker),
        filename="my-scrubhub-data.csv",
        content_type="text/csv; charset=utf-8",
    )


@GET_POST
@role_required(Role.MAKER)
def delete_account(request: HttpRequest) -> HttpResponse:
    maker = _own_maker(request)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        label=_("Yes, delete my account and my details. I understand this cannot be undone."),
        required_message=_("Tick the box to say you want to delete your account."),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.maker_delete_account(maker=maker, actor=request.user)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            return redirect("makers:deleted")
    return render(request, "makers/delete.html", {"maker": maker, "form": form})


@login_not_required
@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "makers/deleted.html")


# --- Group leaders --------------------------------------------------------------------------


@require_GET
@role_required(Role.GROUP_LEADER)
def group(request: HttpRequest) -> HttpResponse:
    groups = list(selectors.groups_led_by(user=request.user).select_related("hub"))
    if groups:
        _show_hub(request, groups[0].hub)
    rows = [
        {
            "group": g,
            "kits": list(selectors.group_kits(group=g)[:50]),
            "output": selectors.group_output(group=g),
        }
        for g in groups
    ]
    return render(request, "makers/group.html", {"rows": rows})
