"""A point's day on one page for its helpers, to read or print: who is expected to hand in,
the kits waiting for their makers and the drivers calling (issue 24)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from dropoffs import selectors
from dropoffs.permissions import get_point_for_helper
from scrubhub.hubs.models import STAFF_ROLES, Role
from scrubhub.hubs.permissions import role_required
from scrubhub.query import QueryForm

DAYS = {"today": 0, "tomorrow": 1}


class DayQuery(QueryForm):
    day = forms.ChoiceField(
        choices=[("today", _("Today")), ("tomorrow", _("Tomorrow"))],
        required=False,
        initial="today",
    )


@require_GET
@role_required(Role.POINT_HELPER, *STAFF_ROLES)
def point_expected(request: HttpRequest, point_id: int) -> HttpResponse:
    point = get_point_for_helper(request.user, point_id)
    request.hub = point.hub
    chosen = DayQuery.read(request)["day"]
    # "Today" where the point is, not where the server is.
    day = point.hub.today() + timedelta(days=DAYS[chosen])
    return render(
        request,
        "dropoffs/point_expected.html",
        {
            "expected": selectors.point_expected(point=point, day=day),
            "point": point,
            "chosen": chosen,
            "days": DayQuery.base_fields["day"].choices,
        },
    )
