"""Signing in without a password: asking for a link (or a code by text, for a mobile
number), typing the code, the "we sent it" page and opening the link."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from makers import services, signin
from makers.forms import SignInCodeForm, SignInForm
from makers.validators import normalise_phone
from makers.views.common import GET_POST, _client
from scrubhub.hubs.models import Role
from scrubhub.hubs.permissions import has_role


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
