"""The hub staff's joining pages under /hub/volunteers/: applicants and deciding on them
in bulk, and signing people up on their behalf (one, or paper forms row after row)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from makers import services, staff_selectors
from makers.models import CONSENT_WORDING
from makers.services import MakerError, MakerRowError
from makers.staff_forms import (
    ApplicantFilterForm,
    DecideForm,
    PaperFormsQuery,
    PaperFormsToken,
    SignUpForm,
    paper_formset,
)
from scrubhub import once
from scrubhub.backoffice.pages import GET_POST, filter_query, page_of, render_for_hub
from scrubhub.hubs.permissions import hub_staff_required

APPLICANT_FILTER_FIELDS = ("q", "age_band", "experience", "point", "joined_since", "guardian")


@require_GET
@hub_staff_required
def applicants(request: HttpRequest) -> HttpResponse:
    form = ApplicantFilterForm(request.GET or None, hub=request.hub)
    found = staff_selectors.applicants_listed(hub=request.hub, filters=form.filters())
    # Uncapped: "Approve all N people this list shows" must name and check the exact N.
    page = page_of(request, found, capped=False)
    query = filter_query(request.GET, APPLICANT_FILTER_FIELDS)
    return render_for_hub(
        request,
        "backoffice/applicants/applicants.html",
        {
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "query": query,
            "filtered": bool(query),
        },
    )


def _selection_digest(*, hub, ids) -> str:
    return hashlib.sha256(f"{hub.pk}:{sorted(ids)}".encode()).hexdigest()


def _selection_token(*, hub, ids) -> str:
    """Exactly who a whole-list approval is for, signed: the confirmation page posts it
    back, so a list that changed in between (someone joined, say) is not approved unseen."""
    return signing.TimestampSigner(salt="makers.approve-all").sign(
        _selection_digest(hub=hub, ids=ids)
    )


def _selection_matches(*, hub, ids, token: str) -> bool:
    try:
        digest = signing.TimestampSigner(salt="makers.approve-all").unsign(token, max_age=60 * 60)
    except signing.BadSignature:
        return False
    return constant_time_compare(digest, _selection_digest(hub=hub, ids=ids))


def _applicants_back(request: HttpRequest) -> HttpResponse:
    query = filter_query(request.POST, APPLICANT_FILTER_FIELDS)
    return redirect(reverse("makers:staff_applicants") + (f"?{query}" if query else ""))


@require_POST
@hub_staff_required
def applicants_decide(request: HttpRequest) -> HttpResponse:
    """Approve or decline: one person (their row's button), the ticked ones, or everyone
    the filter shows. Declining more than one person, or approving everyone the list
    shows, asks to confirm first, naming how many."""
    one = request.POST.get("one", "")
    if one:
        decision, _dash, pk = one.partition("-")
        data = {"decision": decision, "makers": [pk], "scope": "one"}
    else:
        data = request.POST.copy()
        if data.get("scope") == "matching":
            # The only action offered for a whole list: declining hundreds unseen is not.
            data["decision"] = "approve"
    ids = [value for value in request.POST.getlist("makers") if value.isdigit()]
    if one and pk.isdigit():
        ids = [pk]
    form = DecideForm(data, choices=ids)
    if not form.is_valid():
        messages.error(request, _("Please choose Approve or Decline, and who it is for."))
        return _applicants_back(request)
    decision = form.cleaned_data["decision"]
    scope = form.cleaned_data["scope"] or "ticked"
    if scope == "matching":
        filters = ApplicantFilterForm(request.POST, hub=request.hub).filters()
        ids = list(
            staff_selectors.applicants_listed(hub=request.hub, filters=filters).values_list(
                "pk", flat=True
            )
        )
        expected = form.cleaned_data["expected"]
        if expected is None or expected != len(ids):
            messages.error(
                request,
                _(
                    "The list changed while you were looking at it: it now shows %(n)s "
                    "people. Please check it and try again."
                )
                % {"n": len(ids)},
            )
            return _applicants_back(request)
    else:
        ids = form.cleaned_data["makers"]
    if not ids:
        messages.error(request, _("Tick at least one person first."))
        return _applicants_back(request)
    if scope == "matching" and request.POST.get("confirmed") != "yes":
        return render_for_hub(
            request,
            "backoffice/applicants/approve_confirm.html",
            {
                "count": len(ids),
                "selection": _selection_token(hub=request.hub, ids=ids),
                "back": _applicants_back(request).url,
                "filters": [
                    (name, request.POST.get(name))
                    for name in APPLICANT_FILTER_FIELDS
                    if request.POST.get(name)
                ],
            },
        )
    if scope == "matching" and not _selection_matches(
        hub=request.hub, ids=ids, token=request.POST.get("selection", "")
    ):
        messages.error(
            request,
            _(
                "The list changed after you checked it: it now shows %(n)s people. "
                "Please check it and try again."
            )
            % {"n": len(ids)},
        )
        return _applicants_back(request)
    if decision == "decline" and len(ids) > 1 and request.POST.get("confirmed") != "yes":
        return render_for_hub(
            request,
            "backoffice/applicants/decline_confirm.html",
            {
                "ids": ids,
                "count": len(ids),
                "reason": form.cleaned_data["reason"],
                "filters": [
                    (name, request.POST.get(name))
                    for name in APPLICANT_FILTER_FIELDS
                    if request.POST.get(name)
                ],
            },
        )
    if decision == "approve":
        result = services.makers_approve_many(hub=request.hub, maker_ids=ids, actor=request.user)
        done = ngettext(
            "%(n)s person is approved. They will get a message saying so.",
            "%(n)s people are approved. Each will get a message saying so.",
            len(result.changed),
        ) % {"n": len(result.changed)}
    else:
        result = services.makers_decline_many(
            hub=request.hub,
            maker_ids=ids,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        done = ngettext(
            "%(n)s person is declined. They will get a kind message saying so.",
            "%(n)s people are declined. Each will get a kind message saying so.",
            len(result.changed),
        ) % {"n": len(result.changed)}
    if result.changed:
        messages.success(request, done)
    if result.skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)s person was left as they were: someone had already decided about them.",
                "%(n)s people were left as they were: someone had already decided about them.",
                result.skipped,
            )
            % {"n": result.skipped},
        )
    return _applicants_back(request)


@GET_POST
@hub_staff_required
def sign_up(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST if request.method == "POST" else None, hub=request.hub)
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                maker = services.maker_sign_up_on_behalf(
                    hub=request.hub,
                    actor=request.user,
                    **form.service_kwargs(consent_version=CONSENT_WORDING),
                )
                sent.done_url = reverse("makers:staff_maker", kwargs={"pk": maker.pk})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is signed up (%(status)s).")
                % {"name": maker.name, "status": maker.get_status_display().lower()},
            )
            return redirect("makers:staff_maker", pk=maker.pk)
    status = 400 if form.is_bound else 200
    return render_for_hub(request, "backoffice/applicants/sign_up.html", {"form": form}, status)


def _row_count(request: HttpRequest) -> int:
    return min(max(PaperFormsQuery.read(request)["rows"], 1), 40)


@GET_POST
@hub_staff_required
def paper_forms(request: HttpRequest) -> HttpResponse:
    """Paper forms typed in row after row. Empty rows are skipped; if any row is wrong,
    nobody is saved and each wrong row says why."""
    if request.method == "GET":
        rows = _row_count(request)
        formset = paper_formset(rows)(form_kwargs={"hub": request.hub})
        return render_for_hub(
            request,
            "backoffice/applicants/paper_forms.html",
            {"formset": formset, "rows": rows, "sheet": PaperFormsToken()},
        )
    formset = paper_formset()(request.POST, form_kwargs={"hub": request.hub})
    sheet = PaperFormsToken(request.POST)
    if not sheet.is_valid():
        formset.is_valid()
        formset._non_form_errors = formset.error_class(sheet.non_field_errors())
    elif formset.is_valid():
        filled = [form for form in formset.forms if form.has_changed()]
        if not filled:
            formset._non_form_errors = formset.error_class(
                [_("Type in at least one person's details.")]
            )
        else:
            roster = reverse("makers:staff_roster") + "?status=all"
            try:
                with once.claim(sheet) as sent:
                    made = services.makers_sign_up_many(
                        hub=request.hub,
                        actor=request.user,
                        rows=[f.service_kwargs(consent_version=CONSENT_WORDING) for f in filled],
                    )
                    sent.done_url = roster
            except once.AlreadySent as repeat:
                return repeat.redirect(request)
            except MakerRowError as error:
                filled[error.row - 1].add_error(None, str(error))
            else:
                messages.success(
                    request,
                    ngettext("%(n)s person is signed up.", "%(n)s people are signed up.", len(made))
                    % {"n": len(made)},
                )
                return redirect(roster)
    return render_for_hub(
        request,
        "backoffice/applicants/paper_forms.html",
        {"formset": formset, "rows": formset.total_form_count(), "sheet": sheet},
        status=400,
    )
