"""Bringing in a hub's own spreadsheet of volunteers, under /hub/volunteers/import/ (issue
23): upload the sheet, say what each column is, check every row, import everyone or nobody.

The sheet is kept between the steps as an ImportBatch that only its uploader sees, in their
hub (anyone else gets 404). Reading the file is makers.sheets, checking the rows is
makers.imports, and the import itself is makers.services.makers_import. The welcome each
new person gets links to two public pages (stay, or leave): makers/views/welcome.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET

from makers import imports, services, staff_selectors
from makers.models import ImportBatch
from makers.services import ImportRefused, MakerError
from makers.sheets import column_name, too_big_message
from makers.staff_forms import ImportColumnsForm, ImportConfirmForm, ImportUploadForm
from scrubhub import once
from scrubhub.backoffice.pages import GET_POST, render_for_hub
from scrubhub.hubs.permissions import hub_staff_required

# Room in a request for the form's other fields and the multipart wrapping, on top of
# the file itself.
FORM_ALLOWANCE = 64 * 1024
SHOWN = 200  # problems, matches and people listed on the check page; the rest are counted


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = staff_selectors.import_batch_for_staff(hub=request.hub, user=request.user, pk=pk)
    if batch is None:
        raise Http404
    return batch


def _not_now(request: HttpRequest, batch: ImportBatch) -> HttpResponse | None:
    """An imported sheet goes to what it did; one past its day says so (it is gone)."""
    if batch.status == ImportBatch.Status.IMPORTED:
        return redirect("makers:staff_import_done", pk=batch.pk)
    if batch.expires_at <= timezone.now():
        return render_for_hub(
            request, "backoffice/imports/import_expired.html", {"batch": batch}, status=410
        )
    return None


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # Django reads nothing of a body whose length it cannot read


# Exempt here only so that the size can be checked before anything reads the body: the
# CSRF check reads the whole form to find its token, which for a 50 MB upload means
# spooling all of it to disk first. _upload checks the token as usual (csrf_protect); a
# body too big is refused without changing anything, so it needs no token.
@csrf_exempt
@GET_POST
@hub_staff_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the sheet. Django reads no more of a body than its Content-Length, so a
    body that says it is too big is refused unread, and one that lies is cut short."""
    size = _declared_size(request) if request.method == "POST" else 0
    if size > settings.SCRUBHUB_IMPORT_MAX_BYTES + FORM_ALLOWANCE:
        return _upload_page(request, ImportUploadForm.refused(too_big_message(size)), status=413)
    return _upload(request)


@csrf_protect
def _upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with once.claim(form) as sent:
                batch = services.import_batch_start(
                    hub=request.hub,
                    by_user=request.user,
                    file_name=form.cleaned_data["sheet"].name,
                    sheet=form.read,
                )
                sent.done_url = reverse("makers:staff_import_columns", kwargs={"pk": batch.pk})
        except once.AlreadySent as repeat:
            return repeat.redirect(request)
        return redirect(sent.done_url)
    return _upload_page(request, form, status=400 if form.is_bound else 200)


def _upload_page(request: HttpRequest, form, status: int) -> HttpResponse:
    waiting = staff_selectors.import_batches_waiting(
        hub=request.hub, user=request.user, now=timezone.now()
    )
    return render_for_hub(
        request,
        "backoffice/imports/import_upload.html",
        {
            "form": form,
            "waiting": waiting,
            "max_mb": settings.SCRUBHUB_IMPORT_MAX_BYTES // (1024 * 1024),
            "columns": [label for key, label in imports.TARGETS if key],
        },
        status,
    )


@GET_POST
@hub_staff_required
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: what each column is."""
    batch = _batch(request, pk)
    if (elsewhere := _not_now(request, batch)) is not None:
        return elsewhere
    form = ImportColumnsForm(request.POST if request.method == "POST" else None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            services.import_batch_columns_set(batch=batch, columns=form.columns())
        except ImportRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        except MakerError as error:
            form.add_error(None, str(error))
        else:
            return redirect("makers:staff_import_check", pk=batch.pk)
    return render_for_hub(
        request,
        "backoffice/imports/import_columns.html",
        {"batch": batch, "form": form},
        status=400 if form.is_bound else 200,
    )


@GET_POST
@hub_staff_required
def import_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: every row checked, what the import would do, and the button that does it."""
    batch = _batch(request, pk)
    if (elsewhere := _not_now(request, batch)) is not None:
        return elsewhere
    if imports.columns_problems(batch.columns):
        messages.error(request, _("First choose what the columns are."))
        return redirect("makers:staff_import_columns", pk=batch.pk)
    checked = imports.rows_check(hub=request.hub, rows=batch.rows, columns=batch.columns)
    form = ImportConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and checked.ok:
        try:
            done = services.makers_import(
                batch=batch,
                contact_basis=form.cleaned_data["contact_basis"],
                approve=form.cleaned_data["approve"],
                by_user=request.user,
            )
        except ImportRefused as refused:
            # Someone changed a maker between the check and the press: nobody was added.
            checked.problems = refused.problems
        except MakerError as error:
            batch.refresh_from_db(fields=["status"])
            if batch.status == ImportBatch.Status.IMPORTED:
                messages.info(request, str(error))
                return redirect("makers:staff_import_done", pk=batch.pk)
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s person is imported.", "%(n)s people are imported.", done.created_count
                )
                % {"n": done.created_count},
            )
            return redirect("makers:staff_import_done", pk=batch.pk)
    status = 400 if form.is_bound else 200
    return render_for_hub(
        request,
        "backoffice/imports/import_check.html",
        {
            "batch": batch,
            "checked": checked,
            "form": form,
            "shown": SHOWN,
            "people_count": len(checked.new) + len(checked.staying),
            "problems": checked.problems[:SHOWN],
            "new_people": checked.new[:SHOWN],
            "staying": checked.staying[:SHOWN],
            "left_before": checked.left_before[:SHOWN],
            "repeats": checked.repeats[:SHOWN],
            "age_column": next(
                (column_name(i) for i, c in enumerate(batch.columns) if c in ("age", "under_18")),
                "",
            ),
        },
        status,
    )


@require_GET
@hub_staff_required
def import_done(request: HttpRequest, pk: int) -> HttpResponse:
    """What an import did, and how the people it brought in have answered so far."""
    batch = _batch(request, pk)
    if batch.status != ImportBatch.Status.IMPORTED:
        return redirect("makers:staff_import_columns", pk=batch.pk)
    return render_for_hub(
        request,
        "backoffice/imports/import_done.html",
        {"batch": batch, "answers": staff_selectors.import_answers(batch=batch)},
    )


# --- The welcome's two links (public: the signed link is the proof) ----------------------
