"""Giving out kits (/hub/allocate/...) and taking them back, giving them to someone else or
marking them lost (/hub/kits/<code>/...). Thin: reads through packages.allocation,
writes through packages.staff_kits and packages.services. Every staff member
on shift may do every task here, so the only refusals are "not hub staff" (403) and
"another hub's kit" (404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dropoffs.models import Point
from makers.models import Maker, MakerGroup
from packages import allocation, staff_kits
from packages import services as kit_services
from packages.models import Kit
from packages.selectors import kit_for_code, kit_for_staff
from packages.services import KitError, normalise_kit_code
from scrubhub.backoffice.pages import page_of
from scrubhub.hubs.permissions import hub_staff_required
from scrubhub.query import QueryForm, SearchField

BOARD_PAGE_SIZE = 30
GIVEN_PAGE_SIZE = 50
CHOICES_SHOWN = 10
SEARCH_SHOWN = 30
AUTO_POINT = "auto"
NO_POINT = "none"


# --- Fetching what the request names, scoped to the staff member's hub ---------------------


def _holder(request: HttpRequest, key: str) -> tuple[Maker | None, MakerGroup | None]:
    """The maker (m<id>) or group (g<id>) a form names, from this hub only; (None, None) when
    the key names nobody here."""
    kind, digits = key[:1], key[1:]
    # isdigit() alone says yes to "²", which int() refuses.
    if not (digits.isascii() and digits.isdigit() and len(digits) < 19):
        return None, None
    if kind == "m":
        return Maker.objects.filter(hub=request.hub, pk=int(digits)).first(), None
    if kind == "g":
        return None, MakerGroup.objects.filter(hub=request.hub, pk=int(digits)).first()
    return None, None


def _points(request: HttpRequest) -> list[Point]:
    return list(
        Point.objects.filter(
            hub=request.hub, status=Point.Status.ACTIVE, accepts_kit_collection=True
        ).order_by("name", "pk")
    )


def _usual_point(maker: Maker | None, points: list[Point]) -> Point | None:
    """A maker's preferred point, when it is open and gives out kits; else none (the kit
    waits at the hub, or a driver takes it to their door)."""
    if maker is None or maker.preferred_point_id is None:
        return None
    return next((p for p in points if p.pk == maker.preferred_point_id), None)


class CandidateSearch(QueryForm):
    """The search for someone to give a kit to (?q=), on the kit's pages and the list."""

    q = SearchField()


# --- The allocation page ------------------------------------------------------------------


def _board_context(request: HttpRequest) -> dict:
    shelf = allocation.prepared_kits(hub=request.hub)
    page = page_of(request, shelf, per_page=BOARD_PAGE_SIZE)
    candidates = allocation.candidates_for_hub(hub=request.hub)
    rows = allocation.suggest(list(page.object_list), candidates, hub=request.hub)
    room = allocation.room_for_kits(hub=request.hub)
    return {
        "hub": request.hub,
        "page": page,
        "rows": allocation.shelf_rows(rows),
        "makers_free": room.makers,
        "makers_free_more": room.makers_more,
        "groups_free": room.groups,
        "suggested": sum(1 for row in rows if row.suggestion),
    }


