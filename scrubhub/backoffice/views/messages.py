"""The hub's messages (/hub/messages/): the outbox, resending, the phone list, the people
not reached and correcting their details, and the weekly summaries' settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from makers.services import MakerError, maker_contact_correct
from makers.staff_selectors import maker_for_staff
from scrubhub import once
from scrubhub.backoffice.pages import filter_query, page_of
from scrubhub.hubs.permissions import hub_staff_required, is_coordinator_of
from scrubhub.notifications import selectors, services
from scrubhub.notifications.forms import (
    ContactCorrectForm,
    MessageFilterForm,
    SummarySettingsForm,
)
from scrubhub.notifications.models import Message


@require_GET
@hub_staff_required
def message_list(request: HttpRequest) -> HttpResponse:
    form = MessageFilterForm(request.GET or None)
    status = channel = ""
    if form.is_valid():
        status, channel = form.cleaned_data["status"], form.cleaned_data["channel"]
    outbox = selectors.messages_for_hub(hub=request.hub, status=status, channel=channel)
    page = page_of(request, outbox)
    return render(
        request,
        "backoffice/messages/message_list.html",
        {
            "form": form,
            "page": page,
            "page_query": filter_query(request.GET, ["status", "channel"]),
            "hub": request.hub,
        },
    )


def _message_or_404(request: HttpRequest, message_id: int) -> Message:
    try:
        return selectors.message_for_hub(hub=request.hub, message_id=message_id)
    except Message.DoesNotExist:
        raise Http404 from None


@require_POST
@hub_staff_required
def message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message_or_404(request, message_id)
    try:
        services.message_resend(message=message)
    except services.MessageError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The message to %(to)s will be sent again.") % {"to": message.to_address}
        )
    return redirect("notifications:list")


@require_GET
@hub_staff_required
def phone_list(request: HttpRequest) -> HttpResponse:
    calls = selectors.phone_list_for_hub(hub=request.hub)[:200]
    return render(
        request, "backoffice/messages/phone_list.html", {"calls": calls, "hub": request.hub}
    )


@require_POST
@hub_staff_required
def message_phoned(request: HttpRequest, message_id: int) -> HttpResponse:
    message = _message_or_404(request, message_id)
    try:
        services.message_mark_phoned(message=message, actor=request.user)
    except services.MessageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked as phoned: %(to)s.") % {"to": message.to_address})
    return redirect("notifications:phone_list")


@require_http_methods(["GET", "POST"])
@hub_staff_required
def summary_settings(request: HttpRequest) -> HttpResponse:
    if not is_coordinator_of(request.user, request.hub):
        raise PermissionDenied(_("Only the hub's coordinators change when summaries go out."))
    current = selectors.message_settings_for(hub=request.hub)
    form = SummarySettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Weekly summaries will go out at the new time."))
        return redirect("notifications:settings")
    return render(
        request, "backoffice/messages/summary_settings.html", {"form": form, "hub": request.hub}
    )


def _unreachable_page(
    request: HttpRequest, *, bound: ContactCorrectForm | None = None, status: int = 200
) -> HttpResponse:
    people = selectors.unreachable_for_hub(hub=request.hub)
    for person in people:
        if person.maker is None:
            continue
        if bound is not None and bound.maker.pk == person.maker.pk:
            person.form, bound = bound, None
        else:
            person.form = ContactCorrectForm(maker=person.maker)
    if bound is not None:
        # Refused for someone no longer on the list (another member of staff dealt with
        # them meanwhile): their form still shows, with what was wrong.
        maker = bound.maker
        people.insert(
            0,
            selectors.Unreachable(
                key=f"m{maker.pk}",
                messages=[],
                maker=maker,
                name=maker.name,
                phone=maker.phone,
                email=maker.email,
                form=bound,
            ),
        )
    return render(
        request,
        "backoffice/messages/unreachable.html",
        {
            "people": people,
            "shown": selectors.UNREACHABLE_SHOWN,
            "resend_days": services.RESEND_WITHIN.days,
            "hub": request.hub,
        },
        status=status,
    )


@require_GET
@hub_staff_required
def unreachable(request: HttpRequest) -> HttpResponse:
    return _unreachable_page(request)


@require_POST
@hub_staff_required
def contact_correct(request: HttpRequest, maker_id: int) -> HttpResponse:
    """Save a maker's corrected phone or email and send again what did not reach them."""
    maker = maker_for_staff(hub=request.hub, pk=maker_id)
    if maker is None:
        raise Http404
    form = ContactCorrectForm(request.POST, maker=maker)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with once.claim(form) as sent:
                done = maker_contact_correct(
                    maker=maker,
                    actor=request.user,
                    email=data["email"],
                    phone=data["phone"],
                    preferred_channel=data["preferred_channel"],
                )
                sent.done_url = reverse("notifications:unreachable")
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except MakerError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _contact_corrected_words(done))
            return redirect("notifications:unreachable")
    return _unreachable_page(request, bound=form, status=400)


def _contact_corrected_words(done) -> str:
    name = done.maker.name
    if not done.resent and not done.left:
        return _("%(name)s's details are saved. Nothing was waiting to be sent.") % {"name": name}
    if done.channel == Message.Channel.PHONE_LIST:
        said = ngettext(
            "%(name)s's details are saved. %(n)s message is on the list to phone them with.",
            "%(name)s's details are saved. %(n)s messages are on the list to phone them with.",
            done.resent,
        )
    else:
        said = ngettext(
            "%(name)s's details are saved. %(n)s message will be sent again to %(to)s.",
            "%(name)s's details are saved. %(n)s messages will be sent again to %(to)s.",
            done.resent,
        )
    said = said % {"name": name, "n": done.resent, "to": done.to_address}
    if done.left:
        said += " " + ngettext(
            "%(n)s was too old, or a code that has run out, so it was not sent again.",
            "%(n)s were too old, or codes that have run out, so they were not sent again.",
            done.left,
        ) % {"n": done.left}
    return said


@require_POST
@hub_staff_required
def dealt_with(request: HttpRequest, message_id: int) -> HttpResponse:
    """We phoned them, or there is nothing more to do: off the list, nothing sent."""
    message = _message_or_404(request, message_id)
    try:
        services.person_mark_dealt_with(message=message, actor=request.user)
    except services.MessageError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked as dealt with: %(to)s.") % {"to": message.to_address})
    return redirect("notifications:unreachable")
