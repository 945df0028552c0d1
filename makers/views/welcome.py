"""The two public pages the welcome links to when a hub imports someone from its own
sheet (makers.imports): stay, or leave (which erases the record at once)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from makers import services
from makers.services import MakerError


def _welcome(request: HttpRequest, token: str, *, leave: bool) -> HttpResponse:
    imported = services.import_welcome_read(token=token)
    template = "makers/import_leave.html" if leave else "makers/import_stay.html"
    if imported is None:
        return render(request, "makers/import_link_failed.html", status=404)
    maker = imported.maker
    context = {"hub": maker.hub, "maker": maker, "imported": imported, "error": ""}
    if request.method == "POST":
        try:
            if leave:
                services.import_welcome_leave(imported=imported)
            else:
                services.import_welcome_stay(imported=imported)
        except MakerError as error:
            context["error"] = str(error)
            return render(request, template, context, status=400)
        return redirect(request.path)
    return render(request, template, context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_stay(request: HttpRequest, token: str) -> HttpResponse:
    return _welcome(request, token, leave=False)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_leave(request: HttpRequest, token: str) -> HttpResponse:
    return _welcome(request, token, leave=True)