def _board(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    context = _board_context(request)
    context["error"] = error
    return render(request, "backoffice/allocation/allocate.html", context, status=status)


@require_GET
@hub_staff_required
def allocate(request: HttpRequest) -> HttpResponse:
    return _board(request)


class GiveForm(forms.Form):
    candidate = forms.CharField(
        label=gettext_lazy("Who gets the kit"),
        error_messages={"required": gettext_lazy("Choose who gets the kit.")},
    )
    point = forms.ChoiceField(label=gettext_lazy("Where they collect it"), required=False)

    def __init__(self, *args, points: list[Point], **kwargs):
        super().__init__(*args, **kwargs)
        self.points = points
        self.fields["point"].choices = [
            (AUTO_POINT, _("Their usual point, if it gives out kits")),
            *[(str(p.pk), p.name) for p in points],
            (NO_POINT, _("At the hub, or a driver takes it to their door")),
        ]
        self.fields["point"].initial = AUTO_POINT

    def chosen_point(self, maker: Maker | None) -> Point | None:
        value = self.cleaned_data.get("point") or AUTO_POINT
        if value == AUTO_POINT:
            return _usual_point(maker, self.points)
        if value == NO_POINT:
            return None
        return next(p for p in self.points if str(p.pk) == value)


def _kit_page(request: HttpRequest, kit: Kit, form: GiveForm, *, status: int = 200) -> HttpResponse:
    query = CandidateSearch.read(request)["q"]
    candidates = allocation.candidates_for_hub(hub=request.hub, query=query)
    ranked = allocation.rank(candidates, kit=kit, hub=request.hub)
    if query:
        shown = ranked[:SEARCH_SHOWN]
    else:
        shown = [s for s in ranked if s.candidate.free > 0][:CHOICES_SHOWN]
    chosen = form["candidate"].value() if form.is_bound else None
    if not chosen and shown and not query:
        chosen = shown[0].candidate.key
    return render(
        request,
        "backoffice/allocation/allocate_kit.html",
        {
            "hub": request.hub,
            "kit": kit,
            "form": form,
            "shown": shown,
            "query": query,
            "chosen": chosen,
            "best": ranked[0] if ranked and ranked[0].candidate.free > 0 else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def allocate_kit(request: HttpRequest, code: str) -> HttpResponse:
    """One kit: the suggestion and the next best, a search for anyone else, and where they
    collect it. Its POST is also what the allocation page's "Give to ..." buttons send."""
    kit = kit_for_staff(hub=request.hub, code=code)
    points = _points(request)
    if request.method == "GET":
        if kit.status != Kit.Status.PREPARED:
            return redirect("hubs:kit_reallocate", code=kit.code)
        return _kit_page(request, kit, GiveForm(points=points))
    form = GiveForm(request.POST, points=points)
    if not form.is_valid():
        return _kit_page(request, kit, form, status=400)
    maker, group = _holder(request, form.cleaned_data["candidate"])
    if maker is None and group is None:
        form.add_error("candidate", _("Choose a maker or group from this hub."))
        return _kit_page(request, kit, form, status=400)
    try:
        kit_services.kit_allocate(
            kit=kit,
            actor=request.user,
            maker=maker,
            group=group,
            collection_point=form.chosen_point(maker),
        )
    except kit_services.KitTakenError as error:
        # A colleague gave it out a moment ago: back to the shelf, saying so plainly.
        return _board(request, error=str(error), status=409)
    except KitError as error:
        form.add_error(None, str(error))
        return _kit_page(request, kit, form, status=400)
    kit.refresh_from_db()
    messages.success(request, _given_sentence(kit, maker or group))
    return redirect("hubs:allocate")


def _given_sentence(kit: Kit, holder) -> str:
    if kit.collection_point_id:
        return _("Kit %(code)s is given to %(holder)s, to collect at %(point)s.") % {
            "code": kit.display_code,
            "holder": holder,
            "point": kit.collection_point.name,
        }
    return _("Kit %(code)s is given to %(holder)s.") % {
        "code": kit.display_code,
        "holder": holder,
    }


@require_POST
@hub_staff_required
def allocate_many(request: HttpRequest) -> HttpResponse:
    """Give every ticked kit to the person suggested for it (as the page showed them)."""
    codes = [normalise_kit_code(c) for c in request.POST.getlist("kit")]
    if not codes:
        return _board(request, error=_("Tick at least one kit to give out."), status=400)
    kits = {
        k.code: k for k in Kit.objects.filter(hub=request.hub, code__in=[c for c in codes if c])
    }
    points = _points(request)
    choices = []
    for code in codes:
        kit = kits.get(code)
        if kit is None:
            return _board(request, error=_("One of the ticked kits was not found."), status=400)
        maker, group = _holder(request, request.POST.get(f"for_{code}", ""))
        if maker is None and group is None:
            return _board(
                request,
                error=_("Kit %(code)s has nobody to go to. Choose someone for it.")
                % {"code": kit.display_code},
                status=400,
            )
        choices.append(
            staff_kits.Choice(
                kit=kit,
                maker=maker,
                group=group,
                collection_point=_usual_point(maker, points),
            )
        )
    try:
        result = staff_kits.kits_give_many(hub=request.hub, choices=choices, actor=request.user)
    except KitError as error:
        return _board(request, error=str(error), status=400)
    if result.given:
        messages.success(
            request,
            ngettext(
                "%(count)s kit is given out.", "%(count)s kits are given out.", len(result.given)
            )
            % {"count": len(result.given)},
        )
    for _kit_refused, reason in result.refused:
        messages.error(request, reason)
    return redirect("hubs:allocate")


# --- Kits given out -------------------------------------------------------------------------


@require_GET
@hub_staff_required
def allocate_given(request: HttpRequest) -> HttpResponse:
    query = CandidateSearch.read(request)["q"]
    if query:
        kit = kit_for_code(hub=request.hub, code=query)
        if kit is not None and kit.status == Kit.Status.PREPARED:
            return redirect("hubs:allocate_kit", code=kit.code)
    page = page_of(
        request,
        allocation.given_kits(hub=request.hub, query=query),
        per_page=GIVEN_PAGE_SIZE,
    )
    return render(
        request,
        "backoffice/allocation/allocate_given.html",
        {
            "hub": request.hub,
            "page": page,
            "query": query,
            "page_query": urlencode({"q": query}) if query else "",
        },
    )


# --- Give to someone else, take back, mark lost ------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class LostForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What happened to the kit"),
        max_length=200,
        help_text=gettext_lazy("For example: the maker moved away and cannot be reached."),
        error_messages={"required": gettext_lazy("Say what happened to the kit.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _actions_context(request: HttpRequest, kit: Kit) -> dict:
    holders = allocation.kit_holders(kit=kit)
    return {
        "hub": request.hub,
        "kit": kit,
        "holder": next((a for a in holders if a.ended_at is None), None),
        "holders": holders,
        "history": allocation.kit_history(kit=kit),
        "can_take_back": kit.status == Kit.Status.ALLOCATED,
        "can_reallocate": kit.status in {Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER},
        "can_lose": kit.status in {Kit.Status.ALLOCATED, Kit.Status.WITH_MAKER},
    }


def _reallocate_page(
    request: HttpRequest, kit: Kit, form: forms.Form, *, status: int = 200
) -> HttpResponse:
    context = _actions_context(request, kit)
    query = CandidateSearch.read(request)["q"]
    shown = []
    if context["can_reallocate"]:
        candidates = allocation.candidates_for_hub(hub=request.hub, query=query)
        current = context["holder"]
        if current is not None:
            current_key = f"m{current.maker_id}" if current.maker_id else f"g{current.group_id}"
            candidates = [c for c in candidates if c.key != current_key]
        ranked = allocation.rank(candidates, kit=kit, hub=request.hub)
        if query:
            shown = ranked[:SEARCH_SHOWN]
        else:
            shown = [s for s in ranked if s.candidate.free > 0][:CHOICES_SHOWN]
    context.update(
        {"form": form, "shown": shown, "query": query, "chosen": form["candidate"].value()}
    )
    return render(
        request, "backoffice/allocation/kit_actions_reallocate.html", context, status=status
    )


class ReallocateForm(ReasonForm):
    candidate = forms.CharField(
        label=gettext_lazy("Who gets the kit now"),
        error_messages={"required": gettext_lazy("Choose who gets the kit now.")},
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def kit_reallocate(request: HttpRequest, code: str) -> HttpResponse:
    kit = kit_for_staff(hub=request.hub, code=code)
    if request.method == "GET":
        return _reallocate_page(request, kit, ReallocateForm())
    form = ReallocateForm(request.POST)
    if not form.is_valid():
        return _reallocate_page(request, kit, form, status=400)
    maker, group = _holder(request, form.cleaned_data["candidate"])
    if maker is None and group is None:
        form.add_error("candidate", _("Choose a maker or group from this hub."))
        return _reallocate_page(request, kit, form, status=400)
    try:
        kit_services.kit_reallocate(
            kit=kit,
            actor=request.user,
            maker=maker,
            group=group,
            reason=form.cleaned_data["reason"],
        )
    except KitError as error:
        form.add_error(None, str(error))
        return _reallocate_page(request, kit, form, status=409)
    messages.success(
        request,
        _("Kit %(code)s is now with %(holder)s.")
        % {"code": kit.display_code, "holder": maker or group},
    )
    return redirect("hubs:kit_reallocate", code=kit.code)


@require_http_methods(["GET", "POST"])
@hub_staff_required
def kit_take_back(request: HttpRequest, code: str) -> HttpResponse:
    kit = kit_for_staff(hub=request.hub, code=code)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            kit_services.kit_take_back(
                kit=kit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except KitError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Kit %(code)s is back on the shelf, ready to give to someone else.")
                % {"code": kit.display_code},
            )
            return redirect("hubs:allocate")
    context = _actions_context(request, kit)
    context["form"] = form
    status = (409 if form.non_field_errors() else 400) if form.is_bound else 200
    return render(
        request, "backoffice/allocation/kit_actions_take_back.html", context, status=status
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def kit_lost(request: HttpRequest, code: str) -> HttpResponse:
    kit = kit_for_staff(hub=request.hub, code=code)
    form = LostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            kit_services.kit_mark_lost(
                kit=kit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except KitError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Kit %(code)s is marked lost. Its garments are written off.")
                % {"code": kit.display_code},
            )
            return redirect(reverse("hubs:allocate_given"))
    context = _actions_context(request, kit)
    context["form"] = form
    status = (409 if form.non_field_errors() else 400) if form.is_bound else 200
    return render(request, "backoffice/allocation/kit_actions_lost.html", context, status=status)
