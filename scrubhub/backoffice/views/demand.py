"""The plan (/hub/plan/): what the hospitals asked for, against what stock and kits can
meet, read through packages.planning."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from packages.planning import fabric_metres_held, plan_for_hub, plan_totals
from scrubhub.hubs import selectors, services
from scrubhub.hubs.forms import (
    PlanQuery,
)
from scrubhub.hubs.permissions import (
    hub_staff_required,
)


@require_GET
@hub_staff_required
def plan(request: HttpRequest) -> HttpResponse:
    per_kit = min(max(PlanQuery.read(request)["per_kit"], 1), services.MAX_GARMENTS_PER_KIT)
    lines = plan_for_hub(hub=request.hub, garments_per_kit=per_kit)
    totals = plan_totals(lines)
    fabric = fabric_metres_held(hub=request.hub)
    return render(
        request,
        "backoffice/demand/plan.html",
        {
            "hub": request.hub,
            "late": selectors.late_requests_named(hub=request.hub, garments_per_kit=per_kit),
            "lines": lines,
            "totals": totals,
            "per_kit": per_kit,
            "fabric_held": fabric,
            "fabric_short": max(totals["metres_needed"] - fabric, 0),
            "max_batch": services.MAX_KITS_PER_BATCH,
        },
    )
