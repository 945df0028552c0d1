"""The public side of joining: the hub's own page, finding a hub to join, the join form and
its thank-you page, a group leader registering a group, and the page a young maker's
parent or guardian answers on."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from makers import guardian_services, selectors, services, signin
from makers.forms import GroupForm, GuardianAgreeForm, GuardianRefuseForm, JoinForm, SignInCodeForm
from makers.models import CONSENT_WORDING
from makers.services import MakerError
from makers.views.common import GET_POST, _client, _hub_or_404, _show_hub
from makers.views.signing_in import CODE_SESSION, _code_asked, _number_shown
from scrubhub import once
from scrubhub.hubs.models import Hub
from scrubhub.query import QueryForm, SearchField
from scrubhub.ratelimits import guardian_rate, join_rate, over_limit, too_many


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
                consent_version=CONSENT_WORDING if data["consent"] else "",
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
