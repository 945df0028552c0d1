"""The quality check (/hub/checks/...): garments waiting to be checked, kit by kit, and
recording how many passed and why each failure failed. Thin: reads go through
packages.selectors, scoped to request.hub; the write is
packages.services.quality_check_record."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from packages.models import Kit, KitAssignment, QualityCheck
from packages.selectors import kit_for_staff, kits_awaiting_check, quality_requirements_for_hub
from packages.services import STANDARD_REASONS, Failure, KitError, quality_check_record
from scrubhub import once
from scrubhub.backoffice.pages import page_of
from scrubhub.hubs.permissions import hub_staff_required
from scrubhub.once import OnceForm

MAX_COUNT = 1000


@require_GET
@hub_staff_required
def checks(request: HttpRequest) -> HttpResponse:
    kits = kits_awaiting_check(hub=request.hub)
    page = page_of(request, kits)
    return render(request, "backoffice/quality/checks.html", {"hub": request.hub, "page": page})


class CheckForm(OnceForm, forms.Form):
    """How many passed, and for the failures how many for each reason: the standard ones,
    the hospitals' own requirements, and "something else" with words. Sent twice, a check
    of part of a kit would count the next garments as checked too, so it saves once."""

    # Its name before it moved to the back office: a check page open during the move still
    # saves (the form's token is signed with this name).
    once_name = "scrubhub.hubs.quality_views.CheckForm"
    passed = forms.IntegerField(
        label=gettext_lazy("How many passed"),
        min_value=0,
        max_value=MAX_COUNT,
        error_messages={"required": gettext_lazy("Enter how many passed, or 0.")},
    )
    other = forms.IntegerField(
        label=gettext_lazy("Something else"), min_value=0, max_value=MAX_COUNT, required=False
    )
    other_reason = forms.CharField(
        label=gettext_lazy("What else was wrong"), max_length=200, required=False
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("What happens to the failed garments"),
        choices=QualityCheck.FailedOutcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("A note for the maker (optional)"),
        help_text=gettext_lazy("Sent with the reasons when garments go back for rework."),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, waiting: int, requirements: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.waiting = waiting
        self.reason_fields: list[tuple[str, str]] = []
        fields = dict(self.fields)
        self.fields.clear()
        self.fields["passed"] = fields.pop("passed")
        self.fields["passed"].initial = waiting
        for key, label in STANDARD_REASONS.items():
            self._add_reason(f"fail_{key}", str(label))
        for requirement in requirements:
            label = _("Does not meet: %(title)s") % {"title": requirement.title}
            if label not in {text for _name, text in self.reason_fields}:
                self._add_reason(f"fail_req_{requirement.pk}", label)
        self.fields.update(fields)

    def _add_reason(self, name: str, label: str) -> None:
        self.fields[name] = forms.IntegerField(
            label=label, min_value=0, max_value=MAX_COUNT, required=False
        )
        self.reason_fields.append((name, label))

    def reason_bound_fields(self):
        return [self[name] for name, _label in self.reason_fields]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        failures = [
            Failure(reason=label, count=data.get(name) or 0) for name, label in self.reason_fields
        ]
        other = data.get("other") or 0
        if other:
            if not data.get("other_reason", "").strip():
                self.add_error("other_reason", _("Say what else was wrong."))
                return data
            failures.append(Failure(reason=data["other_reason"].strip(), count=other))
        failed = sum(f.count for f in failures)
        passed = data.get("passed") or 0
        if passed + failed == 0:
            self.add_error("passed", _("Enter how many passed, or how many failed and why."))
        elif passed + failed > self.waiting:
            self.add_error(
                None,
                ngettext(
                    "%(waiting)s garment is waiting to be checked, but %(passed)s passed and "
                    "%(failed)s failed make %(total)s.",
                    "%(waiting)s garments are waiting to be checked, but %(passed)s passed and "
                    "%(failed)s failed make %(total)s.",
                    self.waiting,
                )
                % {
                    "waiting": self.waiting,
                    "passed": passed,
                    "failed": failed,
                    "total": passed + failed,
                },
            )
        if failed and not data.get("outcome"):
            self.add_error(
                "outcome", _("Say whether the failed garments go back or are written off.")
            )
        data["failures"] = [f for f in failures if f.count]
        data["failed"] = failed
        return data


def _check_page(
    request: HttpRequest, kit: Kit, form: CheckForm, *, status: int = 200, error: str = ""
):
    holder = (
        KitAssignment.objects.filter(kit=kit)
        .select_related("maker", "group")
        .order_by("-assigned_at", "-pk")
        .first()
    )
    earlier = list(kit.quality_checks.select_related("checked_by").order_by("-created_at")[:10])
    return render(
        request,
        "backoffice/quality/checks_kit.html",
        {
            "hub": request.hub,
            "kit": kit,
            "form": form,
            "holder": holder,
            "earlier": earlier,
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@hub_staff_required
def check_kit(request: HttpRequest, code: str) -> HttpResponse:
    kit = kit_for_staff(hub=request.hub, code=code)
    requirements = list(
        quality_requirements_for_hub(hub=request.hub, garment_type=kit.garment_type)
    )
    form = CheckForm(
        request.POST if request.method == "POST" else None,
        waiting=kit.qty_awaiting_check,
        requirements=requirements,
    )
    if request.method == "GET":
        return _check_page(request, kit, form)
    if not kit.qty_awaiting_check:
        # Checked by a colleague a moment ago (or sent twice): say so, change nothing.
        error = _(
            "Nothing from kit %(code)s is waiting to be checked now. Someone may have just "
            "recorded its check: see the earlier checks below."
        ) % {"code": kit.display_code}
        return _check_page(request, kit, form, status=409, error=error)
    if not form.is_valid():
        return _check_page(request, kit, form, status=400)
    data = form.cleaned_data
    try:
        with once.claim(form) as sent:
            quality_check_record(
                kit=kit,
                passed=data["passed"],
                failures=data["failures"],
                failed_outcome=data.get("outcome") or "",
                note=data.get("note", ""),
                actor=request.user,
            )
            sent.done_url = reverse("hubs:checks")
    except once.AlreadySent as repeat:
        return repeat.redirect(request)
    except KitError as error:
        kit.refresh_from_db()
        fresh = CheckForm(request.POST, waiting=kit.qty_awaiting_check, requirements=requirements)
        fresh.is_valid()
        fresh.add_error(None, str(error))
        return _check_page(request, kit, fresh, status=409)
    parts = [
        ngettext("%(count)s passed", "%(count)s passed", data["passed"]) % {"count": data["passed"]}
    ]
    if data["failed"]:
        if data["outcome"] == QualityCheck.FailedOutcome.REWORK:
            parts.append(
                ngettext(
                    "%(count)s goes back for rework; the maker will get the reasons",
                    "%(count)s go back for rework; the maker will get the reasons",
                    data["failed"],
                )
                % {"count": data["failed"]}
            )
        else:
            parts.append(
                ngettext("%(count)s written off", "%(count)s written off", data["failed"])
                % {"count": data["failed"]}
            )
    messages.success(
        request,
        _("Kit %(code)s is checked: %(what)s.")
        % {"code": kit.display_code, "what": ", ".join(parts)},
    )
    return redirect("hubs:checks")
